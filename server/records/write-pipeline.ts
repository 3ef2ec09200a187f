/**
 * The one path every record write takes (ARCHITECTURE.md "The record write pipeline"): resolve
 * the entity, authorize, validate and normalise, compute, (hooks: issue 6), write atomically with
 * `_version` and the pending events in the same document, then dispatch. Routes, bulk calls,
 * imports, workflows and plugins all come through here.
 */
import { ObjectId, type Document, type MongoServerError } from 'mongodb';
import type { Actor, FieldAccess } from '../shared/actor.ts';
import type { FieldError } from '../shared/errors.ts';
import type { CompiledEntity } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import { checkInput, summary } from './validate-input.ts';
import { applyDefaults, assignAutonumbers, checkReferences, checkRequired, computeFormulas, computeSearch, type WriteContext } from './computed-values.ts';
import { changeEvent, sameValue, type Channel } from './change-events.ts';
import { compactChanges } from '../audit/event-changes.ts';
import { attachFiles } from './files/attach-files.ts';
import { guardDuplicates, type DuplicateOptions } from './duplicate-guard.ts';
import { computeTitle } from './record-title.ts';

/**
 * `fields`: the actor's field permissions, so hidden and read-only fields are refused with the rest.
 * `newId`: the new record's id when the caller must know it in advance (a workflow step that may run
 * again after a crash looks for it instead of creating a second record).
 * `duplicates`: who wants to hear about `warn` matches, which records do not count (issue 5).
 * `checkedRelations`: relation fields whose values the caller has already checked, in batches,
 * against the records the actor can read (an import resolves them that way); not checked again.
 */
export type WriteRequest = { actor: Actor; channel: Channel; pointerBase?: string; fields?: Readonly<Record<string, FieldAccess>>; hookDepth?: number; newId?: ObjectId; duplicates?: DuplicateOptions; checkedRelations?: ReadonlySet<string> };

function fail(errors: FieldError[]): never {
  throw recordProblems.validationFailed.create({ detail: summary(errors), errors });
}

/** Steps 2–4 for a new record: the document to insert, with its pending event. */
export async function prepareCreate(ctx: WriteContext, entity: CompiledEntity, body: unknown, req: WriteRequest): Promise<Document> {
  const input = checkInput(entity, body, req.pointerBase, req.fields);
  const now = new Date();
  const doc: Document = { _id: req.newId ?? new ObjectId(), ...input.set };
  applyDefaults(entity, doc);
  // An import runs this for every row: steps an entity has nothing for (files, autonumbers, formulas)
  // are not even called, and the duplicate guard and the title give a promise only when they have
  // something to wait for.
  const errors = [...checkRequired(entity, doc), ...(await checkReferences(ctx, entity, input.set, req.actor, req.checkedRelations)), ...(entity.files.length ? await attachFiles(ctx, entity, doc, input.set) : [])];
  if (errors.length) fail(prefix(errors, req.pointerBase));
  const guarded = guardDuplicates(ctx.duplicates, { entity, doc, before: null, actor: req.actor, pointerBase: req.pointerBase, options: req.duplicates });
  if (guarded) await guarded;
  if (entity.autonumbers.length) await assignAutonumbers(ctx, entity, doc);
  // Formulas and the title see the record as it will be stored, its audit fields included.
  Object.assign(doc, { createdAt: now, createdBy: req.actor.id, updatedAt: now, updatedBy: req.actor.id, ownerId: req.actor.id, _version: 1 });
  if (entity.formulas.length) await computeFormulas(ctx, entity, doc);
  const titled = computeTitle(ctx, entity, doc);
  if (titled) await titled;
  computeSearch(entity, doc);
  const event = changeEvent({ entity, type: 'created', before: null, after: doc, actor: req.actor, channel: req.channel, at: now, depth: req.hookDepth });
  if (event) doc._outbox = [compactChanges(event)];
  return doc;
}

