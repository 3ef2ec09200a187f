/**
 * A matcher for the filters records reads send most (equality, $in, $ne, $exists, ranges, $and,
 * $or on top-level fields, e.g. an access scope `{$or: [{ownerId: {$in: [...]}}, {status: 'customer'}]}`),
 * about ten times cheaper than running mingo on every candidate. It decides only when the
 * document's value is a plain scalar (string, number, boolean, null/missing, ObjectId, Date);
 * for anything else (arrays, embedded documents, Long, Decimal128, NaN) it answers undefined
 * and the caller asks mingo, so MongoDB's semantics are never second-guessed.
 */
import { ObjectId } from 'bson';
import { compareBson } from './bson-values.ts';
import type { Doc } from './collection-store.ts';

/** true / false when decided, undefined when mingo must decide for this document. */
export type FastTest = (doc: Doc) => boolean | undefined;

type Scalar = string | number | boolean | null | ObjectId | Date;

function isScalar(v: unknown): v is Scalar {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return !Number.isNaN(v);
  return v instanceof ObjectId || (v instanceof Date && !Number.isNaN(v.getTime()));
}

/** MongoDB equality of a filter scalar with a document value; undefined when the value is not a plain scalar. */
function equals(wanted: Scalar, value: unknown): boolean | undefined {
  if (value === undefined) return wanted === null;
  if (!isScalar(value)) return undefined;
  if (wanted === null || value === null) return wanted === value;
  if (wanted instanceof ObjectId) return value instanceof ObjectId && wanted.equals(value);
  if (wanted instanceof Date) return value instanceof Date && wanted.getTime() === value.getTime();
  return wanted === value;
}

type ScalarSet = { has(v: Exclude<Scalar, null>): boolean };

/**
 * Membership under `equals` for non-null scalars. Strings, numbers and booleans are looked up as
 * they are (a Set takes 0 and -0 as one, as MongoDB does), building nothing per document;
 * ObjectIds and Dates by their hex and time, in a set of their own.
 */
function scalarSet(list: Array<Exclude<Scalar, null>>): ScalarSet {
  const plain = new Set<unknown>();
  const tagged = new Set<string>();
  const tag = (v: ObjectId | Date) => (v instanceof ObjectId ? `o${v.toHexString()}` : `d${v.getTime()}`);
  for (const v of list) {
    if (typeof v === 'object') tagged.add(tag(v));
    else plain.add(v);
  }
  return { has: (v) => (typeof v === 'object' ? tagged.has(tag(v)) : plain.has(v)) };
}

const field = (key: string): boolean => !key.startsWith('$') && !key.includes('.');

/** A document's own field: one named like an Object.prototype member (`toLocaleString`) is not inherited. */
const own = (doc: Doc, name: string): unknown => (Object.hasOwn(doc, name) ? doc[name] : undefined);

type Bound = string | number | Date;

/** A range bound this matcher compares itself: a string, a number (not NaN) or a valid Date. */
const isBound = (v: unknown): v is Bound => typeof v === 'string' || (typeof v === 'number' && !Number.isNaN(v)) || (v instanceof Date && !Number.isNaN(v.getTime()));

const RANGE: Record<string, (c: number) => boolean> = { $gt: (c) => c > 0, $gte: (c) => c >= 0, $lt: (c) => c < 0, $lte: (c) => c <= 0 };

/**
 * `$gt`/`$gte`/`$lt`/`$lte` against a string, number or Date: only values of the same kind match
 * (MongoDB's type bracketing), compared in MongoDB's order (strings by code point, see
 * compareStrings). Missing, null and other plain scalars do not match; arrays go to mingo.
 */
function range(name: string, op: string, bound: Bound): FastTest {
  const holds = RANGE[op]!;
  const kind = bound instanceof Date ? 'date' : typeof bound;
  return (doc) => {
    const value = own(doc, name);
    if (value === undefined) return false;
    if (!isScalar(value)) return undefined;
    if ((value instanceof Date ? 'date' : typeof value) !== kind) return false;
    return holds(compareBson(value, bound));
  };
}

