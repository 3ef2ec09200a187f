/**
 * Keyset pagination. A cursor holds the sort values of the last record of a page (its `_id`
 * included, the final sort key); the next page is "records strictly after that position in the
 * sort order". Unlike skip/limit it costs the same on page 1000 as on page 1 and neither skips nor
 * repeats records when others are inserted or deleted meanwhile.
 *
 * The cursor is not signed: it only positions a page, and the filter and the caller's record
 * scope still decide what can be read. It is validated strictly so a forged one is a 400, never
 * a MongoDB operator or a surprising type inside the filter.
 */
import { createHash } from 'node:crypto';
import { BSON, type Document, type Filter } from 'mongodb';
import { invalidQuery } from './query-errors.ts';
import { isCursorValue, parseCursorValues } from './cursor-values.ts';
import type { SortDirection, SortSpec } from './sort.ts';

/** Generous for four long text keys; a cursor rides in a URL, so it cannot grow without bound anyway. */
const MAX_CURSOR_LENGTH = 32_768;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

const badCursor = (detail: string) => invalidQuery('The cursor', [{ pointer: '/cursor', detail }]);

/** Short hash of the sort (and of this format's version), so a cursor cannot be replayed under another order. */
function fingerprint(sort: SortSpec): string {
  return createHash('sha256').update(JSON.stringify(['cursor-v1', sort])).digest('base64url').slice(0, 12);
}

/** The value MongoDB sorts on at a dotted path; null when absent, as MongoDB treats missing and null alike. */
function valueAt(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, part)) return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}

/**
 * The cursor for the page after `lastDoc`, a stored document as returned by the driver. Canonical
 * EJSON keeps Dates, ObjectIds and number types exact through the round trip.
 */
export function encodeCursor(sort: SortSpec, lastDoc: Document): string {
  const values = sort.map(([path]) => {
    const value = valueAt(lastDoc, path);
    // Sortable fields hold single values; anything else is damaged data a cursor cannot express.
    if (!isCursorValue(value)) throw badCursorSource(path);
    return value;
  });
  const json = BSON.EJSON.stringify({ s: fingerprint(sort), k: values }, { relaxed: false });
  return Buffer.from(json, 'utf8').toString('base64url');
}

function decodeCursor(sort: SortSpec, cursor: string): unknown[] {
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw badCursor('is not a cursor this API returned');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('is not a cursor this API returned');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || Object.keys(payload).sort().join(',') !== 'k,s') {
    throw badCursor('is not a cursor this API returned');
  }
  const { s, k } = payload as { s: unknown; k: unknown };
  if (s !== fingerprint(sort)) throw badCursor('was made for a different sort order; request the first page again without a cursor');
  const values = parseCursorValues(k, sort.length);
  if (!values) throw badCursor('is damaged: its sort values are not valid');
  // Records are keyed by ObjectId; any other _id type can only come from tampering.
  if (sort.some(([path], i) => path === '_id' && !(values[i] instanceof BSON.ObjectId))) throw badCursor('is damaged: its record id is not valid');
  return values;
}

/** Records after `value` on one key: null and missing sort first ascending, last descending. */
function afterKey(path: string, direction: SortDirection, value: unknown): Document | null {
  if (value === null) return direction === 1 ? { [path]: { $ne: null } } : null;
  if (direction === 1) return { [path]: { $gt: value } };
  return { $or: [{ [path]: { $lt: value } }, { [path]: { $eq: null } }] };
}

/**
 * The filter selecting records strictly after the cursor's position in `sort` order, or null
 * without a cursor; combine it with the request filter under `$and`. For keys k1..kn it is
 * "k1 after v1, or k1 = v1 and k2 after v2, or ...". `$eq: null` also matches a missing field,
 * like MongoDB's sort. Comparisons are type-bracketed in MongoDB, which is exact here because a
 * field holds one type (plus null).
 */
export function cursorFilter(sort: SortSpec, cursor: string | undefined): Filter<Document> | null {
  if (cursor === undefined) return null;
  const values = decodeCursor(sort, cursor);
  const branches: Document[] = [];
  sort.forEach(([path, direction], i) => {
    const after = afterKey(path, direction, values[i]);
    if (!after) return;
    const equalBefore = sort.slice(0, i).map(([p], j) => ({ [p]: { $eq: values[j] } }));
    branches.push(equalBefore.length > 0 ? { $and: [...equalBefore, after] } : after);
  });
  // Nothing can follow (every key descending at null): a filter no record matches, as all have an _id.
  if (branches.length === 0) return { _id: { $exists: false } };
  return branches.length === 1 ? branches[0] : { $or: branches };
}

/** Stored data that does not fit the field (e.g. left by an older definition) cannot be paged past. */
function badCursorSource(path: string) {
  return invalidQuery('The records cannot be paged in this order', [
    { pointer: '/sort', detail: `some records hold a value at "${path}" that cannot be sorted; sort on another field` },
  ]);
}
