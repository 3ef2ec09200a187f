/**
 * Step 4 of the write pipeline: what the server computes: defaults, autonumbers, formulas (with
 * the parent records they read) and the search words; plus the checks that need the whole
 * record: required, required-when, and that relations point at records that exist.
 */
import { ObjectId, type Document } from 'mongodb';
import type { FieldError } from '../shared/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { scopeFilter } from './access.ts';
import type { SaveHooks } from './save-hooks.ts';
import type { DuplicateGuard } from './duplicate-guard.ts';
import type { RecordTitles } from './record-title.ts';
import type { InsertRefusal, StagedInsert } from '../audit/index.ts';
import { AUDIT_FIELDS, fieldTypeOf, type CompiledEntity, type Field, type MetadataStore } from '../metadata/index.ts';
import { formulaValue } from './record-view.ts';
import { loadParents, missingIds, parentKey, type ParentCache, type ReadContext } from './parents.ts';
import { searchWords } from './search-tokens.ts';

/** Told about every document a write left events in (the outbox dispatcher). */
export type EventSink = {
  notify(collection: string, id: unknown): void;
  /** Inserts new records (unordered), their events delivered through one outbox document for all of them; the ones refused come back. */
  insertRecords(collection: string, docs: Document[]): Promise<InsertRefusal[]>;
  /** The same in two steps: their events are stored from now on, the records when `insert` is called (an import's next batch). */
  stageRecords(collection: string, docs: Document[]): StagedInsert;
};

/** Whether an id names a user (issue 4): user fields must point at one. */
export type UserLookup = { exists(id: string): boolean };

export type WriteContext = ReadContext & { store: MetadataStore; events: EventSink; users?: UserLookup; hooks?: SaveHooks; duplicates?: DuplicateGuard; titles?: RecordTitles };

const isBlank = (v: unknown): boolean => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

export function applyDefaults(entity: CompiledEntity, doc: Document): void {
  for (const field of entity.definition.fields) {
    if (field.default === undefined || doc[field.name] !== undefined) continue;
    const stored = fieldTypeOf(field).toStored(structuredClone(field.default), field);
    if (stored.ok) doc[field.name] = stored.value;
  }
}

export function checkRequired(entity: CompiledEntity, doc: Document): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of entity.definition.fields) {
    if (fieldTypeOf(field).source !== 'input' || !isBlank(doc[field.name])) continue;
    if (field.required) errors.push({ pointer: `/${field.name}`, detail: 'is required' });
    else if (field.requiredWhen && conditionHolds(entity, field.requiredWhen, doc)) {
      errors.push({ pointer: `/${field.name}`, detail: `is required when ${field.requiredWhen.field} ${describeCondition(field.requiredWhen)}` });
    }
  }
  return errors;
}

type Condition = NonNullable<Field['requiredWhen']>;

function conditionHolds(entity: CompiledEntity, c: Condition, doc: Document): boolean {
  const other = entity.fields.get(c.field);
  const value = other ? fieldTypeOf(other).toApi(doc[c.field], other) : undefined;
  switch (c.op) {
    case 'isSet': return !isBlank(value);
    case 'isNotSet': return isBlank(value);
    case 'eq': return value === c.value;
    case 'ne': return value !== c.value;
    case 'in': return Array.isArray(c.value) && c.value.includes(value);
  }
}

const describeCondition = (c: Condition): string => (c.op === 'isSet' || c.op === 'isNotSet' ? c.op.replace('is', 'is ').toLowerCase() : `${c.op} ${JSON.stringify(c.value)}`);

/**
 * Every relation value must point at a record that exists and that the actor can read: linking to
 * a record you cannot see would confirm it exists (issue 4), so both answer the same. `checked`:
 * relation fields the caller has already checked that way (an import, in batches).
 */
