import { describe, expect, it } from 'vitest';
import { buildClientUri, toWriteConcern } from './driver-options.ts';

describe('buildClientUri', () => {
  it.each([
    { name: 'adds uriOptions to a bare URI', base: 'mongodb://127.0.0.1:27017', options: { retryReads: false }, expected: 'mongodb://127.0.0.1:27017/?retryReads=false' },
    { name: 'keeps the path and existing options', base: 'mongodb://u:p@h1,h2/db?authSource=admin', options: { w: 0 }, expected: 'mongodb://u:p@h1,h2/db?authSource=admin&w=0' },
    { name: 'uriOptions win over the connection string', base: 'mongodb://h/?retryWrites=true', options: { retryWrites: false }, expected: 'mongodb://h/?retryWrites=false' },
    { name: 'tag sets become repeated keys', base: 'mongodb://h/', options: { readPreferenceTags: [{ dc: 'ny' }, {}] }, expected: 'mongodb://h/?readPreferenceTags=dc%3Any&readPreferenceTags=' },
    { name: 'no options, no query', base: 'mongodb://h:1/', options: undefined, expected: 'mongodb://h:1/' },
  ])('$name', ({ base, options, expected }) => {
    expect(buildClientUri(base, options)).toBe(expected);
  });

  it('applies defaults only where neither the string nor uriOptions set them', () => {
    const defaults = { serverSelectionTimeoutMS: 10_000 };
    expect(buildClientUri('mongodb://h/', undefined, defaults)).toBe('mongodb://h/?serverSelectionTimeoutMS=10000');
    expect(buildClientUri('mongodb://h/?serverSelectionTimeoutMS=5', undefined, defaults)).toBe('mongodb://h/?serverSelectionTimeoutMS=5');
    expect(buildClientUri('mongodb://h/', { serverSelectionTimeoutMS: 7 }, defaults)).toBe('mongodb://h/?serverSelectionTimeoutMS=7');
  });
});

describe('toWriteConcern', () => {
  it('keeps the unified format names the driver understands', () => {
    expect(toWriteConcern({ w: 'majority', journal: true, wtimeoutMS: 50 })).toEqual({ w: 'majority', journal: true, wtimeoutMS: 50 });
    expect(toWriteConcern({ w: 0 })).toEqual({ w: 0 });
  });
});
