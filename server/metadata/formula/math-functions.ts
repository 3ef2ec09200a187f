import { eager, VARIADIC, type FunctionTable } from './function-types.ts';
import { isBlank, toNumberResult, type Value } from './values.ts';

/** Math functions take numbers only: any other input makes the result null. */
export const MATH_FUNCTIONS: FunctionTable = {
  // A missing digits argument means 0; an explicit null stays null.
  ROUND: eager(1, 2, ([value, digits]) => round(value!, digits === undefined ? 0 : digits)),
  FLOOR: eager(1, 1, ([value]) => mapNumber(value!, Math.floor)),
  CEIL: eager(1, 1, ([value]) => mapNumber(value!, Math.ceil)),
  ABS: eager(1, 1, ([value]) => mapNumber(value!, Math.abs)),
  MIN: eager(1, VARIADIC, (values) => pick(values, Math.min)),
  MAX: eager(1, VARIADIC, (values) => pick(values, Math.max)),
};

/**
 * Rounds half away from zero to `digits` decimal places (negative digits round to tens, hundreds...). The
 * scaling goes through the shortest decimal form of the number, not a float multiply, so 1.005 rounds to 1.01
 * although the double nearest 1.005 is slightly below it.
 */
export function round(value: Value, digits: Value): number | null {
  if (typeof value !== 'number' || typeof digits !== 'number') return null;
  const places = Math.trunc(digits);
  const scaled = shiftDecimal(Math.abs(value), places);
  // Too many places to change anything: the value is already an integer at that scale.
  if (!Number.isFinite(scaled) || scaled >= Number.MAX_SAFE_INTEGER) return value;
  return toNumberResult(Math.sign(value) * shiftDecimal(Math.round(scaled), -places));
}

/** value × 10^places, computed on the decimal exponent so no binary rounding error creeps in. */
function shiftDecimal(value: number, places: number): number {
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

function mapNumber(value: Value, map: (n: number) => number): number | null {
  return typeof value === 'number' ? toNumberResult(map(value)) : null;
}

/** MIN/MAX skip blanks, as spreadsheets do; a non-number makes the result null. */
function pick(values: Value[], choose: (...n: number[]) => number): number | null {
  const numbers: number[] = [];
  for (const value of values) {
    if (isBlank(value)) continue;
    if (typeof value !== 'number') return null;
    numbers.push(value);
  }
  return numbers.length === 0 ? null : choose(...numbers);
}
