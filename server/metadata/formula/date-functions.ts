import { addDays, formatDateOnly, toDayNumber, toTime } from './dates.ts';
import { eager, type FunctionTable } from './function-types.ts';
import type { Value } from './values.ts';

/**
 * Date functions accept Date objects, `YYYY-MM-DD` strings and ISO datetime strings, and work in UTC.
 * TODAY and NOW read the `now` passed to evaluate, so results are reproducible.
 */
export const DATE_FUNCTIONS: FunctionTable = {
  TODAY: eager(0, 0, (_args, { now }) => formatDateOnly(now.getTime())),
  NOW: eager(0, 0, (_args, { now }) => (Number.isNaN(now.getTime()) ? null : new Date(now.getTime()))),
  YEAR: eager(1, 1, ([value]) => datePart(value!, (date) => date.getUTCFullYear())),
  MONTH: eager(1, 1, ([value]) => datePart(value!, (date) => date.getUTCMonth() + 1)),
  DAY: eager(1, 1, ([value]) => datePart(value!, (date) => date.getUTCDate())),
  DATEDIFF: eager(2, 2, ([later, earlier]) => dateDiff(later!, earlier!)),
  ADDDAYS: eager(2, 2, ([value, days]) => (typeof days === 'number' ? addDays(value!, days) : null)),
};

function datePart(value: Value, part: (date: Date) => number): number | null {
  const time = toTime(value);
  return time === null ? null : part(new Date(time));
}

/** Whole UTC calendar days from `earlier` to `later` (like SQL DATEDIFF): the time of day does not count. */
function dateDiff(later: Value, earlier: Value): number | null {
  const to = toDayNumber(later);
  const from = toDayNumber(earlier);
  return to === null || from === null ? null : to - from;
}
