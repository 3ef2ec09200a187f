import { describe, expect, it } from 'vitest';
import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { matchDocuments, matchResult } from './match-result.ts';
import { exactMismatch } from './bson-compare.ts';

type Row = { name: string; expected: unknown; actual: unknown; matches: boolean };

const oid = new ObjectId('5f1f7c5e2a3b4c5d6e7f8091');

const rows: Row[] = [
  // Flexible numeric comparisons
  { name: 'int equals double of same value', expected: 1, actual: new Double(1), matches: true },
  { name: 'int equals long of same value', expected: 1, actual: Long.fromNumber(1), matches: true },
  { name: 'int32 wrapper equals number', expected: new Int32(5), actual: 5, matches: true },
  { name: 'int does not equal 1.5', expected: 1, actual: 1.5, matches: false },
  { name: 'number does not equal numeric string', expected: 1, actual: '1', matches: false },
  { name: 'decimal is not flexible-numeric', expected: 1, actual: Decimal128.fromString('1'), matches: false },
  { name: 'decimal equals same decimal', expected: Decimal128.fromString('1.10'), actual: Decimal128.fromString('1.10'), matches: true },
  { name: 'null equals null', expected: null, actual: null, matches: true },
  { name: 'null does not equal missing', expected: { a: null }, actual: {}, matches: false },
  { name: 'boolean is not number', expected: true, actual: 1, matches: false },
  { name: 'objectId equals same objectId', expected: oid, actual: new ObjectId(oid.toHexString()), matches: true },
  // Root-level documents
  { name: 'root document allows extra fields', expected: { x: 1 }, actual: { x: 1, y: 1 }, matches: true },
  { name: 'root document requires expected fields', expected: { x: 1, y: 1 }, actual: { x: 1 }, matches: false },
  { name: 'nested document forbids extra fields', expected: { x: { y: 1 } }, actual: { x: { y: 1, z: 1 } }, matches: false },
  { name: 'key order does not matter', expected: { x: 1, y: 2 }, actual: { y: 2, x: 1 }, matches: true },
  { name: 'arrays need the same length', expected: [1, 2, 3], actual: [1, 2, 3, 4], matches: false },
  { name: 'arrays compare by position', expected: [1, 2], actual: [2, 1], matches: false },
  { name: 'documents inside a value array are not root', expected: [{ x: 1 }], actual: [{ x: 1, y: 1 }], matches: false },
  { name: 'scalar expected, document actual', expected: 3, actual: { n: 3 }, matches: false },
  { name: 'Map actual matches like a document', expected: { 0: { insertedId: 1 } }, actual: new Map([[0, { insertedId: 1 }]]), matches: true },
  // $$exists
  { name: '$$exists true with value', expected: { a: { $$exists: true } }, actual: { a: 0 }, matches: true },
  { name: '$$exists true with null value', expected: { a: { $$exists: true } }, actual: { a: null }, matches: true },
  { name: '$$exists true without field', expected: { a: { $$exists: true } }, actual: {}, matches: false },
  { name: '$$exists false without field', expected: { a: { $$exists: false } }, actual: { b: 1 }, matches: true },
  { name: '$$exists false with field', expected: { a: { $$exists: false } }, actual: { a: 1 }, matches: false },
  { name: '$$exists false in nested doc', expected: { c: { a: { $$exists: false }, b: 1 } }, actual: { c: { b: 1 } }, matches: true },
  // $$unsetOrMatches
  { name: '$$unsetOrMatches with missing field', expected: { id: { $$unsetOrMatches: 2 } }, actual: {}, matches: true },
  { name: '$$unsetOrMatches with matching field', expected: { id: { $$unsetOrMatches: 2 } }, actual: { id: 2 }, matches: true },
  { name: '$$unsetOrMatches with other value', expected: { id: { $$unsetOrMatches: 2 } }, actual: { id: 3 }, matches: false },
  { name: '$$unsetOrMatches for a void result', expected: { $$unsetOrMatches: { insertedId: 1 } }, actual: undefined, matches: true },
  {
    name: '$$unsetOrMatches keeps root-level extra fields allowed',
    expected: { $$unsetOrMatches: { insertedId: { $$unsetOrMatches: 1 } } },
    actual: { acknowledged: true, insertedId: 1 },
    matches: true,
  },
  {
    name: '$$unsetOrMatches nested document forbids extra fields',
    expected: { ids: { $$unsetOrMatches: { 0: 2 } } },
    actual: { ids: { 0: 2, 1: 3 } },
    matches: false,
  },
  { name: '$$unsetOrMatches empty doc vs populated', expected: { ids: { $$unsetOrMatches: {} } }, actual: { ids: { 0: 1 } }, matches: false },
  // $$type
  { name: '$$type double on fractional number', expected: { r: { $$type: 'double' } }, actual: { r: 0.25 }, matches: true },
  { name: '$$type int on fractional number', expected: { r: { $$type: 'int' } }, actual: { r: 0.25 }, matches: false },
  { name: '$$type list', expected: { n: { $$type: ['int', 'long'] } }, actual: { n: Long.fromNumber(7) }, matches: true },
  { name: '$$type string on number', expected: { s: { $$type: 'string' } }, actual: { s: 1 }, matches: false },
  { name: '$$type requires the field', expected: { s: { $$type: 'string' } }, actual: {}, matches: false },
  { name: '$$type objectId', expected: { _id: { $$type: 'objectId' } }, actual: { _id: oid }, matches: true },
  { name: '$$type object', expected: { o: { $$type: 'object' } }, actual: { o: { a: 1 } }, matches: true },
  { name: '$$type array is not object', expected: { o: { $$type: 'object' } }, actual: { o: [1] }, matches: false },
  { name: '$$type null', expected: { o: { $$type: 'null' } }, actual: { o: null }, matches: true },
  // $$lte
  { name: '$$lte equal', expected: { n: { $$lte: 5 } }, actual: { n: 5 }, matches: true },
  { name: '$$lte greater', expected: { n: { $$lte: 5 } }, actual: { n: 5.5 }, matches: false },
  // $$matchAsRoot / $$matchAsDocument
  { name: '$$matchAsRoot allows extra fields', expected: { d: { $$matchAsRoot: { a: 1 } } }, actual: { d: { a: 1, b: 2 } }, matches: true },
  { name: '$$matchAsDocument parses EJSON', expected: { s: { $$matchAsDocument: { a: 1 } } }, actual: { s: '{"a":{"$numberInt":"1"}}' }, matches: true },
  { name: '$$matchesHexBytes', expected: { $$matchesHexBytes: '12ab' }, actual: Buffer.from([0x12, 0xab]), matches: true },
];

