/**
 * The sort values a cursor may carry: JSON scalars and the canonical EJSON wrappers of the BSON
 * types records are sorted on. Anything else in a cursor (other `$` keys, nested objects, plain
 * numbers, which canonical EJSON never writes) means it was not made by encodeCursor.
 */
import { BSON } from 'mongodb';

const { Decimal128, Double, Int32, Long, ObjectId } = BSON;

const INT32 = /^-?\d{1,10}$/;
const INT64 = /^-?\d{1,19}$/;
const DOUBLE = /^(?:-?(?:\d{1,400}(?:\.\d{1,400})?(?:[eE][+-]?\d{1,3})?|Infinity)|NaN)$/;
const HEX24 = /^[0-9a-fA-F]{24}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const inInt64 = (text: string): boolean => INT64.test(text) && BigInt(text) >= INT64_MIN && BigInt(text) <= INT64_MAX;

/** Checks one `{"$type": ...}` wrapper before EJSON reads it; EJSON itself is lenient (Longs wrap around). */
const WRAPPERS: Record<string, (inner: unknown) => boolean> = {
  $oid: (v) => typeof v === 'string' && HEX24.test(v),
  $date: (v) => isOnlyKey(v, '$numberLong') && inInt64((v as { $numberLong: string }).$numberLong),
  $numberLong: (v) => typeof v === 'string' && inInt64(v),
  $numberInt: (v) => typeof v === 'string' && INT32.test(v) && Number(v) >= -(2 ** 31) && Number(v) < 2 ** 31,
  $numberDouble: (v) => typeof v === 'string' && DOUBLE.test(v),
  $numberDecimal: (v) => typeof v === 'string' && v.length <= 64,
};

function isOnlyKey(value: unknown, key: string): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key && typeof (value as Record<string, unknown>)[key] === 'string';
}

function isEncodedValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || !Object.hasOwn(WRAPPERS, keys[0])) return false;
  return WRAPPERS[keys[0]]((value as Record<string, unknown>)[keys[0]]);
}

/** A value a cursor can hold and a filter can compare against. */
export function isCursorValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return true;
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  return [ObjectId, Long, Decimal128, Int32, Double].some((type) => value instanceof type);
}

/** `encoded` as decoded from a cursor → exactly `count` BSON values, or null if anything is off. */
export function parseCursorValues(encoded: unknown, count: number): unknown[] | null {
  if (!Array.isArray(encoded) || encoded.length !== count || !encoded.every(isEncodedValue)) return null;
  try {
    const values = BSON.EJSON.deserialize(encoded, { relaxed: false }) as unknown[];
    return values.every(isCursorValue) ? values : null;
  } catch {
    return null;
  }
}
