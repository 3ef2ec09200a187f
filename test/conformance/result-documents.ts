// "Converting Returned Model Objects to Documents": driver result classes (BulkWriteResult,
// ClientBulkWriteResult with its Maps, WriteError, ...) become plain documents before matching.
import { bsonTag } from './bson-compare.ts';

// The driver exports WriteError and WriteConcernError as types only, so they are recognised by
// shape: the raw server error kept in `err` / `serverError`, read through prototype getters.
type WrappedError = { err?: unknown; serverError?: unknown; code?: unknown; index?: unknown; errmsg?: unknown; errInfo?: unknown };

function isWrappedWriteError(value: object): value is WrappedError {
  return (Object.hasOwn(value, 'err') || Object.hasOwn(value, 'serverError')) && 'errmsg' in value && 'code' in value;
}

export function resultToDocument(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (bsonTag(value) !== undefined || value instanceof Date || value instanceof RegExp || value instanceof Uint8Array) {
    return value;
  }
  if (Array.isArray(value)) return value.map(resultToDocument);
  if (value instanceof Map) {
    return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), resultToDocument(v)]));
  }
  if (isWrappedWriteError(value)) {
    return dropUndefined({ code: value.code, index: value.index, errmsg: value.errmsg, errInfo: value.errInfo });
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries.map(([k, v]) => [k, resultToDocument(v)]));
}

function dropUndefined(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
}
