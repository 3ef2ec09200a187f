import { describe, expect, it } from 'vitest';
import { serverNodeFlags } from './server-flags.ts';

describe('serverNodeFlags', () => {
  it('gives V8 one garbage-collection helper per core but one, and at least one', () => {
    expect(serverNodeFlags(1)).toEqual(['--v8-pool-size=1']);
    expect(serverNodeFlags(2)).toEqual(['--v8-pool-size=1']);
    expect(serverNodeFlags(8)).toEqual(['--v8-pool-size=7']);
  });
});
