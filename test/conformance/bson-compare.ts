// Value helpers shared by the matchers: BSON type names, numeric-insensitive scalar equality, and
// the exact (order-insensitive) document comparison used for `outcome`.
import { EJSON } from 'bson';

type Tagged = { _bsontype?: string };

const NUMERIC_BSON_TYPES = new Set(['Int32', 'Long', 'Double']);
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function bsonTag(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? (value as Tagged)._bsontype : undefined;
}

/** A plain document: an object that is not an array, a BSON value, a Date, a RegExp or bytes. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  if (bsonTag(value) !== undefined) return false;
  return !(value instanceof Date || value instanceof RegExp || value instanceof Uint8Array || value instanceof Map);
}

/** Documents as the matchers see them: Maps (client bulk write results) become plain objects. */
export function toDocument(value: unknown): Record<string, unknown> | undefined {
  if (value instanceof Map) return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), v]));
  return isDocument(value) ? value : undefined;
}

/** Numbers for the "flexible numeric comparison" rule: int32, int64 and double, not Decimal128. */
export function isNumeric(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint' || NUMERIC_BSON_TYPES.has(bsonTag(value) ?? '');
}

function toBigIntOrNumber(value: unknown): bigint | number {
  if (typeof value === 'bigint' || typeof value === 'number') return value;
  const tag = bsonTag(value);
  if (tag === 'Long') return BigInt((value as { toString(): string }).toString());
  return Number((value as { valueOf(): number }).valueOf());
}

export function numbersEqual(a: unknown, b: unknown): boolean {
  const x = toBigIntOrNumber(a);
  const y = toBigIntOrNumber(b);
  if (typeof x === 'number' && typeof y === 'number') return x === y || (Number.isNaN(x) && Number.isNaN(y));
  if (typeof x === 'number' && !Number.isInteger(x)) return false;
  if (typeof y === 'number' && !Number.isInteger(y)) return false;
  return BigInt(x) === BigInt(y);
}

/**
 * The `$type` names an actual value can answer to. The driver turns int32 and double into JS
 * numbers, so an integral number answers to int, long and double alike, and a fractional one to
 * double: the best a runner can do without reading raw BSON.
 */
export function bsonTypeOf(value: unknown): string[] {
  if (value === null) return ['null'];
  if (value === undefined) return ['undefined'];
  if (typeof value === 'string') return ['string'];
  if (typeof value === 'boolean') return ['bool'];
  if (typeof value === 'bigint') return ['long'];
  if (typeof value === 'number') return numberTypes(value);
  if (Array.isArray(value)) return ['array'];
  if (value instanceof Date) return ['date'];
  if (value instanceof RegExp) return ['regex'];
  if (value instanceof Uint8Array) return ['binData'];
  return [taggedType(value)];
}

function numberTypes(value: number): string[] {
  if (!Number.isInteger(value)) return ['double'];
  const int32 = value >= INT32_MIN && value <= INT32_MAX;
  return int32 ? ['int', 'long', 'double'] : ['long', 'double'];
}

const TAG_TO_TYPE: Record<string, string> = {
  Int32: 'int', Long: 'long', Double: 'double', Decimal128: 'decimal', ObjectId: 'objectId',
  Binary: 'binData', BSONRegExp: 'regex', BSONSymbol: 'symbol', Timestamp: 'timestamp',
  MinKey: 'minKey', MaxKey: 'maxKey', DBRef: 'dbPointer', Code: 'javascript',
};

function taggedType(value: unknown): string {
  const tag = bsonTag(value);
  if (tag === undefined) return 'object';
  if (tag === 'Code' && (value as { scope?: unknown }).scope) return 'javascriptWithScope';
  return TAG_TO_TYPE[tag] ?? tag;
}

/** Short printable form for reasons: relaxed Extended JSON, cut at 160 characters. */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text = EJSON.stringify(value as never, { relaxed: true });
  } catch {
    text = String(value);
  }
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Compares two non-container values; returns why they differ, or undefined when equal. */
export function scalarMismatch(expected: unknown, actual: unknown): string | undefined {
  const differ = `expected ${describeValue(expected)}, got ${describeValue(actual)}`;
  if (isNumeric(expected) || isNumeric(actual)) {
    return isNumeric(expected) && isNumeric(actual) && numbersEqual(expected, actual) ? undefined : differ;
  }
  if (expected === null || typeof expected !== 'object') return expected === actual ? undefined : differ;
  if (expected instanceof Date) {
    return actual instanceof Date && actual.getTime() === expected.getTime() ? undefined : differ;
  }
  return canonical(expected) === canonical(actual) ? undefined : differ;
}

/** Canonical Extended JSON with sorted keys: equal strings mean equal BSON values. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  const normalised = value instanceof Uint8Array ? { $binary: Buffer.from(value).toString('base64') } : value;
  try {
    return JSON.stringify(sortKeys(EJSON.serialize(normalised as never, { relaxed: false })));
  } catch {
    return String(value);
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/**
 * Exact comparison for `outcome`: same keys (any order), same array lengths, no `$$` operators,
 * no extra fields at any depth. Numbers still compare by value, because the expected side comes
 * from relaxed Extended JSON, which cannot say int from double.
 */
export function exactMismatch(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `at ${path}: expected an array, got ${describeValue(actual)}`;
    if (actual.length !== expected.length) {
      return `at ${path}: expected ${expected.length} elements, got ${actual.length}: ${describeValue(actual)}`;
    }
    return firstOf(expected.map((value, i) => () => exactMismatch(value, actual[i], `${path}[${i}]`)));
  }
  if (isDocument(expected)) {
    const doc = toDocument(actual);
    if (!doc) return `at ${path}: expected a document, got ${describeValue(actual)}`;
    const missing = Object.keys(expected).filter((key) => !Object.hasOwn(doc, key));
    if (missing.length > 0) return `at ${path}: missing field(s) ${missing.join(', ')} in ${describeValue(doc)}`;
    const extra = Object.keys(doc).filter((key) => !Object.hasOwn(expected, key));
    if (extra.length > 0) return `at ${path}: unexpected field(s) ${extra.join(', ')} in ${describeValue(doc)}`;
    return firstOf(Object.keys(expected).map((key) => () => exactMismatch(expected[key], doc[key], `${path}.${key}`)));
  }
  const why = scalarMismatch(expected, actual);
  return why ? `at ${path}: ${why}` : undefined;
}

function firstOf(checks: Array<() => string | undefined>): string | undefined {
  for (const check of checks) {
    const failure = check();
    if (failure) return failure;
  }
  return undefined;
}
