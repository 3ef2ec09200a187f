import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { compareBson, idKeyOf } from './bson-values.ts';
import { entryOrder } from './index-entry.ts';
import { CollectionStore } from './collection-store.ts';

// Values of several BSON types; every tuple of them is tried, so each field of a key decides some comparisons.
const VALUES: unknown[] = [null, 'a', 2.5, new Date(1_000), ObjectId.createFromHexString('0000000000000000000000ff'), { x: 1 }];

/** The order an index must have: values field by field in their directions, then the _id key. */
function expected(dirs: number[], a: { vals: unknown[]; id: string }, b: { vals: unknown[]; id: string }): number {
  for (let i = 0; i < dirs.length; i++) {
    const c = compareBson(a.vals[i], b.vals[i]);
    if (c) return Math.sign(c) * dirs[i]!;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every tuple of `width` values (fewer values for wide keys), each under two document keys. */
function tuples(width: number): Array<{ vals: unknown[]; id: string }> {
  const values = VALUES.slice(0, width > 3 ? 3 : 4);
  let all: unknown[][] = [[]];
  for (let i = 0; i < width; i++) all = all.flatMap((t) => values.map((v) => [...t, v]));
  return all.flatMap((vals) => [{ vals, id: 'k0' }, { vals, id: 'k1' }]);
}

describe('index entries order as the index key says, whatever their width', () => {
  for (const dirs of [[1], [-1], [1, -1], [-1, 1], [1, -1, -1], [-1, 1, 1], [1, -1, 1, -1], [-1, -1, 1, 1, -1]]) {
    it(`key directions ${dirs.join(', ')}`, () => {
      const order = entryOrder(dirs);
      const list = tuples(dirs.length);
      const wrong: string[] = [];
      for (const a of list) {
        for (const b of list) {
          const got = Math.sign(order.compare(order.entry(a.vals, a.id), order.entry(b.vals, b.id)));
          if (got !== expected(dirs, a, b) && wrong.length < 5) wrong.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${got}`);
        }
        const entry = order.entry(a.vals, a.id);
        expect(entry.v0).toBe(a.vals[0]);
        expect(entry.id).toBe(a.id);
        expect(order.holds(entry, a.vals)).toBe(true);
        expect(order.holds(entry, [...a.vals.slice(0, -1), 'not this'])).toBe(false);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('a four-field unique index finds a conflict and scans by its leading field', () => {
    const store = new CollectionStore('db.c');
    store.createIndex({ name: 'abcd', key: { a: 1, b: -1, c: 1, d: -1 }, unique: true });
    store.insert({ _id: 1, a: 1, b: 2, c: 3, d: 4 });
    store.insert({ _id: 2, a: 1, b: 2, c: 3, d: 5 });
    expect(() => store.insert({ _id: 3, a: 1, b: 2, c: 3, d: 4 })).toThrow(/duplicate key/);
    expect([...store.indexes.get('abcd')!.scan({ low: 1, high: 1, lowInclusive: true, highInclusive: true })]).toEqual(['n2', 'n1']);
  });
});

describe('an ObjectId document key', () => {
  it('is the same for equal ids, short, and ordered as the ids', () => {
    const ids = Array.from({ length: 200 }, () => new ObjectId()).concat(['000000000000000000000000', 'ffffffffffffffffffffffff', '0fff00000fff00000fff0000', 'f000fff0000fff0000fff000'].map((h) => ObjectId.createFromHexString(h)));
    for (const id of ids) {
      expect(idKeyOf(ObjectId.createFromHexString(id.toHexString()))).toBe(idKeyOf(id));
      expect(idKeyOf(id)).toHaveLength(9);
    }
    const byKey = [...ids].sort((a, b) => (idKeyOf(a) < idKeyOf(b) ? -1 : idKeyOf(a) > idKeyOf(b) ? 1 : 0)).map((id) => id.toHexString());
    expect(byKey).toEqual(ids.map((id) => id.toHexString()).sort());
    expect(new Set(ids.map(idKeyOf)).size).toBe(new Set(ids.map((id) => id.toHexString())).size);
  });

  it('never equals the key of a string, number or null _id', () => {
    const id = ObjectId.createFromHexString('6f0000000000000000000000');
    const others = [id.toHexString(), `o${id.toHexString()}`, 0, null, String.fromCharCode(0x6f, 0x6f0, 0, 0, 0, 0, 0, 0, 0)];
    // The last is the ObjectId's own key as a string _id: strings are prefixed "s", so it still differs.
    for (const other of others) expect(idKeyOf(other)).not.toBe(idKeyOf(id));
  });
});
