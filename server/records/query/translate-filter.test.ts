import { describe, expect, it } from 'vitest';
import { ObjectId, type Document } from 'mongodb';
import { translateFilter } from './translate-filter.ts';
import { deal } from './query-fixtures.test-support.ts';

const ID = '65a1b2c3d4e5f60718293a4b';
const ID2 = '65a1b2c3d4e5f60718293a4c';
const oid = (hex: string) => new ObjectId(hex);
const cond = (field: string, op: string, value?: unknown) => (value === undefined ? { field, op } : { field, op, value });

type Row = [string, string, unknown, Document];

/** [field, op, value (undefined: none), expected MongoDB filter] for every operator of every field type. */
const ROWS: Row[] = [
  // text
  ['name', 'eq', 'Acme', { name: { $eq: 'Acme' } }],
  ['name', 'ne', 'Acme', { name: { $ne: 'Acme' } }],
  ['name', 'in', ['a', 'b'], { name: { $in: ['a', 'b'] } }],
  ['name', 'nin', ['a'], { name: { $nin: ['a'] } }],
  ['name', 'contains', 'cme', { name: { $regex: 'cme', $options: 'i' } }],
  ['name', 'startsWith', 'Ac', { name: { $regex: '^Ac', $options: 'i' } }],
  ['name', 'endsWith', 'me', { name: { $regex: 'me$', $options: 'i' } }],
  ['name', 'isSet', undefined, { name: { $ne: null } }],
  ['name', 'isNotSet', undefined, { name: { $eq: null } }],
  // email: operands are normalised like stored addresses
  ['email', 'eq', ' Bob@Example.COM ', { email: { $eq: 'bob@example.com' } }],
  ['email', 'in', ['A@x.org'], { email: { $in: ['a@x.org'] } }],
  ['email', 'contains', 'EXAMPLE.', { email: { $regex: 'example\\.', $options: 'i' } }],
  ['email', 'endsWith', '@x.org', { email: { $regex: '@x\\.org$', $options: 'i' } }],
  ['email', 'isNotSet', undefined, { email: { $eq: null } }],
  // integer
  ['seats', 'eq', 3, { seats: { $eq: 3 } }],
  ['seats', 'ne', 3, { seats: { $ne: 3 } }],
  ['seats', 'gt', 3, { seats: { $gt: 3 } }],
  ['seats', 'gte', 3, { seats: { $gte: 3 } }],
  ['seats', 'lt', 3, { seats: { $lt: 3 } }],
  ['seats', 'lte', 3, { seats: { $lte: 3 } }],
  ['seats', 'between', [1, 5], { seats: { $gte: 1, $lte: 5 } }],
  ['seats', 'in', [1, 2], { seats: { $in: [1, 2] } }],
  ['seats', 'nin', [1], { seats: { $nin: [1] } }],
  ['seats', 'isSet', undefined, { seats: { $ne: null } }],
  ['seats', 'isNotSet', undefined, { seats: { $eq: null } }],
  // number
  ['score', 'gt', 2.5, { score: { $gt: 2.5 } }],
  ['score', 'between', [-1.5, 1e3], { score: { $gte: -1.5, $lte: 1000 } }],
  ['score', 'nin', [0.1], { score: { $nin: [0.1] } }],
  // currency (EUR): operands become exact minor units, compared on amount.units
  ['amount', 'eq', '10.50', { 'amount.units': { $eq: 1050 } }],
  ['amount', 'gte', 10, { 'amount.units': { $gte: 1000 } }],
  ['amount', 'lt', '0.01', { 'amount.units': { $lt: 1 } }],
  ['amount', 'between', ['1', '2.5'], { 'amount.units': { $gte: 100, $lte: 250 } }],
  ['amount', 'in', ['1', '2'], { 'amount.units': { $in: [100, 200] } }],
  ['amount', 'isSet', undefined, { amount: { $ne: null } }],
  // date: stored as YYYY-MM-DD text
  ['closeDate', 'eq', '2024-05-01', { closeDate: { $eq: '2024-05-01' } }],
  ['closeDate', 'lt', '2024-05-01', { closeDate: { $lt: '2024-05-01' } }],
  ['closeDate', 'between', ['2024-01-01', '2024-12-31'], { closeDate: { $gte: '2024-01-01', $lte: '2024-12-31' } }],
  ['closeDate', 'isNotSet', undefined, { closeDate: { $eq: null } }],
  // datetime: operands become Dates; a bare date means midnight UTC
  ['closedAt', 'gte', '2024-05-01T09:30:00+02:00', { closedAt: { $gte: new Date('2024-05-01T07:30:00Z') } }],
  ['closedAt', 'eq', '2024-05-01', { closedAt: { $eq: new Date('2024-05-01T00:00:00Z') } }],
  ['closedAt', 'between', ['2024-01-01', '2024-02-01T00:00:00Z'], { closedAt: { $gte: new Date('2024-01-01T00:00:00Z'), $lte: new Date('2024-02-01T00:00:00Z') } }],
  // boolean
  ['won', 'eq', true, { won: { $eq: true } }],
  ['won', 'ne', false, { won: { $ne: false } }],
  ['won', 'isSet', undefined, { won: { $ne: null } }],
  // select: retired options stay findable
  ['status', 'eq', 'open', { status: { $eq: 'open' } }],
  ['status', 'ne', 'open', { status: { $ne: 'open' } }],
  ['status', 'in', ['open', 'stale'], { status: { $in: ['open', 'stale'] } }],
  ['status', 'nin', ['won'], { status: { $nin: ['won'] } }],
  ['status', 'isNotSet', undefined, { status: { $eq: null } }],
  // multiSelect: set operators; set means at least one element
  ['tags', 'containsAny', ['a', 'b'], { tags: { $in: ['a', 'b'] } }],
  ['tags', 'containsAll', ['a', 'c'], { tags: { $all: ['a', 'c'] } }],
  ['tags', 'isSet', undefined, { 'tags.0': { $exists: true } }],
  ['tags', 'isNotSet', undefined, { 'tags.0': { $exists: false } }],
  // relation: ids become ObjectIds
  ['account', 'eq', ID, { account: { $eq: oid(ID) } }],
  ['account', 'ne', ID, { account: { $ne: oid(ID) } }],
  ['account', 'in', [ID, ID2], { account: { $in: [oid(ID), oid(ID2)] } }],
  ['account', 'nin', [ID], { account: { $nin: [oid(ID)] } }],
  ['account', 'isSet', undefined, { account: { $ne: null } }],
  // manyToMany: compared on the links' _id
  ['contacts', 'containsAny', [ID], { 'contacts._id': { $in: [oid(ID)] } }],
  ['contacts', 'containsAll', [ID, ID2], { 'contacts._id': { $all: [oid(ID), oid(ID2)] } }],
  ['contacts', 'isSet', undefined, { 'contacts.0': { $exists: true } }],
  ['contacts', 'isNotSet', undefined, { 'contacts.0': { $exists: false } }],
  // composite: the whole value for presence, parts with text operators
  ['address', 'isSet', undefined, { address: { $ne: null } }],
  ['address.city', 'eq', 'Paris', { 'address.city': { $eq: 'Paris' } }],
  ['address.postalCode', 'startsWith', '75', { 'address.postalCode': { $regex: '^75', $options: 'i' } }],
  ['address.street2', 'isNotSet', undefined, { 'address.street2': { $eq: null } }],
  ['address.country', 'in', ['FR', 'BE'], { 'address.country': { $in: ['FR', 'BE'] } }],
  ['person', 'isSet', undefined, { person: { $ne: null } }],
  ['person.last', 'eq', 'Curie', { 'person.last': { $eq: 'Curie' } }],
  ['person.display', 'contains', 'marie c', { 'person.display': { $regex: 'marie c', $options: 'i' } }],
  // autonumber
  ['ref', 'eq', 'D-00001', { ref: { $eq: 'D-00001' } }],
  ['ref', 'startsWith', 'D-000', { ref: { $regex: '^D-000', $options: 'i' } }],
  // formula with a number result behaves as a number
  ['weighted', 'gt', 5, { weighted: { $gt: 5 } }],
  ['weighted', 'between', [1, 2], { weighted: { $gte: 1, $lte: 2 } }],
  ['weighted', 'isNotSet', undefined, { weighted: { $eq: null } }],
  // file and json: presence only
  ['doc', 'isSet', undefined, { doc: { $ne: null } }],
  ['data', 'isNotSet', undefined, { data: { $eq: null } }],
  // system fields
  ['_id', 'eq', ID, { _id: { $eq: oid(ID) } }],
  ['_id', 'in', [ID, ID2], { _id: { $in: [oid(ID), oid(ID2)] } }],
  ['createdAt', 'gte', '2024-01-01', { createdAt: { $gte: new Date('2024-01-01T00:00:00Z') } }],
  ['updatedAt', 'between', ['2024-01-01', '2024-01-31'], { updatedAt: { $gte: new Date('2024-01-01T00:00:00Z'), $lte: new Date('2024-01-31T00:00:00Z') } }],
  ['createdBy', 'eq', 'user-1', { createdBy: { $eq: 'user-1' } }],
  ['updatedBy', 'ne', 'user-1', { updatedBy: { $ne: 'user-1' } }],
  ['ownerId', 'in', ['u1', 'u2'], { ownerId: { $in: ['u1', 'u2'] } }],
];

