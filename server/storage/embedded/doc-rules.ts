/** MongoDB's rules for a document about to be stored; a violation is MongoDB's error, never a crash. */
import { ObjectId } from 'bson';
import { isPlainObject } from './bson-values.ts';
import { fail } from './engine-errors.ts';
import type { Doc } from './collection-store.ts';

const MAX_DEPTH = 100;

/** Puts _id first (adding an ObjectId if missing) and checks nesting and the _id's shape. */
export function prepareNewDocument(doc: Doc): Doc {
  if (!isPlainObject(doc)) fail('BadValue', 'document must be an object');
  checkDepth(doc, 1);
  if (!('_id' in doc) || doc._id === undefined) return { _id: new ObjectId(), ...doc };
  checkId(doc._id);
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

export function checkId(id: unknown): void {
  if (Array.isArray(id)) fail('BadValue', "can't use an array for _id");
  if (id instanceof RegExp || (id as { _bsontype?: string })?._bsontype === 'BSONRegExp') {
    fail('BadValue', "can't use a regex for _id");
  }
  if (isPlainObject(id)) {
    for (const key of Object.keys(id)) {
      if (key.startsWith('$')) fail('DollarPrefixedFieldName', `_id fields may not contain '$'-prefixed fields: ${key} is not valid for storage.`);
    }
  }
}

export function checkDepth(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) fail('Overflow', `document exceeds maximum nesting depth of ${MAX_DEPTH}`);
  if (Array.isArray(value)) {
    for (const v of value) if (v !== null && typeof v === 'object') checkDepth(v, depth + 1);
  } else if (isPlainObject(value)) {
    // Keys are walked without building a values array: this runs for every document written.
    for (const key in value) {
      const v = value[key];
      if (v !== null && typeof v === 'object') checkDepth(v, depth + 1);
    }
  }
}
