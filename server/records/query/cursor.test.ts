import { describe, expect, it } from 'vitest';
import { BSON, Decimal128, Long, ObjectId } from 'mongodb';
import { cursorFilter, encodeCursor } from './cursor.ts';
import type { SortSpec } from './sort.ts';
import { invalidQueryFrom } from './query-fixtures.test-support.ts';

const id = new ObjectId('65a1b2c3d4e5f60718293a4b');
const byName: SortSpec = [['name', 1], ['_id', 1]];

/** A cursor with an arbitrary payload, as a client tampering with one would build it. */
const forge = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
const payloadOf = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { s: string; k: unknown[] };

describe('cursorFilter', () => {
  it('is null without a cursor', () => {
    expect(cursorFilter(byName, undefined)).toBeNull();
  });

  it('selects records after the position, ascending', () => {
    const cursor = encodeCursor(byName, { _id: id, name: 'b' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursorFilter(byName, cursor)).toEqual({ $or: [{ name: { $gt: 'b' } }, { $and: [{ name: { $eq: 'b' } }, { _id: { $gt: id } }] }] });
  });

  it('lets null values (missing ones too) come first ascending and last descending', () => {
    expect(cursorFilter(byName, encodeCursor(byName, { _id: id }))).toEqual({
      $or: [{ name: { $ne: null } }, { $and: [{ name: { $eq: null } }, { _id: { $gt: id } }] }],
    });
    const desc: SortSpec = [['name', -1], ['_id', -1]];
    expect(cursorFilter(desc, encodeCursor(desc, { _id: id, name: 'b' }))).toEqual({
      $or: [{ $or: [{ name: { $lt: 'b' } }, { name: { $eq: null } }] }, { $and: [{ name: { $eq: 'b' } }, { $or: [{ _id: { $lt: id } }, { _id: { $eq: null } }] }] }],
    });
    // Descending at null: only ties on null with a smaller _id remain.
    expect(cursorFilter(desc, encodeCursor(desc, { _id: id, name: null }))).toEqual({
      $and: [{ name: { $eq: null } }, { $or: [{ _id: { $lt: id } }, { _id: { $eq: null } }] }],
    });
  });

  it('keeps Dates, ObjectIds and exact number types through the round trip, at nested paths', () => {
    const sort: SortSpec = [['createdAt', -1], ['amount.units', 1], ['big', 1], ['dec', 1], ['_id', -1]];
    const doc = { _id: id, createdAt: new Date('2024-05-01T10:00:00.123Z'), amount: { units: 1050 }, big: Long.fromString('9007199254740993'), dec: Decimal128.fromString('1.50') };
    const filter = cursorFilter(sort, encodeCursor(sort, doc)) as { $or: Array<Record<string, unknown>> };
    const values = filter.$or[4].$and as Array<Record<string, { $eq: unknown }>>;
    expect(values[0].createdAt.$eq).toEqual(doc.createdAt);
    expect(values[0].createdAt.$eq).toBeInstanceOf(Date);
    expect(Number(values[1]['amount.units'].$eq)).toBe(1050);
    expect(String(values[2].big.$eq)).toBe('9007199254740993');
    expect(String(values[3].dec.$eq)).toBe('1.50');
    expect((filter.$or[4].$and as unknown[])[4]).toEqual({ $or: [{ _id: { $lt: id } }, { _id: { $eq: null } }] });
  });

  it('refuses to encode a position it cannot express, as a 400 naming the sort', () => {
    let thrown: unknown;
    try {
      encodeCursor(byName, { _id: id, name: ['a', 'b'] });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ status: 400, errors: [{ pointer: '/sort', detail: expect.stringContaining('cannot be sorted') }] });
  });

  const good = encodeCursor(byName, { _id: id, name: 'b' });
  const { s } = payloadOf(good);

  it.each([
    ['not base64url', 'abc+/=', 'is not a cursor'],
    ['not JSON', Buffer.from('{"s":').toString('base64url'), 'is not a cursor'],
    ['not an object', forge(['b']), 'is not a cursor'],
    ['an extra key', forge({ s, k: ['b', { $oid: id.toHexString() }], $where: '1' }), 'is not a cursor'],
    ['a missing key', forge({ s }), 'is not a cursor'],
    ['another sort', encodeCursor([['name', -1], ['_id', -1]], { _id: id, name: 'b' }), 'different sort order'],
    ['too few values', forge({ s, k: ['b'] }), 'is damaged'],
    ['values not a list', forge({ s, k: { 0: 'b', 1: { $oid: id.toHexString() } } }), 'is damaged'],
    ['an operator', forge({ s, k: [{ $gt: '' }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['$where', forge({ s, k: ['b', { $where: '1' }] }), 'is damaged'],
    ['a regex wrapper', forge({ s, k: [{ $regularExpression: { pattern: '.*', options: '' } }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['a nested object', forge({ s, k: [{ a: 1 }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['a wrapper with an extra key', forge({ s, k: ['b', { $oid: id.toHexString(), x: 1 }] }), 'is damaged'],
    ['a bad ObjectId', forge({ s, k: ['b', { $oid: 'zz' }] }), 'is damaged'],
    ['a plain number', forge({ s, k: [5, { $oid: id.toHexString() }] }), 'is damaged'],
    ['an overflowing long', forge({ s, k: [{ $numberLong: '99999999999999999999' }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['an overflowing int', forge({ s, k: [{ $numberInt: '2147483648' }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['an impossible date', forge({ s, k: [{ $date: { $numberLong: '9999999999999999' } }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['a relaxed date', forge({ s, k: [{ $date: '2024-01-01T00:00:00Z' }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['a bad decimal', forge({ s, k: [{ $numberDecimal: 'abc' }, { $oid: id.toHexString() }] }), 'is damaged'],
    ['an _id that is a string', forge({ s, k: ['b', id.toHexString()] }), 'record id is not valid'],
    ['an _id that is null', forge({ s, k: ['b', null] }), 'record id is not valid'],
    ['a huge cursor', 'A'.repeat(40_000), 'is not a cursor'],
  ])('rejects %s', (_name, cursor, detail) => {
    const problem = invalidQueryFrom(() => cursorFilter(byName, cursor));
    expect(problem.errors).toEqual([{ pointer: '/cursor', detail: expect.stringContaining(detail) }]);
  });

  it('accepts the wrapper forms canonical EJSON writes', () => {
    const sort: SortSpec = [['n', 1], ['_id', 1]];
    const fp = payloadOf(encodeCursor(sort, { _id: id, n: 1 })).s;
    for (const n of [{ $numberInt: '-7' }, { $numberDouble: '-0.0' }, { $numberDouble: '1.5e+300' }, { $numberLong: '-9223372036854775808' }, true, null]) {
      const filter = cursorFilter(sort, forge({ s: fp, k: [n, { $oid: id.toHexString() }] }));
      expect(filter).not.toBeNull();
    }
    expect(BSON.EJSON.stringify(cursorFilter(sort, forge({ s: fp, k: [{ $numberInt: '-7' }, { $oid: id.toHexString() }] })))).toContain('-7');
  });
});
