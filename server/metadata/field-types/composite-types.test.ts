import { describe, expect, it } from 'vitest';
import { checkValue, details, storedValue } from './check-value.test-support.ts';
import { addressType, fullNameType, jsonType } from './composite-types.ts';
import type { Field } from '../entity.types.ts';

const address: Field = { name: 'billing', type: 'address' };
const name: Field = { name: 'name', type: 'fullName' };
const json: Field = { name: 'extra', type: 'json' };

describe('address', () => {
  it.each([
    [{ street: '10 Downing St', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' }, { street: '10 Downing St', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' }],
    [{ city: ' Paris ', street2: '', region: '  ', country: 'FR' }, { city: 'Paris', country: 'FR' }],
    [{ country: 'AQ' }, { country: 'AQ' }],
    [{ country: 'XK' }, { country: 'XK' }],
    [{ street: '' }, null],
    [{}, null],
  ])('stores %j as %j', (value, stored) => {
    expect(storedValue(checkValue(addressType, address, value))).toEqual(stored);
  });

  it.each([
    [{ country: 'ZZ' }, ['/country: must be an ISO 3166-1 alpha-2 country code such as FR']],
    [{ country: 'EU' }, ['/country: must be an ISO 3166-1 alpha-2 country code such as FR']],
    [{ country: 'fr' }, ['/country: must match pattern "^[A-Z]{2}$"']],
    [{ country: 'FRA' }, ['/country: must match pattern "^[A-Z]{2}$"']],
    [{ city: 'x'.repeat(101) }, ['/city: must NOT have more than 100 characters']],
    [{ postalCode: '1'.repeat(21) }, ['/postalCode: must NOT have more than 20 characters']],
    [{ street: 'x'.repeat(201) }, ['/street: must NOT have more than 200 characters']],
    [{ city: 7 }, ['/city: must be string']],
    [{ town: 'Oslo' }, ['must NOT have additional properties']],
    ['Paris', ['must be object']],
  ])('rejects %j', (value, expected) => {
    expect(details(checkValue(addressType, address, value))).toEqual(expected);
  });

  it('round-trips and nulls garbage', () => {
    const value = { street: '1 Main St', city: 'Springfield', country: 'US' };
    expect(addressType.toApi(storedValue(checkValue(addressType, address, value)), address)).toEqual(value);
    expect(addressType.toApi({ city: 'Oslo', zip: 1, country: 5 }, address)).toEqual({ city: 'Oslo' });
    for (const garbage of ['Oslo', 3, null, undefined, [], {}]) expect(addressType.toApi(garbage, address)).toBeNull();
  });

  it('is only tested for presence; parts are filtered through their own paths', () => {
    expect(addressType.operators).toEqual(['isSet', 'isNotSet']);
    expect(addressType.castOperand('London', address).ok).toBe(false);
    expect(addressType.sortSuffix).toBeNull();
  });
});

describe('fullName', () => {
  it.each([
    [{ first: 'Ada', last: 'Lovelace' }, { first: 'Ada', last: 'Lovelace', display: 'Ada Lovelace' }],
    [{ salutation: 'Dr', first: 'Martin', middle: 'Luther', last: 'King', suffix: 'Jr.' }, { salutation: 'Dr', first: 'Martin', middle: 'Luther', last: 'King', suffix: 'Jr.', display: 'Martin Luther King' }],
    [{ first: 'Cher' }, { first: 'Cher', display: 'Cher' }],
    [{ last: ' Smith ', middle: '' }, { last: 'Smith', display: 'Smith' }],
  ])('stores %j with its display name', (value, stored) => {
    expect(storedValue(checkValue(fullNameType, name, value))).toEqual(stored);
  });

  it.each([
    [{ salutation: 'Mr', middle: 'J' }, ['must have a first or a last name']],
    [{ first: '  ', last: '' }, ['must have a first or a last name']],
    [{}, ['must have a first or a last name']],
    [{ first: 'x'.repeat(101) }, ['/first: must NOT have more than 100 characters']],
    [{ first: 'Ada', nickname: 'A' }, ['must NOT have additional properties']],
    ['Ada Lovelace', ['must be object']],
  ])('rejects %j', (value, expected) => {
    expect(details(checkValue(fullNameType, name, value))).toEqual(expected);
  });

  it('accepts the display it returns but recomputes it, so a read record can be sent back', () => {
    expect(checkValue(fullNameType, name, { first: 'Ada', display: 'Someone Else' })).toEqual({ ok: true, value: { first: 'Ada', display: 'Ada' } });
  });

  it('reads back parts and a display that matches them; nulls garbage', () => {
    const stored = storedValue(checkValue(fullNameType, name, { first: 'Grace', last: 'Hopper' }));
    expect(fullNameType.toApi(stored, name)).toEqual({ first: 'Grace', last: 'Hopper', display: 'Grace Hopper' });
    expect(fullNameType.toApi({ first: 'Grace', last: 'Hopper', display: 'stale' }, name)).toEqual({ first: 'Grace', last: 'Hopper', display: 'Grace Hopper' });
    for (const garbage of ['Grace', 1, null, undefined, [], { display: 'only' }]) expect(fullNameType.toApi(garbage, name)).toBeNull();
  });

  it('sorts by last name', () => {
    expect(fullNameType.sortSuffix).toBe('.last');
  });
});

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('json', () => {
  it.each([
    { a: 1, b: [true, null, 'x'], c: { d: { e: 1.5 } } },
    [1, 'two', { three: 3 }],
    'just a string',
    0,
    false,
    { 'a$b': 1, '': 2, 'with space': 3 },
  ])('stores %j as is', (value) => {
    expect(storedValue(checkValue(jsonType, json, value))).toBe(value);
  });

  it.each([
    [{ $where: 'x' }, ['/$where: keys must not start with "$"']],
    [{ a: { 'b.c': 1 } }, ['/a/b.c: keys must not contain "."']],
    [{ list: [{ ok: 1 }, { $set: 1 }] }, ['/list/1/$set: keys must not start with "$"']],
    [JSON.parse('{"x":{"__proto__":{"polluted":true}}}'), ['/x/__proto__: the key "__proto__" is not allowed']],
    [{ 'a/b': { 'c~d': { $e: 1 } } }, ['/a~1b/c~0d/$e: keys must not start with "$"']],
    [{ big: 'x'.repeat(64 * 1024) }, ['must be at most 64 KiB as JSON']],
  ])('rejects %j', (value, expected) => {
    expect(details(checkValue(jsonType, json, value))).toEqual(expected);
  });

  it('allows 90 levels of nesting and refuses 91 (MongoDB stops at 100 for the whole document)', () => {
    expect(checkValue(jsonType, json, nested(90)).ok).toBe(true);
    const result = checkValue(jsonType, json, nested(91));
    expect(details(result)).toEqual([`/${Array(90).fill('0').join('/')}: must not nest more than 90 levels`]);
  });

  it('does not overflow the stack on absurdly deep input', () => {
    expect(checkValue(jsonType, json, nested(100_000)).ok).toBe(false);
  });

  it('reads back what was stored, and null for nothing', () => {
    const value = { a: [1, { b: 'c' }] };
    expect(jsonType.toApi(storedValue(checkValue(jsonType, json, value)), json)).toEqual(value);
    expect(jsonType.toApi(undefined, json)).toBeNull();
    expect(jsonType.toApi(null, json)).toBeNull();
    expect(jsonType.castOperand({ a: 1 }, json).ok).toBe(false);
  });
});
