import { describe, expect, it } from 'vitest';
import { checkValue, details, storedValue } from './check-value.test-support.ts';
import { booleanType, currencyType, decimalPlaces, integerType, numberType, percentType, ratingType } from './number-types.ts';
import type { CurrencyField, Field } from '../entity.types.ts';

const integer: Field = { name: 'seats', type: 'integer', min: 0, max: 1000 };
const unbounded: Field = { name: 'count', type: 'integer' };
const number: Field = { name: 'weight', type: 'number', min: -10, max: 10, precision: 2 };
const percent: Field = { name: 'margin', type: 'percent', min: -10, max: 10, precision: 1 };
const rating: Field = { name: 'stars', type: 'rating' };
const rating10: Field = { name: 'score', type: 'rating', max: 10 };
const boolean: Field = { name: 'active', type: 'boolean' };
const eur: CurrencyField = { name: 'amount', type: 'currency', currency: 'EUR' };
const noDefault: CurrencyField = { name: 'price', type: 'currency' };
const bounded: CurrencyField = { name: 'fee', type: 'currency', currency: 'EUR', min: '0', max: '100.5' };

describe('integer', () => {
  it.each([
    [integer, 0, 0],
    [integer, 1000, 1000],
    [integer, 42.0, 42],
    [integer, -0, 0],
    [unbounded, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [unbounded, Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER],
  ])('accepts %j %j', (field, value, stored) => {
    expect(storedValue(checkValue(integerType, field, value))).toBe(stored);
  });

  it.each([
    [integer, -1, 'must be >= 0'],
    [integer, 1001, 'must be <= 1000'],
    [integer, 1.5, 'must be integer'],
    [integer, '5', 'must be integer'],
    [unbounded, 2 ** 53, 'must be <='],
    [unbounded, 1e300, 'must be <='],
  ])('rejects %j %j', (field, value, detail) => {
    expect(details(checkValue(integerType, field, value)).join()).toContain(detail);
  });

  it('reads back integers and nulls anything else', () => {
    expect(integerType.toApi(7, integer)).toBe(7);
    for (const garbage of [1.5, '7', null, undefined, {}, NaN]) expect(integerType.toApi(garbage, integer)).toBeNull();
  });

  it('casts integer operands only', () => {
    expect(integerType.castOperand(3, integer)).toEqual({ ok: true, value: 3 });
    expect(integerType.castOperand('3', integer).ok).toBe(false);
    expect(integerType.castOperand(2.5, integer).ok).toBe(false);
  });
});

describe('decimalPlaces', () => {
  it.each([
    [1, 0], [1.5, 1], [0.1, 1], [-2.25, 2], [1e-7, 7], [1.5e-7, 8], [1e21, 0], [123.456, 3], [0.1 + 0.2, 17],
  ])('%d has %d', (n, places) => {
    expect(decimalPlaces(n)).toBe(places);
  });
});

describe.each([
  ['number', numberType, number, 2],
  ['percent', percentType, percent, 1],
])('%s', (_name, handler, field, precision) => {
  it.each([0, -10, 10, 1.5, 9.9])('accepts %d', (value) => {
    expect(storedValue(checkValue(handler, field, value))).toBe(value);
  });

  it('accepts exactly `precision` decimals and refuses more with a clear detail', () => {
    const ok = precision === 2 ? 1.25 : 1.5;
    const tooPrecise = precision === 2 ? 1.255 : 1.55;
    expect(storedValue(checkValue(handler, field, ok))).toBe(ok);
    expect(details(checkValue(handler, field, tooPrecise))).toEqual([`must have at most ${precision} decimal place${precision === 1 ? '' : 's'}`]);
    expect(details(checkValue(handler, field, 1e-7))[0]).toMatch(/at most/);
    expect(details(checkValue(handler, field, 0.1 + 0.2))[0]).toMatch(/at most/);
  });

  it.each([
    [-10.5, 'must be >= -10'],
    [10.5, 'must be <= 10'],
    ['1', 'must be number'],
    [true, 'must be number'],
  ])('rejects %j', (value, detail) => {
    expect(details(checkValue(handler, field, value)).join()).toContain(detail);
  });

  it('reads back finite numbers and nulls garbage', () => {
    expect(handler.toApi(storedValue(checkValue(handler, field, 2.5)), field)).toBe(2.5);
    for (const garbage of ['2.5', null, undefined, { $numberDecimal: '1' }, NaN, Infinity]) expect(handler.toApi(garbage, field)).toBeNull();
  });

  it('casts finite number operands, whatever their precision', () => {
    expect(handler.castOperand(0.125, field)).toEqual({ ok: true, value: 0.125 });
    expect(handler.castOperand('1', field).ok).toBe(false);
  });
});

describe('number without precision', () => {
  it('accepts any decimals', () => {
    expect(storedValue(checkValue(numberType, { name: 'x', type: 'number' }, 1.23456789))).toBe(1.23456789);
  });

  it('with precision 0 wants whole numbers', () => {
    expect(details(checkValue(numberType, { name: 'x', type: 'number', precision: 0 }, 1.5))).toEqual(['must be a whole number']);
  });
});

describe('rating', () => {
  it.each([[rating, 1], [rating, 5], [rating10, 10]])('accepts %j %d', (field, value) => {
    expect(storedValue(checkValue(ratingType, field, value))).toBe(value);
  });

  it.each([[rating, 0], [rating, 6], [rating, 2.5], [rating10, 11], [rating, '3']])('rejects %j %j', (field, value) => {
    expect(checkValue(ratingType, field, value).ok).toBe(false);
  });

  it('round-trips and nulls garbage', () => {
    expect(ratingType.toApi(storedValue(checkValue(ratingType, rating, 4)), rating)).toBe(4);
    expect(ratingType.toApi('4', rating)).toBeNull();
  });
});

describe('boolean', () => {
  it.each([true, false])('accepts %s', (value) => {
    expect(storedValue(checkValue(booleanType, boolean, value))).toBe(value);
  });

  it.each(['true', 0, 1, [], {}])('rejects %j', (value) => {
    expect(details(checkValue(booleanType, boolean, value))).toEqual(['must be boolean']);
  });

  it('reads back booleans and nulls garbage, casts boolean operands', () => {
    expect(booleanType.toApi(false, boolean)).toBe(false);
    expect(booleanType.toApi('false', boolean)).toBeNull();
    expect(booleanType.castOperand(true, boolean)).toEqual({ ok: true, value: true });
    expect(booleanType.castOperand('true', boolean).ok).toBe(false);
    expect(booleanType.operators).toEqual(['eq', 'ne', 'isSet', 'isNotSet']);
  });
});

describe('currency', () => {
  it.each([
    [eur, { amount: '1234.56', currency: 'EUR' }, { units: 123456, currency: 'EUR', scale: 2 }],
    [eur, { amount: '1234.56' }, { units: 123456, currency: 'EUR', scale: 2 }],
    [eur, { amount: '-0.01' }, { units: -1, currency: 'EUR', scale: 2 }],
    [eur, { amount: '12' }, { units: 1200, currency: 'EUR', scale: 2 }],
    [eur, { amount: '12.500' }, { units: 1250, currency: 'EUR', scale: 2 }],
    [eur, { amount: '-0' }, { units: 0, currency: 'EUR', scale: 2 }],
    [eur, { amount: 0.1 }, { units: 10, currency: 'EUR', scale: 2 }],
    [eur, { amount: 19.99 }, { units: 1999, currency: 'EUR', scale: 2 }],
    [eur, { amount: 1e3 }, { units: 100000, currency: 'EUR', scale: 2 }],
    [eur, { amount: '500', currency: 'JPY' }, { units: 500, currency: 'JPY', scale: 0 }],
    [noDefault, { amount: '1.234', currency: 'BHD' }, { units: 1234, currency: 'BHD', scale: 3 }],
    [eur, { amount: '90071992547409.91' }, { units: Number.MAX_SAFE_INTEGER, currency: 'EUR', scale: 2 }],
  ])('stores %j %j exactly', (field, value, stored) => {
    expect(storedValue(checkValue(currencyType, field, value))).toEqual(stored);
  });

  it.each([
    [eur, { amount: '1.005' }, '/amount: must have at most 2 decimal places for EUR'],
    [eur, { amount: 1e-7 }, '/amount: must have at most 2 decimal places for EUR'],
    [eur, { amount: 0.1 + 0.2 }, '/amount: must have at most 2 decimal places for EUR'],
    [eur, { amount: '1.5', currency: 'JPY' }, '/amount: must be a whole amount for JPY'],
    [eur, { amount: '90071992547409.92' }, '/amount: must be between'],
    [eur, { amount: 1e21 }, '/amount: must be between'],
    [eur, { amount: '1,50' }, '/amount: must match pattern'],
    [eur, { amount: '1e3' }, '/amount: must match pattern'],
    [eur, { amount: ' 1' }, '/amount: must match pattern'],
    [eur, { amount: '' }, '/amount: must match pattern'],
    [eur, { amount: '1.' }, '/amount: must match pattern'],
    [eur, { amount: true }, '/amount: must be string,number'],
    [eur, {}, "must have required property 'amount'"],
    [eur, '12.50', 'must be object'],
    [eur, { amount: '1', currency: 'eur' }, '/currency: must match pattern'],
    [eur, { amount: '1', currency: 'ABC' }, '/currency: "ABC" is not an ISO 4217 currency code'],
    [eur, { amount: '1', fx: 1 }, 'must NOT have additional properties'],
    [noDefault, { amount: '1' }, '/currency: is required: this field has no default currency'],
    [bounded, { amount: '-0.01' }, '/amount: must be at least 0'],
    [bounded, { amount: '100.51' }, '/amount: must be at most 100.5'],
  ])('rejects %j %j', (field, value, detail) => {
    expect(details(checkValue(currencyType, field, value)).join(' | ')).toContain(detail);
  });

  it('compares bounds exactly, at the edges', () => {
    expect(storedValue(checkValue(currencyType, bounded, { amount: '0.00' }))).toMatchObject({ units: 0 });
    expect(storedValue(checkValue(currencyType, bounded, { amount: '100.50' }))).toMatchObject({ units: 10050 });
  });

  it.each([
    [{ amount: '1234.5' }, { amount: '1234.50', currency: 'EUR' }],
    [{ amount: '-0.05' }, { amount: '-0.05', currency: 'EUR' }],
    [{ amount: '7', currency: 'JPY' }, { amount: '7', currency: 'JPY' }],
    [{ amount: '0.001', currency: 'BHD' }, { amount: '0.001', currency: 'BHD' }],
    [{ amount: '90071992547409.91' }, { amount: '90071992547409.91', currency: 'EUR' }],
  ])('round-trips %j', (value, api) => {
    expect(currencyType.toApi(storedValue(checkValue(currencyType, eur, value)), eur)).toEqual(api);
  });

  it.each([null, undefined, 12.5, '12.50', {}, { units: 1.5, currency: 'EUR', scale: 2 }, { units: 1, currency: 'EUR' }, { units: 1, scale: 2 }, { units: 1, currency: 'EUR', scale: -1 }])(
    'reads garbage %j as null',
    (stored) => {
      expect(currencyType.toApi(stored, eur)).toBeNull();
    },
  );

  it('casts operands to units of the default currency, or 2 decimals without one', () => {
    expect(currencyType.castOperand('10.5', eur)).toEqual({ ok: true, value: 1050 });
    expect(currencyType.castOperand(10.5, eur)).toEqual({ ok: true, value: 1050 });
    expect(currencyType.castOperand('10', { ...eur, currency: 'JPY' })).toEqual({ ok: true, value: 10 });
    expect(currencyType.castOperand('10.25', noDefault)).toEqual({ ok: true, value: 1025 });
    expect(currencyType.castOperand('10.255', eur).ok).toBe(false);
    expect(currencyType.castOperand('ten', eur).ok).toBe(false);
    expect(currencyType.castOperand({ amount: '1' }, eur).ok).toBe(false);
    expect(currencyType.sortSuffix).toBe('.units');
  });
});
