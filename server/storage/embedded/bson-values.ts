/**
 * MongoDB's ordering and identity of BSON values, for index keys and _id lookups.
 * Values are what `bson.deserialize` returns with default promotion (numbers as JS numbers,
 * other BSON types as their classes).
 */
import { EJSON, MaxKey, MinKey, ObjectId } from 'bson';

type Tagged = { _bsontype?: string };

export const MIN_KEY = new MinKey();
export const MAX_KEY = new MaxKey();

/** Rank of a value's type in MongoDB's comparison order. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    case 'object':
      break;
    default:
      return 4;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  if (v instanceof Uint8Array) return 7;
  switch ((v as Tagged)._bsontype) {
    case 'MinKey':
      return 1;
    case 'Int32':
    case 'Double':
    case 'Long':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'MaxKey':
      return 13;
    case 'Code':
      return 14;
    default:
      return 5;
  }
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const tagged = v as { _bsontype?: string; toNumber?: () => number; valueOf(): unknown };
  if (tagged._bsontype === 'Decimal128') return Number.parseFloat(String(v));
  if (typeof tagged.toNumber === 'function') return tagged.toNumber();
  return Number(tagged.valueOf());
}

const kind = (v: unknown) => (v as Tagged)._bsontype ?? typeof v;

/**
 * Numbers of every BSON type compared by value, exactly: Long against Long and integers as
 * BigInt, Decimal128 by its decimal digits. NaN sorts below every number and equals only NaN.
 */
function compareNumbers(a: unknown, b: unknown): number {
  const nanA = isNaNValue(a);
  const nanB = isNaNValue(b);
  if (nanA || nanB) return nanA && nanB ? 0 : nanA ? -1 : 1;
  const [ka, kb] = [kind(a), kind(b)];
  if (ka === 'number' && kb === 'number') return cmp(a as number, b as number);
  if (ka === 'Decimal128' || kb === 'Decimal128') return compareDecimal(parseDecimal(String(a)), parseDecimal(String(b)));
  const [x, y] = [toNumber(a), toNumber(b)];
  if (Number.isInteger(x) && Number.isInteger(y) && Number.isFinite(x) && Number.isFinite(y)) {
    return cmp(toBigInt(a), toBigInt(b));
  }
  return cmp(x, y);
}

function isNaNValue(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  return kind(v) === 'Decimal128' && String(v).endsWith('NaN');
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (kind(v) === 'Long') return BigInt(String(v));
  return BigInt(toNumber(v));
}

type Decimal = { sign: 1 | -1; digits: string; exp: number; infinite: boolean };

/** Parses "-1.25E+3", "0.001", "Infinity"; `exp` is the power of ten of the last digit. */
function parseDecimal(text: string): Decimal {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '');
  if (/^inf/i.test(body)) return { sign, digits: '', exp: 0, infinite: true };
  const [mantissa = '0', e = '0'] = body.toLowerCase().split('e');
  const [int = '', frac = ''] = mantissa.split('.');
  const raw = (int + frac).replace(/^0+/, '');
  const digits = raw.replace(/0+$/, '');
  return { sign, digits, exp: Number(e) - frac.length + (raw.length - digits.length), infinite: false };
}

function compareDecimal(a: Decimal, b: Decimal): number {
  const value = (d: Decimal) => (d.infinite ? d.sign * 2 : d.digits ? d.sign : 0);
  if (value(a) !== value(b) || a.infinite || b.infinite || !a.digits) return cmp(value(a), value(b));
  const magnitude = (d: Decimal) => d.exp + d.digits.length;
  let c = cmp(magnitude(a), magnitude(b));
  if (c === 0) {
    const width = Math.max(a.digits.length, b.digits.length);
    c = cmp(a.digits.padEnd(width, '0'), b.digits.padEnd(width, '0'));
  }
  return c * a.sign;
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  return (v as { buffer: Uint8Array }).buffer;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** bson 7 keeps an ObjectId as four 24-bit numbers (its `id` getter copies out 12 new bytes). */
type ObjectIdParts = { i0?: number; i1?: number; i2?: number; i3?: number; id: Uint8Array };

function compareObjectIds(a: ObjectIdParts, b: ObjectIdParts): number {
  if (typeof a.i3 !== 'number' || typeof b.i3 !== 'number') return compareBytes(a.id, b.id);
  return a.i0! - b.i0! || a.i1! - b.i1! || a.i2! - b.i2! || a.i3 - b.i3;
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const byType = typeRank(a[ka[i]!]) - typeRank(b[kb[i]!]);
    if (byType) return byType;
    const byName = compareStrings(ka[i]!, kb[i]!);
    if (byName) return byName;
    const byValue = compareBson(a[ka[i]!], b[kb[i]!]);
    if (byValue) return byValue;
  }
  return ka.length - kb.length;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareBson(a[i], b[i]);
    if (c) return c;
  }
  return a.length - b.length;
}

