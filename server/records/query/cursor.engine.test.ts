/**
 * Keyset pagination against a real server through the real driver: paging with cursors must
 * return exactly what one unpaginated sorted find returns, with nulls, missing values and ties
 * in the sort keys. Runs on the embedded engine, or on MONGODB_URI's server when set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, ObjectId, type Collection, type Document, type Filter } from 'mongodb';
import { startTestEngine, type TestEngine } from '../../../test/support/test-engine.ts';
import { cursorFilter, encodeCursor } from './cursor.ts';
import { parseSort, type SortSpec } from './sort.ts';
import { translateFilter } from './translate-filter.ts';
import { deal } from './query-fixtures.test-support.ts';

const PAGE = 7;
const MISSING = Symbol('missing');

/** Small pools cycled with different strides, so values repeat and combine unevenly. */
const NAMES = ['beta', 'alpha', null, 'Beta', MISSING, '', 'alpha', 'gamma 2', 'gamma 10'];
const SCORES = [2.5, 1, MISSING, -3, 2.5, null, 0, 10, 1, 1e-9, -0.5];
const UNITS = [100, MISSING, 250, null, 100, -50];
const WON = [true, false, MISSING, null];
const DAY = Date.UTC(2024, 0, 1);

function pick<T>(pool: readonly T[], i: number, stride: number): T {
  return pool[(i * stride + Math.floor(i / pool.length)) % pool.length];
}

function makeDocs(count: number): Document[] {
  return Array.from({ length: count }, (_, i) => {
    const doc: Document = { _id: new ObjectId(), createdAt: new Date(DAY + (i % 4) * 3_600_000) };
    const set = (key: string, value: unknown) => value !== MISSING && (doc[key] = value);
    set('name', pick(NAMES, i, 5));
    set('score', pick(SCORES, i, 7));
    set('won', pick(WON, i, 3));
    const units = pick(UNITS, i, 1);
    // amount itself missing, null, without units, or with units null: all sort as null on amount.units.
    if (i % 10 === 3) doc.amount = null;
    else if (i % 10 === 7) doc.amount = { currency: 'EUR' };
    else if (units !== MISSING) doc.amount = { units, currency: 'EUR', scale: 2 };
    return doc;
  });
}