describe('translateFilter: operators by field type', () => {
  it.each(ROWS)('%s %s %j', (field, op, value, expected) => {
    expect(translateFilter(deal, cond(field, op, value))).toEqual(expected);
  });

  it('writes only the MongoDB operators it owns, for every row', () => {
    const allowed = new Set(['$and', '$or', '$nor', '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all', '$exists', '$regex', '$options']);
    const seen = new Set<string>();
    const collect = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(collect);
      else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
        for (const [k, child] of Object.entries(v)) {
          if (k.startsWith('$')) seen.add(k);
          collect(child);
        }
      }
    };
    for (const [field, op, value] of ROWS) collect(translateFilter(deal, { not: { and: [cond(field, op, value)] } }));
    expect([...seen].filter((k) => !allowed.has(k))).toEqual([]);
  });
});

describe('translateFilter: and, or, not', () => {
  it('nests combinators as $and, $or and $nor', () => {
    const filter = {
      and: [
        { field: 'status', op: 'eq', value: 'open' },
        { or: [{ field: 'seats', op: 'gt', value: 10 }, { not: { field: 'won', op: 'eq', value: true } }] },
      ],
    };
    expect(translateFilter(deal, filter)).toEqual({
      $and: [{ status: { $eq: 'open' } }, { $or: [{ seats: { $gt: 10 } }, { $nor: [{ won: { $eq: true } }] }] }],
    });
  });

  it('accepts eight levels of nesting and 100 conditions', () => {
    let node: unknown = cond('name', 'isSet');
    for (let i = 0; i < 7; i += 1) node = { not: node };
    expect(() => translateFilter(deal, node)).not.toThrow();
    const hundred = { or: Array.from({ length: 100 }, (_, i) => cond('seats', 'eq', i)) };
    expect((translateFilter(deal, hundred) as { $or: unknown[] }).$or).toHaveLength(100);
  });
});

describe('translateFilter: text operands are literal', () => {
  it.each([
    ['.*', '\\.\\*'],
    ['(a+)+$', '\\(a\\+\\)\\+\\$'],
    ['[x]{2}|^\\d?', '\\[x\\]\\{2\\}\\|\\^\\\\d\\?'],
  ])('contains %j matches only that text', (operand, pattern) => {
    const out = translateFilter(deal, cond('name', 'contains', operand)) as { name: { $regex: string } };
    expect(out.name.$regex).toBe(pattern);
    const regex = new RegExp(out.name.$regex, 'i');
    expect(regex.test(`before ${operand} after`)).toBe(true);
    expect(regex.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaa!')).toBe(false);
  });
});
