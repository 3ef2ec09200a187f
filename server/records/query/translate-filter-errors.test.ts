import { describe, expect, it } from 'vitest';
import { translateFilter } from './translate-filter.ts';
import { deal, invalidQueryFrom } from './query-fixtures.test-support.ts';

const ok = { field: 'name', op: 'eq', value: 'x' };

function errorsOf(filter: unknown, pointerBase?: string) {
  return invalidQueryFrom(() => translateFilter(deal, filter, pointerBase)).errors ?? [];
}

function nested(levels: number): unknown {
  let node: unknown = ok;
  for (let i = 1; i < levels; i += 1) node = { not: node };
  return node;
}

/** [case, filter, pointer, detail fragment] */
const SHAPE_ERRORS: Array<[string, unknown, string, string]> = [
  ['a string', 'name = x', '/filter', 'must be {"and"'],
  ['null', null, '/filter', 'must be {"and"'],
  ['an array', [ok], '/filter', 'must be {"and"'],
  ['an empty object', {}, '/filter', 'must be {"and"'],
  ['an empty and', { and: [] }, '/filter/and', 'non-empty list'],
  ['an or that is not a list', { or: ok }, '/filter/or', 'non-empty list'],
  ['not holding a list', { not: [ok] }, '/filter/not', 'must be {"and"'],
  ['and beside or', { and: [ok], or: [ok] }, '/filter/or', 'exactly one of and, or, not'],
  ['a condition beside and', { and: [ok], field: 'name' }, '/filter/and', 'not a condition key'],
  ['an unknown condition key', { ...ok, values: ['x'] }, '/filter/values', 'not a condition key'],
  ['an escaped pointer token', { ...ok, 'a/b~c': 1 }, '/filter/a~1b~0c', 'not a condition key'],
  ['a missing field', { op: 'eq', value: 'x' }, '/filter/field', 'is required'],
  ['a field that is not a string', { field: 3, op: 'eq', value: 'x' }, '/filter/field', 'must be a string'],
  ['an unknown field', { field: 'nope', op: 'eq', value: 'x' }, '/filter/field', 'unknown field "nope"'],
  ['an unknown subfield', { field: 'address.planet', op: 'eq', value: 'x' }, '/filter/field', 'unknown field "address.planet"'],
  ['a subfield of a plain field', { field: 'amount.units', op: 'eq', value: 1 }, '/filter/field', 'unknown field "amount.units"'],
  ['a rollup', { field: 'total', op: 'gt', value: 1 }, '/filter/field', 'total (rollup) cannot be filtered'],
  ['a missing op', { field: 'name', value: 'x' }, '/filter/op', 'is required'],
  ['an unknown op', { field: 'name', op: 'like', value: 'x' }, '/filter/op', '"like" is not an operator; operators are eq, ne'],
  ['an op that is not a string', { field: 'name', op: ['eq'], value: 'x' }, '/filter/op', 'is not an operator'],
  ['an op the type lacks', { field: 'seats', op: 'contains', value: '1' }, '/filter/op', 'use one of eq, ne, gt, gte, lt, lte, between, in, nin, isSet, isNotSet'],
  ['ordering on a user id', { field: 'ownerId', op: 'gt', value: 'u' }, '/filter/op', 'ownerId (user id); use one of eq, ne, in, nin, isSet, isNotSet'],
  ['eq on a multiSelect', { field: 'tags', op: 'eq', value: 'a' }, '/filter/op', 'use one of containsAny, containsAll, isSet, isNotSet'],
  ['a missing value', { field: 'name', op: 'eq' }, '/filter/value', 'is required for eq'],
  ['a null value', { field: 'name', op: 'eq', value: null }, '/filter/value', 'use isNotSet'],
  ['a value for isSet', { field: 'name', op: 'isSet', value: true }, '/filter/value', 'takes no value'],
  ['a non-list for in', { field: 'name', op: 'in', value: 'a' }, '/filter/value', 'list of 1 to 500 values'],
  ['an empty list for nin', { field: 'name', op: 'nin', value: [] }, '/filter/value', 'list of 1 to 500 values'],
  ['501 values', { field: 'seats', op: 'in', value: Array.from({ length: 501 }, (_, i) => i) }, '/filter/value', 'list of 1 to 500 values'],
  ['between with three values', { field: 'seats', op: 'between', value: [1, 2, 3] }, '/filter/value', '[low, high]'],
  ['between with one value', { field: 'seats', op: 'between', value: 1 }, '/filter/value', '[low, high]'],
  ['a bad list element', { field: 'name', op: 'in', value: ['a', 5, 'b'] }, '/filter/value/1', 'must be a string'],
  ['a bad between bound', { field: 'closeDate', op: 'between', value: ['2024-01-01', '2024-02-30'] }, '/filter/value/1', 'YYYY-MM-DD'],
  ['a fractional integer', { field: 'seats', op: 'eq', value: 2.5 }, '/filter/value', 'must be an integer'],
  ['a number as text', { field: 'score', op: 'gt', value: '3' }, '/filter/value', 'must be a number'],
  ['sub-cent euros', { field: 'amount', op: 'eq', value: '1.005' }, '/filter/value', 'at most 2 decimal places'],
  ['a bad datetime', { field: 'createdAt', op: 'gt', value: 'yesterday' }, '/filter/value', 'must be a date-time'],
  ['a bool as text', { field: 'won', op: 'eq', value: 'true' }, '/filter/value', 'true or false'],
  ['an unknown option', { field: 'status', op: 'eq', value: 'closed' }, '/filter/value', 'not an option'],
  ['a bad relation id', { field: 'account', op: 'eq', value: 'abc' }, '/filter/value', 'record id'],
  ['a bad link id', { field: 'contacts', op: 'containsAny', value: ['65a1b2c3d4e5f60718293a4b', 'x'] }, '/filter/value/1', 'record id'],
  ['a bad _id', { field: '_id', op: 'eq', value: 12 }, '/filter/value', 'record id'],
  ['a number for contains', { field: 'name', op: 'contains', value: 5 }, '/filter/value', 'must be a string'],
  ['an object for a text value', { field: 'name', op: 'eq', value: { gt: '' } }, '/filter/value', 'must be a string'],
  ['a list for a text value', { field: 'name', op: 'eq', value: ['a'] }, '/filter/value', 'must be a string'],
  ['too deep', nested(9), '/filter/not/not/not/not/not/not/not/not', 'more than 8 levels'],
  ['a deep operand error', { and: [ok, { or: [ok, { field: 'seats', op: 'eq', value: 'x' }] }] }, '/filter/and/1/or/1/value', 'must be an integer'],
  ['a deep op error', { and: [ok, { field: 'name', op: 'gt', value: 'a' }] }, '/filter/and/1/op', 'not available for name (text)'],
];