/** MongoDB's sort order for the types used here: null/missing < numbers < strings < booleans < dates. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v == null ? 0 : typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : typeof v === 'boolean' ? 3 : v instanceof Date ? 4 : 5);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b as string));
  if (a instanceof ObjectId) return Buffer.compare(a.id, (b as ObjectId).id);
  const [x, y] = [Number(a), Number(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function valueAt(doc: Document, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Document)[key] : undefined), doc);
}

function expectedOrder(docs: Document[], sort: SortSpec): string[] {
  const ordered = [...docs].sort((a, b) => {
    for (const [path, direction] of sort) {
      const c = path === '_id' ? compareValues(a._id, b._id) : compareValues(valueAt(a, path), valueAt(b, path));
      if (c !== 0) return c * direction;
    }
    return 0;
  });
  return ordered.map((d) => d._id.toHexString());
}

async function pageThrough(collection: Collection, filter: Filter<Document>, sort: SortSpec): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 30; page += 1) {
    const after = cursorFilter(sort, cursor);
    const docs = await collection.find(after ? { $and: [filter, after] } : filter).sort(sort).limit(PAGE).toArray();
    ids.push(...docs.map((d) => (d._id as ObjectId).toHexString()));
    if (docs.length < PAGE) return ids;
    cursor = encodeCursor(sort, docs[docs.length - 1]);
  }
  throw new Error('paging did not end');
}

const KEYS = ['name', 'score', 'createdAt', 'amount', 'won'];
const SORTS = [
  ...KEYS.flatMap((k) => [k, `-${k}`]),
  ...KEYS.flatMap((a) => KEYS.filter((b) => b !== a).flatMap((b) => [`${a},${b}`, `-${a},${b}`, `${a},-${b}`, `-${a},-${b}`])),
];
const FILTERS: Array<[string, Filter<Document>, (d: Document) => boolean]> = [
  ['no filter', {}, () => true],
  [
    'won ne true or score >= 1',
    translateFilter(deal, { or: [{ field: 'won', op: 'ne', value: true }, { field: 'score', op: 'gte', value: 1 }] }),
    (d) => d.won !== true || (typeof d.score === 'number' && d.score >= 1),
  ],
];

describe('keyset pagination on a real server', () => {
  let engine: TestEngine | undefined;
  let client: MongoClient;
  let collection: Collection;
  const docs = makeDocs(50);

  beforeAll(async () => {
    if (process.env.MONGODB_URI) client = await new MongoClient(process.env.MONGODB_URI).connect();
    else ({ client } = engine = await startTestEngine());
    collection = client.db(`q_${Date.now()}`).collection('rec_x');
    await collection.insertMany(docs.map((d) => ({ ...d })));
  });

  afterAll(async () => {
    await collection?.drop();
    if (engine) await engine.cleanup();
    else await client?.close();
  });

  it('covers 1- and 2-key sorts in both directions', () => {
    expect(SORTS).toHaveLength(90);
  });

  /**
   * MongoDB compares strings by their UTF-8 bytes, so U+FF5E (EF BD 9E) sorts before U+1F600
   * (F0 9F 98 80), where JavaScript's UTF-16 comparison puts the emoji's surrogate 0xD83D first.
   */
  it('orders strings by UTF-8 bytes, as MongoDB does', async () => {
    const strings = client.db(collection.dbName).collection('rec_strings');
    await strings.insertMany([{ _id: 1, s: '\u{1F600}' }, { _id: 2, s: '\uFF5E' }, { _id: 3, s: 'z' }] as Document[]);
    expect((await strings.find().sort({ s: 1 }).toArray()).map((d) => d._id)).toEqual([3, 2, 1]);
    expect((await strings.find({ s: { $gt: '\uFF5E' } }).toArray()).map((d) => d._id)).toEqual([1]);
  });

  it('compares strings by UTF-8 bytes in the filters the fast path leaves to mingo: dotted paths, arrays, $match', async () => {
    const strings = client.db(collection.dbName).collection('rec_strings_nested');
    await strings.insertMany([{ _id: 1, a: { s: '\u{1F600}' } }, { _id: 2, a: { s: '\uFF5E' } }, { _id: 3, s: ['\u{1F600}'] }, { _id: 4, s: ['\uFF5E', 'a'] }] as Document[]);
    const ids = (docs: Document[]): unknown[] => docs.map((d) => d._id);
    expect(ids(await strings.find({ 'a.s': { $gt: '\uFF5E' } }).toArray())).toEqual([1]);
    expect(ids(await strings.find({ 'a.s': { $lte: '\uFF5E' } }).toArray())).toEqual([2]);
    expect(ids(await strings.find({ s: { $gt: '\uFF5E' } }).sort({ _id: 1 }).toArray())).toEqual([3]);
    expect(ids(await strings.find({ s: { $lt: '\u{1F600}' } }).sort({ _id: 1 }).toArray())).toEqual([4]);
    expect(ids(await strings.aggregate([{ $match: { 'a.s': { $gte: '\u{1F600}' } } }]).toArray())).toEqual([1]);
  });

  describe.each(FILTERS)('%s', (_name, filter, keep) => {
    it.each(SORTS)('sort=%s: pages concatenate to the sorted find', async (sortParam) => {
      const sort = parseSort(deal, sortParam);
      const all = (await collection.find(filter).sort(sort).toArray()).map((d) => (d._id as ObjectId).toHexString());
      expect(all).toEqual(expectedOrder(docs.filter(keep), sort));
      const paged = await pageThrough(collection, filter, sort);
      expect(new Set(paged).size).toBe(paged.length);
      expect(paged).toEqual(all);
    });
  });
});
