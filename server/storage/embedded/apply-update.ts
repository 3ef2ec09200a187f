/**
 * Applies an update (replacement, operators or pipeline) to a copy of a stored document, with
 * MongoDB's rules: _id is immutable, operators may not conflict, $setOnInsert only on upsert.
 */
import { ObjectId } from 'bson';
import { updateOne } from 'mingo';
import { cloneDeep } from 'mingo/util';
import { compareBson, isPlainObject } from './bson-values.ts';
import type { Doc } from './collection-store.ts';
import { checkDepth, checkId } from './doc-rules.ts';
import { fail } from './engine-errors.ts';
import { fastUpdate } from './fast-update.ts';

export type UpdateSpec = Doc | Doc[];
export type UpdateOptions = {
  arrayFilters?: Doc[];
  variables?: Doc;
  collation?: Doc;
  /** True when the document is being created by an upsert ($setOnInsert applies). */
  inserting?: boolean;
};

const OPERATORS = new Set([
  '$addToSet', '$bit', '$currentDate', '$inc', '$max', '$min', '$mul', '$pop', '$pull', '$pullAll',
  '$push', '$rename', '$set', '$setOnInsert', '$unset',
]);

export function isReplacement(update: UpdateSpec): update is Doc {
  return !Array.isArray(update) && Object.keys(update).every((k) => !k.startsWith('$'));
}

/** Returns the updated document, or the same object when nothing changed. Never mutates `doc`. */
export function applyUpdate(doc: Doc, update: UpdateSpec, options: UpdateOptions = {}): Doc {
  let next: Doc;
  if (isReplacement(update)) next = replaceDocument(doc, update);
  else if (Array.isArray(update)) next = keepId(doc, runModifier(doc, update, options));
  else {
    const ops = operatorsFor(update, options.inserting ?? false);
    next = (!options.arrayFilters?.length && fastUpdate(doc, ops)) || runModifier(doc, ops, options);
  }
  if (next === doc) return doc;
  if (compareBson(next._id, doc._id) !== 0 || (next._id === undefined) !== (doc._id === undefined)) {
    fail('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  checkDepth(next, 1);
  return next;
}

/** A pipeline whose output has no _id keeps the document's own, as MongoDB does. */
function keepId(doc: Doc, next: Doc): Doc {
  if (next === doc || next._id !== undefined || doc._id === undefined) return next;
  return { _id: doc._id, ...next };
}

function replaceDocument(doc: Doc, replacement: Doc): Doc {
  const { _id, ...rest } = replacement;
  if (_id !== undefined && doc._id !== undefined && compareBson(_id, doc._id) !== 0) {
    fail('ImmutableField', "After applying the update, the (immutable) field '_id' was found to have been altered");
  }
  const id = doc._id ?? _id;
  return id === undefined ? rest : { _id: id, ...rest };
}

function operatorsFor(update: Doc, inserting: boolean): Doc {
  const ops: Doc = {};
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!OPERATORS.has(op)) fail('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!isPlainObject(fields)) fail('FailedToParse', `Modifiers operate on fields but we found type ${typeof fields} instead. For example: {$mod: {<field>: ...}} not {${op}: ${String(fields)}}`);
    for (const path of [...Object.keys(fields), ...(op === '$rename' ? Object.values(fields).map(String) : [])]) {
      checkPath(path);
      const clash = paths.find((p) => p === path || p.startsWith(`${path}.`) || path.startsWith(`${p}.`));
      if (clash !== undefined) fail('ConflictingUpdateOperators', `Updating the path '${path}' would create a conflict at '${clash}'`);
      paths.push(path);
    }
    if (op === '$setOnInsert') {
      if (inserting) ops.$set = { ...(ops.$set as Doc), ...fields };
    } else if (op === '$set') ops.$set = { ...(ops.$set as Doc), ...fields };
    else ops[op] = fields;
  }
  return ops;
}

function runModifier(doc: Doc, modifier: Doc | Doc[], options: UpdateOptions): Doc {
  if (!Array.isArray(modifier) && Object.keys(modifier).length === 0) return doc;
  const docs = [cloneDeep(doc) as Doc];
  let modifiedCount: number;
  try {
    ({ modifiedCount } = updateOne(docs, {}, modifier as never, {
      arrayFilters: options.arrayFilters,
      let: options.variables,
      collation: options.collation as never,
    }));
  } catch (err) {
    const message = (err as Error).message;
    fail(/immutable field '_id'/.test(message) ? 'ImmutableField' : 'BadValue', message);
  }
  return modifiedCount > 0 ? docs[0]! : doc;
}

/**
 * The document an upsert starts from: the equality conditions of the filter (top level and
 * inside $and), before the update is applied with `inserting: true`.
 */
export function upsertSeed(filter: Doc): Doc {
  const seed: Doc = {};
  collectEqualities(filter, seed);
  return seed;
}

function collectEqualities(filter: Doc, seed: Doc): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collectEqualities(clause, seed);
      continue;
    }
    if (key.startsWith('$')) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$eq' in value) setPath(seed, key, value.$eq);
      continue;
    }
    setPath(seed, key, value);
  }
}

/**
 * Update paths are walked as JavaScript property paths, so a `__proto__` segment would reach
 * Object.prototype (a client could change every object in the engine). MongoDB field names may
 * be anything, but this one is refused in update and upsert paths.
 */
function checkPath(path: string): void {
  if (path.split('.').includes('__proto__')) fail('BadValue', `the field name '__proto__' is not allowed in update paths: ${path}`);
}

function setPath(doc: Doc, path: string, value: unknown): void {
  checkPath(path);
  const parts = path.split('.');
  let target = doc;
  for (const part of parts.slice(0, -1)) {
    if (!Object.hasOwn(target, part) || !isPlainObject(target[part])) target[part] = {};
    target = target[part] as Doc;
  }
  target[parts.at(-1)!] = value;
}

/** Finishes an upserted document: _id first, generated when the filter and update gave none. */
export function finishUpsert(doc: Doc): Doc {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  checkId(doc._id);
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}
