/**
 * Workflow conditions are filters in the records query language (issue 7), matched in memory
 * against a stored record: the filter is translated exactly as a list query would translate it
 * and then tested with mingo, the matcher the embedded engine uses, so a condition and a list
 * filter never disagree. The "before" record of a change is the current one with the event's
 * changed fields put back.
 */
import { Query } from 'mingo';
import type { Document } from 'mongodb';
import { fieldTypeOf, type CompiledEntity } from '../metadata/index.ts';
import { translateFilter, type FieldChange } from '../records/index.ts';

const cache = new Map<string, Query>();

export function matches(entity: CompiledEntity, filter: unknown, doc: Document | null): boolean {
  if (!doc) return false;
  const key = `${entity.name}:${entity.metadataVersion}:${JSON.stringify(filter)}`;
  let query = cache.get(key);
  if (!query) {
    if (cache.size > 5000) cache.clear();
    query = new Query(translateFilter(entity.definition, filter), {});
    cache.set(key, query);
  }
  return query.test(doc);
}

/**
 * The record on either side of a change, as far as the event tells: `current` (read when the event
 * is delivered, maybe after later writes) with this change's fields set to their values before
 * (`side` 'before') or after it. So each event is judged by its own change, not by later ones.
 */
export function recordAt(entity: CompiledEntity, current: Document, changes: FieldChange[], side: 'before' | 'after'): Document {
  const doc: Document = { ...current };
  for (const change of changes) {
    const field = entity.fields.get(change.field);
    const value = change[side];
    if (!field) continue;
    if (value === null) {
      delete doc[change.field];
      continue;
    }
    const stored = fieldTypeOf(field).toStored(value, field);
    if (stored.ok) doc[change.field] = stored.value;
  }
  return doc;
}

/** A trigger's `to`/`from` value (as an admin writes it, in API form) against a stored value. */
export function sameApiValue(entity: CompiledEntity, fieldName: string, apiValue: unknown, stored: unknown): boolean {
  const field = entity.fields.get(fieldName);
  if (!field) return false;
  return JSON.stringify(fieldTypeOf(field).toApi(stored, field)) === JSON.stringify(apiValue);
}