describe('matchResult', () => {
  it.each(rows)('$name', ({ expected, actual, matches }) => {
    const failure = matchResult(expected, actual);
    if (matches) expect(failure).toBeUndefined();
    else expect(failure).toEqual(expect.any(String));
  });

  it('says where a mismatch is', () => {
    expect(matchResult({ a: { b: [1, 2] } }, { a: { b: [1, 3] } })).toBe('at $.a.b[1]: expected 2, got 3');
  });

  it('resolves $$matchesEntity through the entity map', () => {
    const lookupEntity = (name: string) => (name === 'id0' ? oid : undefined);
    expect(matchResult({ _id: { $$matchesEntity: 'id0' } }, { _id: oid }, { lookupEntity })).toBeUndefined();
    expect(matchResult({ _id: { $$matchesEntity: 'id0' } }, { _id: new ObjectId() }, { lookupEntity })).toMatch(/at \$\._id/);
  });

  it('reports an unknown special operator', () => {
    expect(matchResult({ a: { $$bogus: 1 } }, { a: 1 })).toMatch(/unsupported special operator \$\$bogus/);
  });
});

describe('matchDocuments (cursor results)', () => {
  it('treats each element as a root-level document', () => {
    expect(matchDocuments([{ x: 1 }, { x: 2 }], [{ x: 1, y: 1 }, { x: 2, y: 2 }])).toBeUndefined();
  });

  it('requires the same number of documents', () => {
    expect(matchDocuments([{ x: 1 }], [{ x: 1 }, { x: 2 }])).toMatch(/expected 1 documents, got 2/);
  });

  it('still forbids extra fields in nested documents', () => {
    expect(matchDocuments([{ x: { a: 1 } }], [{ x: { a: 1, b: 2 } }])).toMatch(/unexpected field\(s\) b/);
  });
});

describe('exactMismatch (outcome)', () => {
  it.each([
    { name: 'same docs, other key order', expected: [{ _id: 1, x: 1 }], actual: [{ x: 1, _id: 1 }], same: true },
    { name: 'extra root field', expected: [{ _id: 1 }], actual: [{ _id: 1, x: 1 }], same: false },
    { name: 'missing field', expected: [{ _id: 1, x: 1 }], actual: [{ _id: 1 }], same: false },
    { name: 'extra document', expected: [{ _id: 1 }], actual: [{ _id: 1 }, { _id: 2 }], same: false },
    { name: 'empty collection', expected: [], actual: [], same: true },
    { name: 'numbers by value', expected: [{ _id: 1, x: 2 }], actual: [{ _id: 1, x: new Double(2) }], same: true },
    { name: '$$ keys are literal', expected: [{ _id: 1, x: { $$exists: true } }], actual: [{ _id: 1, x: 1 }], same: false },
  ])('$name', ({ expected, actual, same }) => {
    const failure = exactMismatch(expected, actual);
    if (same) expect(failure).toBeUndefined();
    else expect(failure).toEqual(expect.any(String));
  });
});