export async function checkReferences(ctx: ReadContext & { users?: UserLookup }, entity: CompiledEntity, set: Document, actor: Actor, checked?: ReadonlySet<string>): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const field of entity.definition.fields) {
    const value = set[field.name];
    if (field.type === 'user' && value instanceof ObjectId && ctx.users && !ctx.users.exists(value.toHexString())) errors.push({ pointer: `/${field.name}`, detail: `is not a user (${value.toHexString()})` });
  }
  for (const field of [...entity.relations, ...entity.manyToMany]) {
    const value = set[field.name];
    if (value === undefined || checked?.has(field.name)) continue;
    const target = ctx.registry.get(field.target);
    const ids: ObjectId[] = field.type === 'relation' ? [value as ObjectId] : (value as Array<{ _id: ObjectId }>).map((l) => l._id);
    const perms = target && actor.permissions(target.name);
    const scope = target && perms?.operations.read ? { scope: scopeFilter(target, perms.read) } : null;
    const missing = target && scope ? new Set((await missingIds(ctx.db, target, ids, scope.scope)).map((id) => id.toHexString())) : new Set(ids.map((id) => id.toHexString()));
    ids.forEach((id, i) => {
      if (!missing.has(id.toHexString())) return;
      const pointer = field.type === 'relation' ? `/${field.name}` : `/${field.name}/${i}`;
      errors.push({ pointer, detail: `points at no ${field.target} record (${id.toHexString()})` });
    });
  }
  return errors;
}

export async function assignAutonumbers(ctx: WriteContext, entity: CompiledEntity, doc: Document): Promise<void> {
  for (const field of entity.autonumbers) {
    const n = await ctx.store.nextCounter(`${entity.name}.${field.name}`);
    doc[field.name] = field.pattern.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
  }
}

/** Computes every formula into `doc`, in dependency order; parents are loaded once. */
export async function computeFormulas(ctx: ReadContext, entity: CompiledEntity, doc: Document, cache?: ParentCache): Promise<void> {
  if (!entity.formulas.length) return;
  const relationPaths = entity.formulas.flatMap((f) => f.formula.references.filter((r) => r.length > 1).map((r) => r.slice(0, -1)));
  const parents = cache ?? (relationPaths.length ? await loadParents(ctx, entity, [doc], relationPaths) : new Map());
  const now = new Date();
  for (const { field, formula } of entity.formulas) {
    const result = asResultType(field.resultType, formula.evaluate(formulaScope(ctx, entity, doc, parents, 0), now));
    if (result === null) delete doc[field.name];
    else doc[field.name] = result;
  }
}

/**
 * A formula's value in the stored form of its declared result type, so that every record holds
 * one type at that path (sorting, filtering and paging rely on it); anything else is blank.
 */
export function asResultType(type: 'text' | 'number' | 'boolean' | 'date' | 'datetime', value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'text':
      return value instanceof Date ? value.toISOString() : typeof value === 'object' ? null : String(value);
    case 'date': {
      const iso = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : '';
      return /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : null;
    }
    case 'datetime': {
      const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
      return date && !Number.isNaN(date.getTime()) ? date : null;
    }
  }
}

/** The record as a formula sees it, with parents nested under their relation fields (two levels). */
export function formulaScope(ctx: ReadContext, entity: CompiledEntity, doc: Document, parents: ParentCache, depth: number): Record<string, unknown> {
  const scope: Record<string, unknown> = Object.create(null);
  for (const field of entity.definition.fields) {
    scope[field.name] = formulaValue(field, doc[field.name]);
    if (field.type === 'relation' && depth < 2 && doc[field.name] instanceof ObjectId) {
      const target = ctx.registry.get(field.target);
      const parent = target && parents.get(parentKey(target.name, doc[field.name]));
      if (target && parent) scope[field.name] = formulaScope(ctx, target, parent, parents, depth + 1);
    }
  }
  for (const name of AUDIT_FIELDS) scope[name] = doc[name] ?? null;
  scope._id = doc._id instanceof ObjectId ? doc._id.toHexString() : null;
  return scope;
}

/** The search words: of the search fields, else of the title field and the title a template gave. */
export function computeSearch(entity: CompiledEntity, doc: Document): void {
  const own = entity.definition.searchFields?.length;
  const fields = own ? entity.definition.searchFields! : entity.definition.titleField ? [entity.definition.titleField] : [];
  const values = [...fields.map((name) => doc[name]), ...(own ? [] : [doc._title])];
  if (values.some((v) => v !== undefined)) doc._search = searchWords(values);
  else delete doc._search;
}
