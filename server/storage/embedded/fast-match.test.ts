import { describe, expect, it } from 'vitest';
import { Query } from 'mingo';
import { Long, ObjectId } from 'bson';
import { compileFastFilter, splitFastFilter } from './fast-match.ts';
import { createRandom } from '../../../test/bench/seeded-random.ts';

const ids = [new ObjectId('000000000000000000000001'), new ObjectId('000000000000000000000002')];
const dates = [new Date('2026-01-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z')];
// Values a document field may hold: the scalars the fast path decides and the shapes it leaves to mingo.
// (The two strings spell how a long $in list keys an ObjectId and a Date: they must not match them.)
const VALUES: unknown[] = ['a', 'b', '', 0, 1, -0, 1.5, true, false, null, undefined, ids[0], ids[1], dates[0], dates[1], ['a', 'b'], [], { a: 1 }, new Long(1), Number.NaN, `o${ids[0]!.toHexString()}`, `d${dates[0]!.getTime()}`];
const SCALARS: unknown[] = ['a', 'b', '', 0, 1, 1.5, true, false, null, ids[0], dates[0]];
// Range bounds the fast path compares itself (strings, numbers, Dates).
const BOUNDS: unknown[] = ['a', 'b', '', 'ab', 0, 1, -1, 1.5, -0, dates[0], dates[1]];
const RANGE_OPS = ['$gt', '$gte', '$lt', '$lte'];
const LONG_IN: unknown[] = [...SCALARS, 'c', 2, -0, ids[1], new ObjectId(ids[0]!.toHexString()), new Date(dates[0]!.getTime()), dates[1]];

describe('the fast filter matcher', () => {
  it('agrees with mingo on every document it decides (20,000 random filters and documents)', () => {
    const random = createRandom(42);
    const pick = <T>(list: T[]): T => list[random.int(list.length)]!;
    const fields = ['f', 'g', 'h'];
    const conditionOf = (): Record<string, unknown> => {
      const name = pick(fields);
      switch (random.int(9)) {
        case 0: return { [name]: pick(SCALARS) };
        case 1: return { [name]: { $eq: pick(SCALARS) } };
        case 2: return { [name]: { $ne: pick(SCALARS) } };
        case 3: return { [name]: { $exists: random.int(2) === 0 } };
        case 4: return { [name]: { $in: [pick(SCALARS), pick(SCALARS)] } };
        case 5: return { [name]: { [pick(RANGE_OPS)]: pick(BOUNDS) } };
        case 6: return { [name]: { [pick(RANGE_OPS)]: pick(BOUNDS), [pick(['$ne', '$lte', '$lt'])]: pick(BOUNDS) } };
        // A list long enough to be looked up rather than walked; equal values in other objects.
        case 7: return { [name]: { $in: Array.from({ length: 9 + random.int(4) }, () => pick(LONG_IN)) } };
        default: return { [random.int(2) ? '$and' : '$or']: [conditionOf(), conditionOf()] };
      }
    };
    let decided = 0;
    for (let i = 0; i < 20_000; i++) {
      const filter = random.int(3) === 0 ? { ...conditionOf(), ...conditionOf() } : conditionOf();
      const doc: Record<string, unknown> = { _id: i };
      for (const name of fields) {
        const value = pick(VALUES);
        if (value !== undefined) doc[name] = value;
      }
      const fast = compileFastFilter(filter);
      expect(fast, JSON.stringify(filter)).not.toBeNull();
      const verdict = fast!(doc);
      if (verdict === undefined) continue;
      decided++;
      expect(verdict, `${JSON.stringify(filter)} on ${JSON.stringify(doc)}`).toBe(new Query(filter).test(doc));
    }
    expect(decided).toBeGreaterThan(10_000);
  });

  it('leaves to mingo what it does not know: dotted paths, other operators, regexes, embedded documents', () => {
    const others: Record<string, unknown>[] = [{ f: { $gt: null } }, { f: { $gte: ids[0] } }, { f: { $lt: [1] } }, { f: { $gt: Number.NaN } }, { f: { $lte: true } }, { f: { $gt: 1, a: 2 } }, { f: { toString: 1 } }];
    for (const filter of [{ 'a.b': 1 }, { f: /x/ }, { f: { a: 1 } }, { $nor: [{ f: 1 }] }, { f: { $in: [/x/] } }, ...others]) {
      expect(compileFastFilter(filter as never), JSON.stringify(filter)).toBeNull();
    }
  });

  it('decides the conditions it knows and leaves only the others to mingo, agreeing with mingo on the whole filter', () => {
    const random = createRandom(7);
    const pick = <T>(list: T[]): T => list[random.int(list.length)]!;
    const known = (): [string, unknown] => pick<[string, unknown]>([['f', pick(SCALARS)], ['g', { $in: [pick(SCALARS), pick(SCALARS)] }], ['h', { $ne: pick(SCALARS) }]]);
    const unknown = (): [string, unknown] => pick<[string, unknown]>([['a.0', { $exists: random.int(2) === 0 }], ['k', { $gt: ids[0] }], ['$nor', [{ g: pick(SCALARS) }]], ['m', /a/]]);
    let split = 0;
    for (let i = 0; i < 5_000; i++) {
      const filter = Object.fromEntries([known(), unknown(), ...(random.int(2) ? [known()] : [])]);
      const doc: Record<string, unknown> = { _id: i, a: pick([[], [1], 'x', undefined]) };
      for (const name of ['f', 'g', 'h', 'k', 'm']) {
        const value = pick(VALUES);
        if (value !== undefined) doc[name] = value;
      }
      const parts = splitFastFilter(filter);
      expect(parts, JSON.stringify(filter)).not.toBeNull();
      const verdict = parts!.fast(doc);
      const combined = verdict === undefined ? new Query(filter).test(doc) : verdict && (!parts!.rest || new Query(parts!.rest).test(doc));
      if (parts!.rest) split++;
      expect(combined, `${JSON.stringify(filter)} on ${JSON.stringify(doc)}`).toBe(new Query(filter).test(doc));
    }
    expect(split).toBeGreaterThan(1_000);
  });

  it('splits nothing off a filter it knows nothing of', () => {
    expect(splitFastFilter({ 'a.b': 1, f: { $gt: true } })).toBeNull();
    expect(splitFastFilter({})?.rest).toBeNull();
  });

  it('compares strings by code point, as MongoDB does (UTF-8 byte order), where JavaScript and mingo do not', () => {
    const emoji = { _id: 1, s: '\u{1F600}' };
    const fullwidth = { _id: 2, s: '\uFF5E' };
    expect(compileFastFilter({ s: { $gt: '\uFF5E' } })!(emoji)).toBe(true);
    expect(compileFastFilter({ s: { $lt: '\u{1F600}' } })!(fullwidth)).toBe(true);
    expect(compileFastFilter({ s: { $gte: 'z', $lt: '\uFF5E' } })!(emoji)).toBe(false);
    expect(new Query({ s: { $gt: '\uFF5E' } }).test(emoji)).toBe(false);
  });
});
