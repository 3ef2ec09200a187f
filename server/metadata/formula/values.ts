import { toTime } from './dates.ts';

/** Every value a formula computes with. Anything else read from a scope (objects, arrays, bigints...) is null. */
export type Value = string | number | boolean | Date | null;

/** Text results longer than this are null: concatenation must not be a way to build huge strings. */
export const MAX_TEXT_LENGTH = 100_000;

/** Blank in the Excel/Salesforce sense: null or the empty string. */
export function isBlank(value: Value): value is null | '' {
  return value === null || value === '';
}

/** A numeric result, or null when it is not finite (division by zero, overflow). Folds -0 into 0. */
export function toNumberResult(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return value === 0 ? 0 : value;
}

/** A text result, or null when it is over the length limit. */
export function toTextResult(value: string): string | null {
  return value.length > MAX_TEXT_LENGTH ? null : value;
}

/** Maps whatever a scope holds onto a formula value. */
export function fromScope(raw: unknown): Value {
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return toNumberResult(raw);
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? null : new Date(raw.getTime());
  return null;
}

/**
 * Text form used by `&`, CONCAT and TEXT. Numbers keep 15 significant digits so float noise does not show
 * (0.1 + 0.2 reads "0.3"); dates are ISO strings; null is the empty string.
 */
export function toText(value: Value): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(Number(value.toPrecision(15)));
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Equality as `=` sees it: blanks (null, '') equal each other and nothing else. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (isBlank(a) || isBlank(b)) return isBlank(a) && isBlank(b);
  return compareValues(a, b) === 0;
}

/**
 * Orders two values: negative, zero or positive, or null when they cannot be ordered (a null, or mismatched
 * types). A Date compares chronologically with another Date or with an ISO date/datetime string.
 */
export function compareValues(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (a instanceof Date || b instanceof Date) {
    const left = toTime(a);
    const right = toTime(b);
    return left === null || right === null ? null : Math.sign(left - right);
  }
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return null;
}

/** Code point order; plain `<` on strings compares UTF-16 units and misorders astral characters. */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return Math.sign(a.codePointAt(i)! - b.codePointAt(i)!);
  }
  return Math.sign(a.length - b.length);
}
