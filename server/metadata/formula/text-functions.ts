import { eager, VARIADIC, type FunctionTable } from './function-types.ts';
import { MAX_TEXT_LENGTH, toNumberResult, toText, toTextResult, type Value } from './values.ts';

const NUMERIC_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Text functions take any non-null value in its text form; a null input gives a null result. */
export const TEXT_FUNCTIONS: FunctionTable = {
  CONCAT: eager(1, VARIADIC, concat),
  UPPER: eager(1, 1, ([value]) => mapText(value!, (text) => text.toUpperCase())),
  LOWER: eager(1, 1, ([value]) => mapText(value!, (text) => text.toLowerCase())),
  TRIM: eager(1, 1, ([value]) => mapText(value!, (text) => text.trim())),
  // Lengths and positions count code points, so an emoji is one character.
  LEN: eager(1, 1, ([value]) => Array.from(toText(value!)).length),
  LEFT: eager(2, 2, ([value, count]) => slice(value!, count!, (chars, n) => chars.slice(0, n))),
  RIGHT: eager(2, 2, ([value, count]) => slice(value!, count!, (chars, n) => chars.slice(chars.length - n))),
  CONTAINS: eager(2, 2, ([value, part]) => toText(value!).includes(toText(part!))),
  TEXT: eager(1, 1, ([value]) => (value === null ? null : toTextResult(toText(value!)))),
  NUMBER: eager(1, 1, ([value]) => parseNumber(value!)),
};

/** Joins the text forms of its arguments (null is ''); null if the result would exceed the text limit. */
export function concat(values: Value[]): string | null {
  let result = '';
  for (const value of values) {
    const text = toText(value);
    if (result.length + text.length > MAX_TEXT_LENGTH) return null;
    result += text;
  }
  return result;
}

function mapText(value: Value, map: (text: string) => string): string | null {
  return value === null ? null : toTextResult(map(toText(value)));
}

function slice(value: Value, count: Value, pick: (chars: string[], n: number) => string[]): string | null {
  if (value === null || typeof count !== 'number') return null;
  const chars = Array.from(toText(value));
  const n = Math.min(chars.length, Math.max(0, Math.trunc(count)));
  return pick(chars, n).join('');
}

function parseNumber(value: Value): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return NUMERIC_TEXT.test(text) ? toNumberResult(Number(text)) : null;
}