export type PreparedUpdate = { filter: Document; update: Document; after: Document; changed: boolean };

/**
 * Steps 2–4 for a change to `existing`. `replace` (PUT) clears every writable field the body
 * leaves out; a patch touches only the fields it names.
 */
export async function prepareUpdate(ctx: WriteContext, entity: CompiledEntity, existing: Document, body: unknown, req: WriteRequest & { replace: boolean; keep?: ReadonlySet<string> }): Promise<PreparedUpdate> {
  const input = checkInput(entity, body, req.pointerBase, req.fields);
  const clear = new Set(input.clear);
  if (req.replace) {
    for (const field of entity.definition.fields) if (!(field.name in input.set) && !req.keep?.has(field.name) && isWritableByReplace(entity, field.name)) clear.add(field.name);
  }
  const after: Document = { ...existing, ...input.set };
  for (const name of clear) delete after[name];
  const errors = [...checkRequired(entity, after), ...(await checkReferences(ctx, entity, input.set, req.actor, req.checkedRelations)), ...(entity.files.length ? await attachFiles(ctx, entity, after, input.set) : [])];
  if (errors.length) fail(prefix(errors, req.pointerBase));
  const guarded = guardDuplicates(ctx.duplicates, { entity, doc: after, before: existing, actor: req.actor, pointerBase: req.pointerBase, options: req.duplicates });
  if (guarded) await guarded;
  const now = new Date();
  Object.assign(after, { updatedAt: now, updatedBy: req.actor.id, _version: (existing._version ?? 0) + 1 });
  if (entity.formulas.length) await computeFormulas(ctx, entity, after);
  const titled = computeTitle(ctx, entity, after, existing);
  if (titled) await titled;
  computeSearch(entity, after);
  const event = changeEvent({ entity, type: 'updated', before: existing, after, actor: req.actor, channel: req.channel, at: now, depth: req.hookDepth });
  return { filter: { _id: existing._id, _version: existing._version, _deleting: { $exists: false } }, update: toUpdate(existing, after, event), after, changed: event !== null };
}

function isWritableByReplace(entity: CompiledEntity, name: string): boolean {
  const field = entity.fields.get(name);
  return !!field && !field.readOnly && !['autonumber', 'formula', 'rollup'].includes(field.type);
}

const INTERNAL = new Set(['_id', '_outbox', '_version']);
/** Written together whenever present: a title never ends up with another rendering's fields, template version or search words (a retitle may have changed them since the read). */
const TOGETHER = new Set(['_title', '_titleUses', '_titleKey', '_search']);

/** $set/$unset of what differs; `_version` is bumped by the filter-and-set, never by the client. */
function toUpdate(before: Document, after: Document, event: Document | null): Document {
  const $set: Document = { _version: after._version };
  const $unset: Document = {};
  for (const [key, value] of Object.entries(after)) if (!INTERNAL.has(key) && (TOGETHER.has(key) || !sameValue(before[key], value))) $set[key] = value;
  for (const key of Object.keys(before)) if (!INTERNAL.has(key) && !(key in after)) $unset[key] = '';
  return { $set, ...(Object.keys($unset).length ? { $unset } : {}), ...(event ? { $push: { _outbox: event } } : {}) };
}

function prefix(errors: FieldError[], base = ''): FieldError[] {
  return base ? errors.map((e) => ({ ...e, pointer: base + e.pointer })) : errors;
}

/** Step 6's error edge: a unique index refusal becomes record-conflict on the field concerned. */
export function translateWriteError(err: unknown, pointerBase = ''): never {
  const e = err as MongoServerError;
  if (e?.code === 11000) {
    const field = Object.keys(e.keyPattern ?? {})[0]?.split('.')[0] ?? '';
    throw recordProblems.recordConflict.create({ detail: `Another record already has this ${field || 'value'}`, errors: [{ pointer: `${pointerBase}/${field}`, detail: 'must be unique' }] });
  }
  throw err;
}
