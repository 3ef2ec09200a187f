import { describe, expect, it } from 'vitest';
import { compileFormula } from './index.ts';

const NOW = new Date('2024-03-15T10:30:00Z');
const run = (source: string, scope: Record<string, unknown> = {}) => compileFormula(source).evaluate(scope, NOW);

describe('arithmetic', () => {
  it.each([
    ['a + b', { a: 2, b: 3 }, 5],
    ['a - b', { a: 2, b: 3 }, -1],
    ['a * b', { a: 2.5, b: 4 }, 10],
    ['a / b', { a: 7, b: 2 }, 3.5],
    ['a % b', { a: -7, b: 3 }, -1],
    ['a / b', { a: 1, b: 0 }, null],
    ['a % b', { a: 1, b: 0 }, null],
    ['a * b', { a: 1e200, b: 1e200 }, null],
    ['-a', { a: 0 }, 0],
    ['a + b', { a: 2, b: '3' }, null],
    ['a + b', { a: 2, b: null }, null],
    ['a + b', { a: true, b: 1 }, null],
    ['-a', { a: 'x' }, null],
    ['missing * 2', {}, null],
  ])('%s with %j is %j', (source, scope, expected) => {
    expect(run(source, scope)).toEqual(expected);
  });

  it('turns -0 into 0', () => {
    expect(Object.is(run('0 * -1'), 0)).toBe(true);
  });

  it('keeps the null of a failed step local, so COALESCE can supply a fallback', () => {
    expect(run('COALESCE(a / b, 0) + 1', { a: 1, b: 0 })).toBe(1);
  });
});

describe('concatenation', () => {
  it.each([
    ['a & b', { a: 'x', b: 'y' }, 'xy'],
    ['a & b', { a: 'x', b: null }, 'x'],
    ['a & b', { a: null, b: null }, ''],
    ['a & " " & b', { a: 1.5, b: true }, '1.5 true'],
    ['a & ""', { a: 0.1 + 0.2 }, '0.3'],
    ['a & ""', { a: new Date('2024-01-02T03:04:05Z') }, '2024-01-02T03:04:05.000Z'],
    ['a & ""', { a: 1e21 }, '1e+21'],
  ])('%s with %j is %j', (source, scope, expected) => {
    expect(run(source, scope)).toEqual(expected);
  });

  it('returns null instead of a string over 100,000 characters', () => {
    const half = 'x'.repeat(50_000);
    expect(run('a & b', { a: half, b: half })).toBe('x'.repeat(100_000));
    expect(run('a & b & "!"', { a: half, b: half })).toBeNull();
    expect(run('LEN(a & b & "!")', { a: half, b: half })).toBe(0);
  });
});

describe('comparisons', () => {
  it.each([
    ['a = b', { a: 1, b: 1 }, true],
    ['a == b', { a: 'x', b: 'x' }, true],
    ['a = b', { a: 'x', b: 'X' }, false],
    ['a <> b', { a: 1, b: 2 }, true],
    ['a != b', { a: 1, b: 1 }, false],
    ['a = b', { a: 1, b: '1' }, false],
    ['a != b', { a: 1, b: '1' }, true],
    ['a = b', { a: true, b: true }, true],
    ['a < b', { a: false, b: true }, true],
    ['a < b', { a: 2, b: 10 }, true],
    ['a < b', { a: '2', b: '10' }, false],
    ['a <= b', { a: 3, b: 3 }, true],
    ['a >= b', { a: 2, b: 3 }, false],
    ['a > b', { a: 'b', b: 'a' }, true],
    ['a < b', { a: 'a', b: 'ab' }, true],
  ])('%s with %j is %j', (source, scope, expected) => {
    expect(run(source, scope)).toBe(expected);
  });

  it.each([
    ['x = null', { x: null }, true],
    ['x = null', {}, true],
    ['x = null', { x: '' }, true],
    ['x = null', { x: 0 }, false],
    ['x = null', { x: false }, false],
    ['x = null', { x: ' ' }, false],
    ['null = x', { x: '' }, true],
    ['x != null', { x: 'a' }, true],
    ['x <> null', { x: '' }, false],
    ['x = ""', { x: null }, true],
  ])('%s with %j is %j (blanks equal only blanks)', (source, scope, expected) => {
    expect(run(source, scope)).toBe(expected);
  });

  it('cannot order a null or mismatched types, so the comparison is null', () => {
    expect(run('x < 5', { x: null })).toBeNull();
    expect(run('x > "a"', { x: 5 })).toBeNull();
    expect(run('IF(x > 5, "big", "not big")', { x: null })).toBe('not big');
  });

  it('orders strings by code point, not by UTF-16 unit', () => {
    // U+FF5E sorts before U+1F600 by code point, but after its surrogate pair by UTF-16 unit.
    expect(run('a < b', { a: '\uff5e', b: '😀' })).toBe(true);
    expect(run('a > b', { a: 'é', b: 'z' })).toBe(true);
  });

  it.each([
    ['d = "2024-01-02"', new Date('2024-01-02T00:00:00Z'), true],
    ['d > "2024-01-01"', new Date('2024-01-01T00:00:01Z'), true],
    ['d < "2024-01-02T00:00:00+01:00"', new Date('2024-01-01T23:30:00Z'), false],
    ['d >= "2023-12-31T23:59:59Z"', new Date('2024-01-01T00:00:00Z'), true],
    ['d < NOW()', new Date('2024-03-15T10:29:59Z'), true],
    ['d = "not a date"', new Date('2024-01-02T00:00:00Z'), false],
    ['d < "not a date"', new Date('2024-01-02T00:00:00Z'), null],
  ])('compares dates chronologically: %s', (source, d, expected) => {
    expect(run(source, { d })).toBe(expected);
  });

  it('compares two ISO date strings as text, which orders same-format dates correctly', () => {
    expect(run('a < b', { a: '2023-12-31', b: '2024-01-01' })).toBe(true);
  });
});

describe('logic', () => {
  it.each([
    ['a and b', { a: true, b: true }, true],
    ['a and b', { a: true, b: null }, false],
    ['a or b', { a: null, b: true }, true],
    ['a or b', { a: 1, b: 'yes' }, false],
    ['not a', { a: null }, true],
    ['not a', { a: 'true' }, true],
    ['!a', { a: true }, false],
  ])('%s with %j is %j (only true is true)', (source, scope, expected) => {
    expect(run(source, scope)).toBe(expected);
  });

  it('short-circuits: the right side of a decided and/or is not evaluated', () => {
    const scope = { n: 0 };
    expect(run('n != 0 and 10 / n > 1', scope)).toBe(false);
    expect(run('n = 0 or 10 / n > 1', scope)).toBe(true);
  });
});
