import { describe, expect, it } from 'vitest';
import { BSON, ObjectId } from 'bson';
import { changesOf, compactChanges } from './event-changes.ts';

const created = { id: new ObjectId(), type: 'created', changes: [
  { field: 'name', before: null, after: 'Ada' },
  { field: 'score', before: null, after: 0 },
  { field: 'tags', before: null, after: ['a', 'b'] },
  { field: 'address', before: null, after: { city: 'Leeds' } },
  { field: 'cleared', before: null, after: null },
] };

describe('stored event changes', () => {
  it('keeps a created record\'s changes as its values and lists them back exactly, in order, after a BSON round trip', () => {
    const stored = compactChanges(created);
    expect(stored).not.toHaveProperty('changes');
    expect(Object.keys(stored)).toEqual(['id', 'type', 'values']);
    expect(stored).toMatchObject({ id: created.id, type: 'created' });
    expect(stored).toHaveProperty('values', { name: 'Ada', score: 0, tags: ['a', 'b'], address: { city: 'Leeds' }, cleared: null });
    const read = BSON.deserialize(BSON.serialize(stored));
    expect(changesOf(read)).toEqual(created.changes);
  });

  it('keeps the list when any field had a value before (updates, deletions) or nothing changed', () => {
    const updated = { id: new ObjectId(), type: 'updated', changes: [{ field: 'name', before: null, after: 'Ada' }, { field: 'score', before: 1, after: 2 }] };
    expect(compactChanges(updated)).toBe(updated);
    const none = { id: new ObjectId(), type: 'created', changes: [] };
    expect(compactChanges(none)).toBe(none);
    expect(changesOf(none)).toEqual([]);
  });

  it('reads entries written before the compact form, and entries that record no changes', () => {
    const old = { changes: [{ field: 'name', before: null, after: 'Ada' }] };
    expect(changesOf(old)).toBe(old.changes);
    expect(changesOf({})).toBeUndefined();
    expect(changesOf({ values: null })).toBeUndefined();
  });
});
