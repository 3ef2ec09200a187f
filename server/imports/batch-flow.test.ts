import { describe, expect, it } from 'vitest';
import { AHEAD, duplicateWindow } from './batch-flow.ts';

describe('the duplicate-rule keys a batch starts with', () => {
  it('are those the batches before it added that may not be written yet: AHEAD - 1 of them', () => {
    expect(AHEAD).toBe(3);
    const next = duplicateWindow();
    next().set('a', 'row of batch 1');
    const second = next();
    expect([...second.keys()]).toEqual(['a']);
    second.set('b', 'row of batch 2');
    const third = next();
    expect([...third.keys()].sort()).toEqual(['a', 'b']);
    third.set('c', 'row of batch 3');
    // Batch 1 is written by the time batch 4 is prepared (batch-flow.ts): the database has its rows.
    expect([...next().keys()].sort()).toEqual(['b', 'c']);
  });
});
