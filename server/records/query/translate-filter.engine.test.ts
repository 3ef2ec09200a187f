/**
 * Translated filters run on a real server through the real driver, so the operators chosen
 * (regex escaping, isSet on arrays, ne on missing values...) are checked for what they select,
 * not only for their shape. Embedded engine, or MONGODB_URI's server when set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../../../test/support/test-engine.ts';
import { translateFilter } from './translate-filter.ts';
import { deal } from './query-fixtures.test-support.ts';

const C1 = new ObjectId('65a1b2c3d4e5f60718293a01');
const C2 = new ObjectId('65a1b2c3d4e5f60718293a02');

/** Records keyed by a readable `k`, stored as the record pipeline stores them. */
const DOCS: Document[] = [
  { k: 'acme', name: 'Acme Corp', status: 'open', tags: ['a', 'b'], contacts: [{ _id: C1 }, { _id: C2, role: 'buyer' }], amount: { units: 1050, currency: 'EUR', scale: 2 } },
  { k: 'dots', name: 'a.*b', status: 'won', tags: [], contacts: [], amount: { units: 100, currency: 'EUR', scale: 2 } },
  { k: 'regex', name: '(a+)+$', status: null, tags: null, contacts: [{ _id: C1 }], address: { city: 'Paris', country: 'FR' } },
  { k: 'aaa', name: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', tags: ['c'], person: { first: 'Ada', display: 'Ada' } },
  { k: 'empty', person: { first: 'Marie', last: 'Curie', display: 'Marie Curie' }, address: { city: 'Lyon' } },
];

/** [case, filter, keys of the records it must select, in insertion order] */
const CASES: Array<[string, unknown, string[]]> = [
  ['contains, case-insensitive', { field: 'name', op: 'contains', value: 'ACME' }, ['acme']],
  ['contains .* literally', { field: 'name', op: 'contains', value: '.*' }, ['dots']],
  ['contains (a+)+$ literally', { field: 'name', op: 'contains', value: '(a+)+$' }, ['regex']],
  ['startsWith', { field: 'name', op: 'startsWith', value: 'a' }, ['acme', 'dots', 'aaa']],
  ['endsWith', { field: 'name', op: 'endsWith', value: '+$' }, ['regex']],
  ['ne also matches null and missing', { field: 'status', op: 'ne', value: 'open' }, ['dots', 'regex', 'aaa', 'empty']],
  ['nin also matches null and missing', { field: 'status', op: 'nin', value: ['open', 'won'] }, ['regex', 'aaa', 'empty']],
  ['isNotSet: null or missing', { field: 'status', op: 'isNotSet' }, ['regex', 'aaa', 'empty']],
  ['multiSelect isSet: at least one value', { field: 'tags', op: 'isSet' }, ['acme', 'aaa']],
  ['multiSelect isNotSet: empty, null or missing', { field: 'tags', op: 'isNotSet' }, ['dots', 'regex', 'empty']],
  ['containsAny', { field: 'tags', op: 'containsAny', value: ['b', 'c'] }, ['acme', 'aaa']],
  ['containsAll', { field: 'tags', op: 'containsAll', value: ['a', 'b'] }, ['acme']],
  ['manyToMany containsAny', { field: 'contacts', op: 'containsAny', value: [C1.toHexString()] }, ['acme', 'regex']],
  ['manyToMany containsAll', { field: 'contacts', op: 'containsAll', value: [C1.toHexString(), C2.toHexString()] }, ['acme']],
  ['manyToMany isNotSet', { field: 'contacts', op: 'isNotSet' }, ['dots', 'aaa', 'empty']],
  ['currency between', { field: 'amount', op: 'between', value: ['1', '10.50'] }, ['acme', 'dots']],
  ['currency gt', { field: 'amount', op: 'gt', value: 1 }, ['acme']],
  ['address part', { field: 'address.city', op: 'in', value: ['Paris', 'Berlin'] }, ['regex']],
  ['address isSet', { field: 'address', op: 'isSet' }, ['regex', 'empty']],
  ['full name without a last name is set', { field: 'person', op: 'isSet' }, ['aaa', 'empty']],
  ['full name display', { field: 'person.display', op: 'contains', value: 'marie c' }, ['empty']],
  ['not', { not: { field: 'tags', op: 'isSet' } }, ['dots', 'regex', 'empty']],
  [
    'and / or',
    { or: [{ and: [{ field: 'status', op: 'isSet' }, { field: 'tags', op: 'isNotSet' }] }, { field: 'person.last', op: 'eq', value: 'Curie' }] },
    ['dots', 'empty'],
  ],
];

describe('translated filters on a real server', () => {
  let engine: TestEngine | undefined;
  let client: MongoClient;
  let collection: Collection;

  beforeAll(async () => {
    if (process.env.MONGODB_URI) client = await new MongoClient(process.env.MONGODB_URI).connect();
    else ({ client } = engine = await startTestEngine());
    collection = client.db(`q_${Date.now()}`).collection('rec_deal');
    await collection.insertMany(DOCS.map((d) => ({ ...d })));
  });

  afterAll(async () => {
    await collection?.drop();
    if (engine) await engine.cleanup();
    else await client?.close();
  });

  it.each(CASES)('%s', async (_name, filter, keys) => {
    const found = await collection.find(translateFilter(deal, filter)).sort({ _id: 1 }).toArray();
    expect(found.map((d) => d.k)).toEqual(keys);
  });
});
