/** Calendar dates (`YYYY-MM-DD` strings) and instants (`Date`, UTC). */
import { converted, defineFieldType, rejected, type Converted } from './field-type.ts';
import { ORDERED_OPERATORS } from './operators.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * RFC 3339 date-time with a mandatory offset. Besides `+01:00` it takes the `+0100` and `+01`
 * offsets ajv-formats' `date-time` also accepts, so both checks agree on what is valid.
 */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Year, month, day of a real calendar date (2023-02-30 is not one), else null. */
function calendarDate(text: string): [number, number, number] | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) ? [year, month, day] : null;
}

export const isCalendarDate = (value: unknown): value is string => typeof value === 'string' && calendarDate(value) !== null;

/** Built from parts, not `Date.parse`, whose handling of years 0-99 and odd forms varies. */
function utcDate(ymd: [number, number, number], hms: [number, number, number, number] = [0, 0, 0, 0]): Date {
  const d = new Date(0);
  d.setUTCFullYear(ymd[0], ymd[1] - 1, ymd[2]);
  d.setUTCHours(...hms);
  return d;
}

/**
 * An RFC 3339 date-time → Date, or null. Precision is milliseconds (extra digits are truncated);
 * leap seconds (:60) cannot be represented by a JS Date and are refused.
 */
export function parseDateTime(text: string): Date | null {
  const m = DATE_TIME.exec(text);
  const ymd = m ? calendarDate(m[1]) : null;
  if (!m || !ymd) return null;
  const [hour, minute, second] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const [offsetHours, offsetMinutes] = [Number(m[8] ?? 0), Number(m[9] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const millis = Number((m[5] ?? '').padEnd(3, '0').slice(0, 3));
  const date = utcDate(ymd, [hour, minute, second, millis]);
  const offset = (m[7] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return new Date(date.getTime() - offset * 60_000);
}

const isValidDate = (value: unknown): value is Date => value instanceof Date && !Number.isNaN(value.getTime());

// ---- date -------------------------------------------------------------------------------------

function dateToStored(value: unknown, field: { min?: string; max?: string }): Converted {
  if (!isCalendarDate(value)) return rejected('must be a real calendar date in the form YYYY-MM-DD');
  // Same-length YYYY-MM-DD strings compare chronologically, which is also why they are stored as text.
  if (field.min !== undefined && value < field.min) return rejected(`must be on or after ${field.min}`);
  if (field.max !== undefined && value > field.max) return rejected(`must be on or before ${field.max}`);
  return converted(value);
}

function dateToApi(stored: unknown): string | null {
  if (isCalendarDate(stored)) return stored;
  // Tolerates dates written as Date by an import or a formula: the UTC calendar day is the date.
  return isValidDate(stored) && stored.getUTCFullYear() >= 0 && stored.getUTCFullYear() <= 9999 ? stored.toISOString().slice(0, 10) : null;
}

export const dateType = defineFieldType<'date'>({
  type: 'date',
  source: 'input',
  // The pattern holds even if the validator's ajv lacks ajv-formats; toStored checks the calendar.
  inputSchema: () => ({ type: 'string', format: 'date', pattern: DATE.source }),
  toStored: dateToStored,
  toApi: dateToApi,
  outputSchema: () => ({ type: 'string', format: 'date' }),
  operators: ORDERED_OPERATORS,
  castOperand: (v) => (isCalendarDate(v) ? converted(v) : rejected('must be a date in the form YYYY-MM-DD')),
  sortSuffix: '',
});

// ---- datetime ---------------------------------------------------------------------------------

function boundOf(text: string | undefined): Date | null {
  return text === undefined ? null : parseDateTime(text);
}

function datetimeToStored(value: unknown, field: { min?: string; max?: string }): Converted {
  const date = typeof value === 'string' ? parseDateTime(value) : null;
  if (!date) return rejected('must be an RFC 3339 date-time with a time zone offset, e.g. 2024-05-01T09:30:00Z');
  const [min, max] = [boundOf(field.min), boundOf(field.max)];
  if (min && date < min) return rejected(`must be at or after ${field.min}`);
  if (max && date > max) return rejected(`must be at or before ${field.max}`);
  return converted(date);
}

function datetimeToApi(stored: unknown): string | null {
  if (isValidDate(stored)) {
    // Outside years 0-9999 toISOString gives expanded years (+010000-...), which are not RFC 3339.
    const year = stored.getUTCFullYear();
    return year >= 0 && year <= 9999 ? stored.toISOString() : null;
  }
  const parsed = typeof stored === 'string' ? parseDateTime(stored) : null;
  return parsed ? parsed.toISOString() : null;
}

/** A date-time, or a bare date meaning midnight UTC (handy for "created after 2024-05-01"). */
function datetimeOperand(value: unknown): Converted {
  if (typeof value === 'string') {
    const ymd = calendarDate(value);
    const date = ymd ? utcDate(ymd) : parseDateTime(value);
    if (date) return converted(date);
  }
  return rejected('must be a date-time such as 2024-05-01T09:30:00Z or a date such as 2024-05-01');
}

export const datetimeType = defineFieldType<'datetime'>({
  type: 'datetime',
  source: 'input',
  inputSchema: () => ({ type: 'string', format: 'date-time', maxLength: 64 }),
  toStored: datetimeToStored,
  toApi: datetimeToApi,
  outputSchema: () => ({ type: 'string', format: 'date-time' }),
  operators: ORDERED_OPERATORS,
  castOperand: datetimeOperand,
  sortSuffix: '',
});
