import { describe, expect, it } from 'vitest';
import { checkValue, details, storedValue } from './check-value.test-support.ts';
import { dateType, datetimeType } from './temporal-types.ts';
import type { Field } from '../entity.types.ts';

const date: Field = { name: 'closeDate', type: 'date' };
const boundedDate: Field = { name: 'start', type: 'date', min: '2020-01-01', max: '2020-12-31' };
const datetime: Field = { name: 'meetingAt', type: 'datetime' };
const boundedDatetime: Field = { name: 'slot', type: 'datetime', min: '2024-01-01T00:00:00Z', max: '2024-12-31T23:59:59+01:00' };

describe('date', () => {
  it.each(['2024-05-01', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('accepts %s and stores it unchanged', (value) => {
    expect(storedValue(checkValue(dateType, date, value))).toBe(value);
  });

  it.each(['2023-02-29', '1900-02-29', '2023-02-30', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-5-1', '2024-05-01T00:00:00Z', '20240501', '', 20240501])(
    'rejects %j',
    (value) => {
      expect(checkValue(dateType, date, value).ok).toBe(false);
    },
  );

  it('explains a calendar error even when the format check is not there to catch it', () => {
    expect(details(dateType.toStored('2023-02-30', date))).toEqual(['must be a real calendar date in the form YYYY-MM-DD']);
  });

  it.each([
    ['2020-01-01', null],
    ['2020-12-31', null],
    ['2019-12-31', 'must be on or after 2020-01-01'],
    ['2021-01-01', 'must be on or before 2020-12-31'],
  ])('bounds %s', (value, detail) => {
    expect(details(checkValue(dateType, boundedDate, value))).toEqual(detail ? [detail] : []);
  });

  it('reads back dates, tolerates Date objects and nulls garbage', () => {
    expect(dateType.toApi(storedValue(checkValue(dateType, date, '2024-02-29')), date)).toBe('2024-02-29');
    expect(dateType.toApi(new Date('2024-05-01T00:00:00Z'), date)).toBe('2024-05-01');
    for (const garbage of ['2023-02-30', 'yesterday', 20240501, null, undefined, {}, new Date(NaN), new Date(Date.UTC(10000, 0, 1))]) {
      expect(dateType.toApi(garbage, date)).toBeNull();
    }
  });

  it('casts date operands to the stored string', () => {
    expect(dateType.castOperand('2024-05-01', date)).toEqual({ ok: true, value: '2024-05-01' });
    expect(dateType.castOperand('2024-02-30', date).ok).toBe(false);
    expect(dateType.castOperand(1714521600000, date).ok).toBe(false);
  });
});

describe('datetime', () => {
  it.each([
    ['2024-05-01T09:30:00Z', '2024-05-01T09:30:00.000Z'],
    ['2024-05-01t09:30:00z', '2024-05-01T09:30:00.000Z'],
    ['2024-05-01T11:30:00+02:00', '2024-05-01T09:30:00.000Z'],
    ['2024-05-01T00:30:00-05:30', '2024-05-01T06:00:00.000Z'],
    ['2024-05-01T09:30:00.123456Z', '2024-05-01T09:30:00.123Z'],
    ['2024-05-01T09:30:00.5Z', '2024-05-01T09:30:00.500Z'],
    ['2024-03-01T00:30:00+01:00', '2024-02-29T23:30:00.000Z'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z'],
  ])('stores %s as the instant %s', (value, iso) => {
    const stored = storedValue(checkValue(datetimeType, datetime, value));
    expect(stored).toBeInstanceOf(Date);
    expect((stored as Date).toISOString()).toBe(iso);
  });

  it.each([
    '2024-05-01T09:30:00',
    '2024-05-01',
    '2024-02-30T09:30:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T09:60:00Z',
    '2024-05-01T09:30:00+24:00',
    '1714555800000',
    'May 1, 2024 09:30 GMT',
    1714555800000,
  ])('rejects %j', (value) => {
    expect(checkValue(datetimeType, datetime, value).ok).toBe(false);
  });

  it('refuses a leap second, which a JS Date cannot hold, with a clear detail', () => {
    expect(details(checkValue(datetimeType, datetime, '2016-12-31T23:59:60Z'))[0]).toMatch(/RFC 3339 date-time/);
  });

  it.each([
    ['2024-01-01T00:00:00Z', null],
    ['2024-01-01T01:00:00+01:00', null],
    ['2023-12-31T23:59:59Z', 'must be at or after 2024-01-01T00:00:00Z'],
    ['2024-12-31T22:59:59Z', null],
    ['2024-12-31T23:00:00Z', 'must be at or before 2024-12-31T23:59:59+01:00'],
  ])('bounds %s', (value, detail) => {
    expect(details(checkValue(datetimeType, boundedDatetime, value))).toEqual(detail ? [detail] : []);
  });

  it('reads back ISO strings and nulls garbage', () => {
    const stored = storedValue(checkValue(datetimeType, datetime, '2024-05-01T11:30:00+02:00'));
    expect(datetimeType.toApi(stored, datetime)).toBe('2024-05-01T09:30:00.000Z');
    expect(datetimeType.toApi('2024-05-01T11:30:00+02:00', datetime)).toBe('2024-05-01T09:30:00.000Z');
    for (const garbage of [new Date(NaN), new Date(Date.UTC(10000, 0, 1)), 'soon', 1714555800000, null, undefined, {}]) {
      expect(datetimeType.toApi(garbage, datetime)).toBeNull();
    }
  });

  it('casts date-times, and bare dates as midnight UTC', () => {
    expect(datetimeType.castOperand('2024-05-01T11:30:00+02:00', datetime)).toEqual({ ok: true, value: new Date('2024-05-01T09:30:00Z') });
    expect(datetimeType.castOperand('2024-05-01', datetime)).toEqual({ ok: true, value: new Date('2024-05-01T00:00:00Z') });
    expect(datetimeType.castOperand('2024-02-30', datetime).ok).toBe(false);
    expect(datetimeType.castOperand('2024-05-01T09:30:00', datetime).ok).toBe(false);
    expect(datetimeType.castOperand(1714555800000, datetime).ok).toBe(false);
  });
});
