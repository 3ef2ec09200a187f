/**
 * Step 2 of the write pipeline and the scope of every read (issue 4), in one place: object
 * permissions, field permissions and the record scope as part of the MongoDB filter. An entity
 * the actor cannot read does not exist for them (404); hidden fields are, to them, not fields at
 * all, so filters, sorts, field lists and error messages cannot reveal them.
 */
import type { Document } from 'mongodb';
import { metadataProblems, type CompiledEntity, type EntityDefinition } from '../metadata/index.ts';
import { sharedProblems, type FieldError } from '../shared/errors.ts';
import type { Actor, EntityPermissions, Operation, RecordScope } from '../shared/actor.ts';
import { translateFilter } from './query/index.ts';

const NOTHING: Document = { _id: { $in: [] } };

/** The actor's permissions on the entity; 404 when they cannot read it, 403 when they cannot do `op`. */
export function authorize(actor: Actor, entity: CompiledEntity, op: Operation): EntityPermissions {
  const perms = actor.permissions(entity.name);
  if (!perms.operations.read) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${entity.name}"` });
  if (!perms.operations[op]) throw sharedProblems.forbidden.create({ detail: `You may not ${op} ${entity.definition.pluralLabel ?? entity.name} records` });
  return perms;
}

/** The filter for the records in `scope`, or null for all records. A sharing rule that no longer translates (its field was removed) matches nothing. */
export function scopeFilter(entity: CompiledEntity, scope: RecordScope): Document | null {
  if (scope.all) return null;
  const parts: Document[] = [];
  if (scope.ownerIds.length) parts.push({ ownerId: { $in: scope.ownerIds } });
  for (const filter of scope.filters) {
    try {
      parts.push(translateFilter(entity.definition, filter));
    } catch {
      // fail closed: the rule grants nothing
    }
  }
  return parts.length === 0 ? NOTHING : parts.length === 1 ? parts[0]! : { $or: parts };
}

/** `filter` narrowed to the records in scope. */
export function withScope(filter: Document, scope: Document | null): Document {
  if (!scope) return filter;
  return Object.keys(filter).length ? { $and: [filter, scope] } : scope;
}

const hiddenOf = (perms: EntityPermissions): string[] => Object.keys(perms.fields).filter((name) => perms.fields[name] === 'hidden');

const visibleCache = new WeakMap<EntityDefinition, Map<string, EntityDefinition>>();

/** The definition as the actor sees it: hidden fields are gone. Memoised per definition version. */
export function visibleDefinition(entity: CompiledEntity, perms: EntityPermissions): EntityDefinition {
  const hidden = hiddenOf(perms).filter((name) => entity.fields.has(name));
  if (!hidden.length) return entity.definition;
  const key = hidden.sort().join(',');
  const byKey = visibleCache.get(entity.definition) ?? new Map<string, EntityDefinition>();
  visibleCache.set(entity.definition, byKey);
  let visible = byKey.get(key);
  if (!visible) {
    visible = { ...entity.definition, fields: entity.definition.fields.filter((f) => !hidden.includes(f.name)), searchFields: entity.definition.searchFields?.filter((n) => !hidden.includes(n)) };
    byKey.set(key, visible);
  }
  return visible;
}

/** The field names the actor may see, or null when they see every field. */
export function visibleNames(entity: CompiledEntity, perms: EntityPermissions): Set<string> | null {
  const hidden = hiddenOf(perms);
  if (!hidden.some((name) => entity.fields.has(name))) return null;
  return new Set([...visibleDefinition(entity, perms).fields.map((f) => f.name), 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'ownerId']);
}

/** Narrows a requested field list (or all fields) to the visible ones. */
export function visibleOnly(requested: ReadonlySet<string> | null, visible: ReadonlySet<string> | null): ReadonlySet<string> | null {
  if (!visible) return requested;
  if (!requested) return visible;
  return new Set([...requested].filter((n) => visible.has(n) || n === '_id' || n === '_version'));
}

/** Problems the pipeline found on fields the actor cannot see are not theirs to read: they become one generic problem. */
export function redactFieldErrors(errors: FieldError[] | undefined, entity: CompiledEntity, perms: EntityPermissions, pointerBase = ''): FieldError[] | undefined {
  const hidden = new Set(hiddenOf(perms));
  if (!errors || !hidden.size) return errors;
  // "is not a field" only echoes a key the client sent: that answer is the same as for an unknown key, so it stays.
  const unknown = `is not a field of ${entity.name}`;
  const isHidden = (e: FieldError) => e.detail !== unknown && hidden.has(e.pointer.slice(pointerBase.length).split('/')[1] ?? '');
  const shown = errors.filter((e) => !isHidden(e));
  return shown.length === errors.length ? errors : [...shown, { pointer: pointerBase || '/', detail: `a field you cannot see refused this change; ask an administrator of ${entity.name}` }];
}