describe('translateFilter: invalid filters', () => {
  it.each(SHAPE_ERRORS)('rejects %s', (_name, filter, pointer, detail) => {
    const problem = invalidQueryFrom(() => translateFilter(deal, filter));
    expect(problem.status).toBe(400);
    expect(problem.errors).toContainEqual({ pointer, detail: expect.stringContaining(detail) });
    expect(problem.detail).toMatch(/^The filter is not valid: \//);
  });

  it('rejects more than 100 conditions, pointing at the 101st', () => {
    const filter = { and: [{ or: Array.from({ length: 60 }, () => ok) }, { or: Array.from({ length: 60 }, () => ok) }] };
    expect(errorsOf(filter)).toEqual([{ pointer: '/filter/and/1/or/40', detail: 'the filter has more than 100 conditions' }]);
  });

  it('collects every error, not only the first', () => {
    const filter = { or: [{ field: 'nope', op: 'eq', value: 1 }, ok, { field: 'seats', op: 'contains', value: 1 }, { field: 'won', op: 'eq', value: 1 }] };
    expect(errorsOf(filter).map((e) => e.pointer)).toEqual(['/filter/or/0/field', '/filter/or/2/op', '/filter/or/3/value']);
    expect(invalidQueryFrom(() => translateFilter(deal, filter)).detail).toContain('(and 2 more problems)');
  });

  it('reports an unknown op even when the field is unknown too', () => {
    expect(errorsOf({ field: 'nope', op: 'like' }).map((e) => e.pointer)).toEqual(['/filter/field', '/filter/op']);
  });

  it('stops after 50 errors', () => {
    expect(errorsOf({ and: Array.from({ length: 90 }, () => 'bad') })).toHaveLength(50);
  });

  it('places pointers under the given base', () => {
    expect(errorsOf({ field: 'nope', op: 'eq', value: 1 }, '/fields/3/filter')[0].pointer).toBe('/fields/3/filter/field');
  });
});

/** [case, filter, pointer, detail fragment]: MongoDB syntax and prototype keys, anywhere in the input. */
const HOSTILE: Array<[string, unknown, string, string]> = [
  ['$where at the top', { $where: '1' }, '/filter/$where', 'MongoDB operators are not accepted'],
  ['$expr in an and', { and: [{ $expr: {} }] }, '/filter/and/0/$expr', 'MongoDB operators are not accepted'],
  ['$function beside a condition', { ...ok, $function: { body: 'return true' } }, '/filter/$function', 'MongoDB operators are not accepted'],
  ['an operator object as a value', { field: 'name', op: 'eq', value: { $gt: '' } }, '/filter/value/$gt', 'MongoDB operators are not accepted'],
  ['an operator object in a list', { field: 'name', op: 'in', value: ['a', { $ne: null }] }, '/filter/value/1/$ne', 'MongoDB operators are not accepted'],
  ['a raw MongoDB filter', { name: { $regex: '.*' } }, '/filter/name/$regex', 'MongoDB operators are not accepted'],
  ['__proto__ as a key', JSON.parse('{"__proto__": {"polluted": true}, "field": "name", "op": "isSet"}'), '/filter/__proto__', 'not allowed'],
  ['constructor as a key', { and: [ok], constructor: { prototype: {} } }, '/filter/constructor', 'not allowed'],
  ['__proto__ as a field', { field: '__proto__', op: 'eq', value: 'x' }, '/filter/field', '"__proto__" is not allowed'],
  ['constructor as a field', { field: 'constructor', op: 'isSet' }, '/filter/field', '"constructor" is not allowed'],
  ['a prototype path as a field', { field: 'address.__proto__', op: 'isSet' }, '/filter/field', 'not allowed'],
  ['a $ field', { field: '$where', op: 'eq', value: 'x' }, '/filter/field', 'MongoDB operators are not accepted'],
  ['a $ subfield', { field: 'address.$city', op: 'eq', value: 'x' }, '/filter/field', 'not allowed'],
  ['a $ operator as op', { field: 'name', op: '$regex', value: '.*' }, '/filter/op', 'is not an operator'],
];

describe('translateFilter: hostile input', () => {
  it.each(HOSTILE)('rejects %s', (_name, filter, pointer, detail) => {
    expect(errorsOf(filter)).toContainEqual({ pointer, detail: expect.stringContaining(detail) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects absurdly nested operands without overflowing the stack', () => {
    let value: unknown = 'x';
    for (let i = 0; i < 100_000; i += 1) value = [value];
    expect(errorsOf({ field: 'name', op: 'in', value })[0].detail).toContain('nests more than 40 levels');
  });

  it('does not accept class instances as nodes', () => {
    expect(errorsOf(new Date())[0]).toEqual({ pointer: '/filter', detail: expect.stringContaining('must be {"and"') });
  });
});
