import { describe, expect, it } from 'vitest';
import { compileFormula } from './index.ts';

const NOW = new Date('2024-03-15T22:30:00Z');
const run = (source: string, scope: Record<string, unknown> = {}, now: Date = NOW) =>
  compileFormula(source).evaluate(scope, now);

describe('TODAY and NOW', () => {
  it('read the now passed to evaluate: TODAY as a UTC YYYY-MM-DD string, NOW as a Date', () => {
    expect(run('TODAY()')).toBe('2024-03-15');
    expect(run('NOW()')).toEqual(new Date('2024-03-15T22:30:00Z'));
    expect(run('TODAY()', {}, new Date('2024-03-15T23:59:59-05:00'))).toBe('2024-03-16');
  });

  it('hand back a copy of now, not the caller\'s object', () => {
    const now = new Date('2024-01-01T00:00:00Z');
    const result = run('NOW()', {}, now);
    expect(result).toEqual(now);
    expect(result).not.toBe(now);
  });

  it('use the current time when no now is given', () => {
    const before = Date.now();
    const result = compileFormula('NOW()').evaluate({}) as Date;
    expect(result.getTime()).toBeGreaterThanOrEqual(before);
    expect(result.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('are null for an invalid now', () => {
    expect(run('TODAY()', {}, new Date(Number.NaN))).toBeNull();
    expect(run('NOW()', {}, new Date(Number.NaN))).toBeNull();
  });
});

describe('YEAR, MONTH and DAY', () => {
  it.each([
    ['2024-02-29', [2024, 2, 29]],
    ['0050-01-31', [50, 1, 31]],
    ['2024-12-31T23:30:00Z', [2024, 12, 31]],
    ['2024-12-31T23:30:00-02:00', [2025, 1, 1]],
    ['2024-06-01T10:00:00.123456Z', [2024, 6, 1]],
    ['2024-06-01 10:00', [2024, 6, 1]],
    [new Date('1999-07-04T12:00:00Z'), [1999, 7, 4]],
  ])('read %j in UTC', (d, [year, month, day]) => {
    expect(run('YEAR(d)', { d })).toBe(year);
    expect(run('MONTH(d)', { d })).toBe(month);
    expect(run('DAY(d)', { d })).toBe(day);
  });

  it.each([null, '', 'soon', '2023-02-29', '2024-13-01', '2024-1-1', '2024-01-01T24:00:00Z', '2024-01-01T10:00+25:00', 20240101, true])(
    'are null for %j, which is not a date',
    (d) => {
      expect(run('YEAR(d)', { d })).toBeNull();
      expect(run('MONTH(d)', { d })).toBeNull();
      expect(run('DAY(d)', { d })).toBeNull();
    },
  );

  it('read an offset-less datetime as UTC whatever the server zone', () => {
    expect(run('DAY(d)', { d: '2024-01-31T23:30:00' })).toBe(31);
  });
});

describe('DATEDIFF', () => {
  it.each([
    ['"2024-03-01"', '"2024-02-01"', 29],
    ['"2023-03-01"', '"2023-02-01"', 28],
    ['"2024-01-01"', '"2024-01-10"', -9],
    ['"2025-01-01"', '"2024-01-01"', 366],
    ['TODAY()', '"2024-03-14"', 1],
    ['NOW()', '"2024-03-15"', 0],
    ['"2024-03-16T00:10:00Z"', 'NOW()', 1],
    ['"2024-03-15T23:59:59Z"', '"2024-03-15T00:00:00Z"', 0],
    ['null', 'TODAY()', null],
    ['"2024-02-30"', 'TODAY()', null],
    ['TODAY()', '5', null],
  ])('DATEDIFF(%s, %s) is %j whole UTC calendar days', (a, b, expected) => {
    expect(run(`DATEDIFF(${a}, ${b})`)).toBe(expected);
  });

  it('mixes Date objects and date strings', () => {
    expect(run('DATEDIFF(close, created)', { close: '2024-04-01', created: new Date('2024-03-01T18:00:00Z') })).toBe(31);
  });
});

describe('ADDDAYS', () => {
  it.each([
    ['"2024-02-28"', 1, '2024-02-29'],
    ['"2023-02-28"', 1, '2023-03-01'],
    ['"2024-01-31"', 30, '2024-03-01'],
    ['"2024-03-01"', -1, '2024-02-29'],
    ['"2024-12-31"', 1, '2025-01-01'],
    ['"2024-03-01"', 0, '2024-03-01'],
    ['"2024-03-01"', 1.9, '2024-03-02'],
    ['"9999-12-31"', 1, null],
    ['"2024-03-01"', 1e300, null],
    ['"2024-02-30"', 1, null],
    ['null', 1, null],
    ['"nope"', 1, null],
  ])('ADDDAYS(%s, %j) is %j', (d, n, expected) => {
    expect(run(`ADDDAYS(${d}, n)`, { n })).toBe(expected);
  });

  it('returns a Date for a Date or an ISO datetime string', () => {
    expect(run('ADDDAYS(d, 2)', { d: new Date('2024-03-30T05:00:00Z') })).toEqual(new Date('2024-04-01T05:00:00Z'));
    expect(run('ADDDAYS("2024-03-30T05:00:00+02:00", -1)')).toEqual(new Date('2024-03-29T03:00:00Z'));
    expect(run('ADDDAYS(NOW(), 1) > NOW()')).toBe(true);
  });

  it('is null when the day count is not a number', () => {
    expect(run('ADDDAYS("2024-03-01", "1")')).toBeNull();
    expect(run('ADDDAYS("2024-03-01", null)')).toBeNull();
  });

  it('composes with comparisons: a deal closing within 30 days of today', () => {
    const source = 'close_date <= ADDDAYS(TODAY(), 30) and close_date >= TODAY()';
    expect(run(source, { close_date: '2024-04-10' })).toBe(true);
    expect(run(source, { close_date: '2024-04-20' })).toBe(false);
  });
});