/** A UTF-16 code unit as its place in code point order: surrogates after U+E000–U+FFFF. */
const codePointRank = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

/**
 * Strings in MongoDB's order, that of their UTF-8 bytes, which is code point order. JavaScript's
 * `<` compares UTF-16 code units instead, and the two differ only where a surrogate (a character
 * past U+FFFF, such as an emoji) meets U+E000–U+FFFF (private use, CJK compatibility, fullwidth
 * forms): there `<` puts the emoji first, MongoDB last.
 */
export function compareStrings(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

/** Total order over BSON values, as MongoDB sorts them (binary string comparison, no collation). */
export function compareBson(a: unknown, b: unknown): number {
  // The values index keys mostly hold, compared without ranking them first.
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return cmp(a.getTime(), b.getTime());
  if (a instanceof ObjectId && b instanceof ObjectId) return compareObjectIds(a as unknown as ObjectIdParts, b as unknown as ObjectIdParts);
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
    case 14:
      return compareStrings(String(a), String(b));
    case 5:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    case 6:
      return compareArrays(a as unknown[], b as unknown[]);
    case 7:
      return compareBytes(bytesOf(a), bytesOf(b));
    case 8:
      // Byte order is hex order; comparing the 12 bytes avoids building two strings per compare.
      return compareObjectIds(a as ObjectIdParts, b as ObjectIdParts);
    case 9:
      return cmp(Number(a), Number(b));
    case 10:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as { compare(o: unknown): number }).compare(b);
    default:
      return compareStrings(String(a), String(b));
  }
}

/**
 * An ObjectId's key: "o" and its 96 bits as eight 12-bit characters, built flat in one call. Its hex
 * string would be a tree of a dozen concatenated pieces, flattened when the key is first hashed,
 * and reached through one more pointer in every index comparison that falls back to the _id.
 */
function objectIdKey(v: ObjectIdParts): string {
  let { i0, i1, i2, i3 } = v;
  if (typeof i0 !== 'number' || typeof i1 !== 'number' || typeof i2 !== 'number' || typeof i3 !== 'number') {
    const b = v.id;
    [i0, i1, i2, i3] = [0, 3, 6, 9].map((at) => (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!);
  }
  return String.fromCharCode(0x6f, i0! >>> 12, i0! & 0xfff, i1! >>> 12, i1! & 0xfff, i2! >>> 12, i2! & 0xfff, i3 >>> 12, i3 & 0xfff);
}

/**
 * A string that is equal for two _id values exactly when MongoDB considers them equal
 * (so 1, 1.0 and Long(1) share a key). Used as the primary key of a collection's document map.
 */
export function idKeyOf(v: unknown): string {
  const rank = typeRank(v);
  if (rank === 3) {
    const tagged = v as { _bsontype?: string };
    if (tagged._bsontype === 'Long') return `n${String(v)}`;
    const n = toNumber(v);
    return Number.isInteger(n) ? `n${BigInt(n).toString()}` : `n${n}`;
  }
  if (typeof v === 'string') return `s${v}`;
  if (rank === 8) return objectIdKey(v as ObjectIdParts);
  if (rank === 2) return 'z';
  return `x${rank}:${EJSON.stringify(v as never, { relaxed: false })}`;
}

/**
 * Values of a dotted path as an index sees them: arrays along the path are traversed,
 * an array at the leaf contributes each element. A missing path yields [null].
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out.length ? out : [null];
}

function collect(value: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(undefined);
      else for (const el of value) out.push(el);
    } else out.push(value === undefined ? null : value);
    return;
  }
  if (Array.isArray(value)) {
    const part = parts[i]!;
    if (/^\d+$/.test(part) && Number(part) < value.length) collect(value[Number(part)], parts, i + 1, out);
    else for (const el of value) if (isPlainObject(el)) collect(el, parts, i, out);
    return;
  }
  if (!isPlainObject(value) || !Object.hasOwn(value, parts[i]!)) return;
  const next = value[parts[i]!];
  if (next === undefined) return;
  collect(next, parts, i + 1, out);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Whether a dotted path names a field the document has (as opposed to one that is null). */
export function hasPath(doc: unknown, path: string): boolean {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(value) || !Object.hasOwn(value, part)) return false;
    value = value[part];
  }
  return true;
}