/** `{f: {$op: ..., ...}}` (every operator must hold) or `{f: scalar}`; null when outside what this matcher knows. */
function condition(name: string, spec: unknown): FastTest | null {
  if (isScalar(spec)) return (doc) => equals(spec, own(doc, name));
  if (!spec || typeof spec !== 'object' || Array.isArray(spec) || spec instanceof ObjectId || spec instanceof Date) return null;
  const ops = Object.entries(spec as Record<string, unknown>);
  if (ops.length === 0) return null;
  const tests = ops.map(([op, arg]) => operator(name, op, arg));
  if (tests.some((t) => t === null)) return null;
  return tests.length === 1 ? tests[0]! : all(tests as FastTest[]);
}

function operator(name: string, op: string, arg: unknown): FastTest | null {
  if (Object.hasOwn(RANGE, op) && isBound(arg)) return range(name, op, arg);
  if (op === '$eq' && isScalar(arg)) return (doc) => equals(arg, own(doc, name));
  if (op === '$ne' && isScalar(arg)) return (doc) => not(equals(arg, own(doc, name)));
  if (op === '$exists' && typeof arg === 'boolean') return (doc) => (own(doc, name) !== undefined) === arg;
  if (op === '$in' && Array.isArray(arg) && arg.length <= 1000 && arg.every(isScalar)) {
    // A long list (the outbox's 200 delivered event ids) is looked up, not walked, for each document.
    const keys = arg.length > 8 && !arg.includes(null) ? scalarSet(arg as Array<Exclude<Scalar, null>>) : null;
    return (doc) => {
      const value = own(doc, name);
      if (value !== undefined && !isScalar(value)) return undefined;
      if (keys) return value !== undefined && value !== null && keys.has(value);
      return arg.some((a) => equals(a, value) === true);
    };
  }
  return null;
}

const not = (r: boolean | undefined): boolean | undefined => (r === undefined ? undefined : !r);

function all(tests: FastTest[]): FastTest {
  return (doc) => {
    let unsure = false;
    for (const t of tests) {
      const r = t(doc);
      if (r === false) return false;
      if (r === undefined) unsure = true;
    }
    return unsure ? undefined : true;
  };
}

function any(tests: FastTest[]): FastTest {
  return (doc) => {
    let unsure = false;
    for (const t of tests) {
      const r = t(doc);
      if (r === true) return true;
      if (r === undefined) unsure = true;
    }
    return unsure ? undefined : false;
  };
}

/** The fast test for `filter`, or null when some part of it is outside this matcher. */
export function compileFastFilter(filter: Doc): FastTest | null {
  const split = splitFastFilter(filter);
  return split && !split.rest ? split.fast : null;
}

/**
 * The top-level conditions of a filter are a conjunction, so the ones this matcher knows can be
 * decided here and only the `rest` left to mingo: `{_id: {$in: [500 ids]}, 'a.0': {$exists: true}}`
 * then costs mingo one `$exists` per candidate instead of hashing the 500 ids for each.
 * null when no condition is known.
 */
export function splitFastFilter(filter: Doc): { fast: FastTest; rest: Doc | null } | null {
  const tests: FastTest[] = [];
  let rest: Doc | null = null;
  for (const [key, value] of Object.entries(filter)) {
    const test = topLevel(key, value);
    if (test) tests.push(test);
    else (rest ??= {})[key] = value;
  }
  return tests.length || !rest ? { fast: all(tests), rest } : null;
}

function topLevel(key: string, value: unknown): FastTest | null {
  if ((key === '$and' || key === '$or') && Array.isArray(value) && value.length > 0) {
    const parts = value.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? compileFastFilter(v as Doc) : null));
    if (parts.some((p) => p === null)) return null;
    return key === '$and' ? all(parts as FastTest[]) : any(parts as FastTest[]);
  }
  return field(key) ? condition(key, value) : null;
}
