import type { Value } from './values.ts';

export const DAY_MS = 86_400_000;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** True for a `YYYY-MM-DD` string naming a real calendar day. */
export function isDateOnly(value: Value): value is string {
  return typeof value === 'string' && DATE_ONLY.test(value) && parseDateOnly(value) !== null;
}

/**
 * Milliseconds since the epoch for a Date, a `YYYY-MM-DD` string (UTC midnight) or an ISO datetime string
 * (UTC when it has no offset); null for anything else. Parsed by hand: Date.parse reads offset-less times
 * in the server's local zone.
 */
export function toTime(value: Value): number | null {
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? null : time;
  }
  if (typeof value !== 'string') return null;
  return parseDateOnly(value) ?? parseDateTime(value);
}

function parseDateOnly(text: string): number | null {
  const match = DATE_ONLY.exec(text);
  if (match === null) return null;
  return utcTime([Number(match[1]), Number(match[2]), Number(match[3]), 0, 0, 0, 0]);
}

function parseDateTime(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHours, offsetMinutes] = match;
  const millis = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const fields = [year, month, day, hour, minute, second ?? '0'].map(Number);
  const time = utcTime([...fields, millis]);
  if (time === null) return null;
  if (sign === undefined) return time;
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return null;
  const offset = Number(offsetHours) * 60 + Number(offsetMinutes);
  return checkTime(time - (sign === '-' ? -offset : offset) * 60_000);
}

/** Builds a UTC time from calendar fields, null when a field is out of range (2023-02-30, 24:00). */
function utcTime(fields: number[]): number | null {
  const [year, month, day, hour, minute, second, millis] = fields as [number, number, number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 onto 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

function checkTime(time: number): number | null {
  return Number.isNaN(new Date(time).getTime()) ? null : time;
}

/** The `YYYY-MM-DD` (UTC) form of a time, null outside years 0000-9999 or for an invalid time. */
export function formatDateOnly(time: number): string | null {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return null;
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return null;
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

/** Days since the epoch of the UTC calendar day a value falls on. */
export function toDayNumber(value: Value): number | null {
  const time = toTime(value);
  return time === null ? null : Math.floor(time / DAY_MS);
}

/** Adds whole days: a `YYYY-MM-DD` string stays one, any other date value becomes a Date. */
export function addDays(value: Value, days: number): Value {
  const time = toTime(value);
  if (time === null || !Number.isFinite(days)) return null;
  const shifted = time + Math.trunc(days) * DAY_MS;
  if (isDateOnly(value)) return formatDateOnly(shifted);
  const date = new Date(shifted);
  return Number.isNaN(date.getTime()) ? null : date;
}
