import { describe, expect, it } from 'vitest';
import { CollectionStore, type Doc } from './collection-store.ts';

const inIndex = (store: CollectionStore, name: string, value: unknown): string[] =>
  [...store.indexes.get(name)!.scan({ low: value, high: value, lowInclusive: true, highInclusive: true })];

describe('replacing a document keeps every index right while skipping the ones it did not touch', () => {
  function setup(): { store: CollectionStore; first: Doc } {
    const store = new CollectionStore('db.c');
    store.createIndex({ name: 'ab', key: { 'a.b': 1 } });
    store.createIndex({ name: 'email', key: { email: 1 }, unique: true, partialFilterExpression: { $and: [{ active: true }] } });
    const first = { _id: 1, a: { b: 1 }, email: 'x@example.org', active: false, n: 0 };
    store.insert(first);
    store.insert({ _id: 2, email: 'x@example.org', active: true });
    return { store, first };
  }

  it('a change to an unindexed field leaves the keys as they were', () => {
    const { store, first } = setup();
    store.replace({ ...first, n: 1 });
    expect(inIndex(store, 'ab', 1)).toEqual(['n1']);
    expect(store.get('n1')!.n).toBe(1);
  });

  it('a change to a nested indexed value moves the key', () => {
    const { store, first } = setup();
    store.replace({ ...first, a: { b: 2 } });
    expect(inIndex(store, 'ab', 1)).toEqual([]);
    expect(inIndex(store, 'ab', 2)).toEqual(['n1']);
  });

  it('a change to a field only the partial filter reads is checked against the unique index', () => {
    const { store, first } = setup();
    expect(() => store.replace({ ...first, active: true })).toThrow(/duplicate key/);
    expect(store.get('n1')).toBe(first);
    store.replace({ ...first, email: 'y@example.org', active: true });
    expect(inIndex(store, 'email', 'y@example.org')).toEqual(['n1']);
  });

  it('an equal but new embedded value is looked at again', () => {
    const { store, first } = setup();
    store.replace({ ...first, a: { b: 1 } });
    expect(inIndex(store, 'ab', 1)).toEqual(['n1']);
  });
});

describe('index keys of top-level fields', () => {
  it('one tuple for plain values (a missing field as null), one per element for an array', () => {
    const store = new CollectionStore('db.k');
    store.createIndex({ name: 'ab', key: { a: 1, b: -1 } });
    const index = store.indexes.get('ab')!;
    expect(index.keysFor({ _id: 1, a: 'x', b: 2 })).toEqual([['x', 2]]);
    expect(index.keysFor({ _id: 1, b: null })).toEqual([[null, null]]);
    expect(index.keysFor({ _id: 1, a: ['x', 'y'], b: 2 })).toEqual([['x', 2], ['y', 2]]);
    expect(index.keysFor({ _id: 1, a: [], b: 2 })).toEqual([[undefined, 2]]);
    expect(() => index.keysFor({ _id: 1, a: [1, 2], b: [3, 4] })).toThrow(/parallel arrays/);
  });

  it('a partial index on {field: {$exists: true}} holds exactly the documents with the field', () => {
    const store = new CollectionStore('db.p');
    store.createIndex({ name: 'e', key: { e: 1 }, unique: true, partialFilterExpression: { e: { $exists: true } } });
    const index = store.indexes.get('e')!;
    expect(index.keysFor({ _id: 1 })).toEqual([]);
    expect(index.keysFor({ _id: 1, e: null })).toEqual([[null]]);
    expect(index.keysFor({ _id: 1, e: ['a'] })).toEqual([['a']]);
  });
});

describe('an index whose partial filter reads the whole document', () => {
  it('is looked at on every replace', () => {
    const store = new CollectionStore('db.x');
    store.createIndex({ name: 'u', key: { u: 1 }, unique: true, partialFilterExpression: { $expr: { $eq: ['$on', true] } } });
    expect(store.indexes.get('u')!.topFields).toBeNull();
    store.createIndex({ name: 'v', key: { v: 1 }, partialFilterExpression: { $or: [{ 'a.b': 1 }, { c: { $gt: 2 } }] } });
    expect(store.indexes.get('v')!.topFields).toEqual(['v', 'a', 'c']);
  });
});
