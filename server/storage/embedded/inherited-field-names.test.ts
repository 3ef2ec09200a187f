/**
 * Field names that are also Object.prototype members (isPrototypeOf, toLocaleString,
 * propertyIsEnumerable, ...) are valid MongoDB (and Rapport) field names: a document without such
 * a field does not have it, whatever JavaScript's `doc[name]` finds on the prototype.
 */import { describe, expect, it } from 'vitest';
import { CollectionStore } from './collection-store.ts';
import { runFind } from './query-exec.ts';

describe('a field named like an Object.prototype member', () => {
  it('a unique partial index on {field: {$exists: true}} leaves out documents without the field', () => {
    const store = new CollectionStore('db.inherited');
    store.createIndex({ name: 'u', key: { isPrototypeOf: 1 }, unique: true, partialFilterExpression: { isPrototypeOf: { $exists: true } } });
    expect(store.indexes.get('u')!.keysFor({ _id: 1 })).toEqual([]);
    store.insert({ _id: 1, n: 1 });
    expect(() => store.insert({ _id: 2, n: 2 })).not.toThrow();
  });

  it('$exists next to a condition the fast matcher does not know is decided by the document', () => {
    const store = new CollectionStore('db.inherited');
    store.insert({ _id: 1, n: 1 });
    store.insert({ _id: 2, n: 2 });
    expect(runFind(store, { filter: { toLocaleString: { $exists: false }, n: { $gte: 0 } } }).map((d) => d._id)).toEqual([1, 2]);
    expect(runFind(store, { filter: { toLocaleString: { $exists: true }, n: { $gte: 0 } } })).toEqual([]);
  });

  it('$exists alone', () => {
    const store = new CollectionStore('db.inherited');
    store.insert({ _id: 1, n: 1 });
    expect(runFind(store, { filter: { propertyIsEnumerable: { $exists: false } } }).map((d) => d._id)).toEqual([1]);
  });
});
