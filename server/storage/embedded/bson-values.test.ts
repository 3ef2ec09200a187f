import { Decimal128, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { describe, expect, it } from 'vitest';
import { compareBson, compareStrings, idKeyOf, valuesAtPath } from './bson-values.ts';
import { createRandom } from '../../../test/bench/seeded-random.ts';

describe('compareBson follows MongoDB\'s type order', () => {
  // Each value sorts strictly before the next one.
  const ascending: [string, unknown][] = [
    ['MinKey', new MinKey()],
    ['null', null],
    ['negative number', -5],
    ['Long', Long.fromNumber(3)],
    ['Decimal128', Decimal128.fromString('3.5')],
    ['double', 10.25],
    ['empty string', ''],
    ['string', 'abc'],
    ['object', { a: 1 }],
    ['array', [1]],
    ['ObjectId', new ObjectId('000000000000000000000001')],
    ['false', false],
    ['true', true],
    ['Date', new Date(0)],
    ['Timestamp', new Timestamp({ t: 1, i: 1 })],
    ['RegExp', /a/],
    ['MaxKey', new MaxKey()],
  ];
  it.each(ascending.slice(1).map((v, i) => [ascending[i]![0], v[0], ascending[i]![1], v[1]]))(
    '%s < %s',
    (_a, _b, a, b) => {
      expect(compareBson(a, b)).toBeLessThan(0);
      expect(compareBson(b, a)).toBeGreaterThan(0);
    },
  );

  it.each([
    [1, 1.0],
    [2, Long.fromNumber(2)],
    [null, undefined],
    [{ a: 1, b: 'x' }, { a: 1, b: 'x' }],
  ])('%o equals %o', (a, b) => {
    expect(compareBson(a, b)).toBe(0);
  });
});

describe('idKeyOf', () => {
  it.each([
    [1, Long.fromNumber(1), true],
    [1, 1.0, true],
    [1, '1', false],
    [new ObjectId('000000000000000000000001'), new ObjectId('000000000000000000000001'), true],
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, false],
  ])('%o and %o share a key: %s', (a, b, same) => {
    expect(idKeyOf(a) === idKeyOf(b)).toBe(same);
  });
});

describe('valuesAtPath', () => {
  it.each([
    [{ a: 1 }, 'a', [1]],
    [{ a: [1, 2] }, 'a', [1, 2]],
    [{ a: [{ b: 1 }, { b: 2 }] }, 'a.b', [1, 2]],
    [{ a: { b: { c: 'x' } } }, 'a.b.c', ['x']],
    [{ a: 1 }, 'missing', [null]],
    [{ a: [10, 20] }, 'a.1', [20]],
  ])('%o at %s gives %o', (doc, path, values) => {
    expect(valuesAtPath(doc, path)).toEqual(values);
  });
});

describe('numbers compare exactly', () => {
  it.each([
    ['NaN below every number', Number.NaN, -Infinity, -1],
    ['NaN equals NaN', Number.NaN, Number.NaN, 0],
    ['NaN is not 5', Number.NaN, 5, -1],
    ['Long beyond 2^53', Long.fromString('9007199254740993'), Long.fromString('9007199254740992'), 1],
    ['Long against a double integer', Long.fromString('9007199254740993'), 9007199254740992, 1],
    ['Decimal128 digits past double precision', Decimal128.fromString('0.10000000000000000001'), Decimal128.fromString('0.1'), 1],
    ['Decimal128 equal to a double', Decimal128.fromString('2.50'), 2.5, 0],
    ['negative Decimal128', Decimal128.fromString('-10'), Decimal128.fromString('-9.99'), -1],
    ['Decimal128 exponents', Decimal128.fromString('1E+3'), 999, 1],
    ['Decimal128 zero', Decimal128.fromString('0.000'), 0, 0],
  ])('%s', (_name, a, b, expected) => {
    expect(Math.sign(compareBson(a, b))).toBe(expected);
    expect(Math.sign(compareBson(b, a))).toBe(-expected || 0);
  });
});

describe('ObjectIds compare by their bytes', () => {
  it('in the order of their hex strings, for 2,000 random pairs', () => {
    const hex = () => Array.from({ length: 24 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
    for (let i = 0; i < 2_000; i++) {
      const x = hex();
      // Every other pair shares all but its last bytes, so the later 24-bit parts decide too.
      const y = i % 2 ? x.slice(0, 6 * (i % 4)) + hex().slice(6 * (i % 4)) : hex();
      const expected = x < y ? -1 : x > y ? 1 : 0;
      expect(Math.sign(compareBson(new ObjectId(x), new ObjectId(y))), `${x} vs ${y}`).toBe(expected);
    }
    expect(compareBson(new ObjectId('ff0000000000000000000000'), new ObjectId('00ffffffffffffffffffffff'))).toBeGreaterThan(0);
    expect(compareBson(new ObjectId('000000000000000000000001'), new ObjectId('000000000000000000000001'))).toBe(0);
  });
});

describe('strings compare by their UTF-8 bytes, as MongoDB compares them', () => {
  it('orders 20,000 random pairs as Buffer.compare orders their UTF-8 encodings', () => {
    const random = createRandom(11);
    // Characters from each range where UTF-16 and UTF-8 orders could part: ASCII, the BMP below and
    // above the surrogates, and past U+FFFF (a surrogate pair in JavaScript).
    const chars = ['a', 'z', '\u00e9', '\u4e2d', '\ud7ff', '\ue000', '\uff5e', '\uffff', '\u{10000}', '\u{1f600}', '\u{10ffff}'];
    const word = (): string => Array.from({ length: random.int(4) }, () => chars[random.int(chars.length)]).join('');
    for (let i = 0; i < 20_000; i++) {
      const a = word();
      const b = word();
      const expected = Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
      expect(Math.sign(compareStrings(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(expected);
      expect(Math.sign(compareBson(a, b))).toBe(expected);
    }
  });

  it('puts an emoji after U+FF5E, where JavaScript puts it before', () => {
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    expect(compareBson('\u{1F600}', '\uFF5E')).toBeGreaterThan(0);
    expect(compareBson({ '\u{1F600}': 1 }, { '\uFF5E': 1 })).toBeGreaterThan(0);
  });
});
