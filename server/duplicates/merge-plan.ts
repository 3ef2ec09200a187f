/**
 * A merge, checked before anything is written (issue 5): the body, every record named, every
 * permission (update on the survivor, delete on each loser, update on every record that must move
 * to the survivor), the fields whose winner is chosen. A refusal leaves everything as it was.
 *
 * What moves: every relation of another record that points at a loser (many-to-one fields and
 * many-to-many links of any entity, this one included), and the survivor's own many-to-many
 * links are joined with the losers' unless `values` names a winner for them.
 */
import type { Document, ObjectId } from 'mongodb';
import type { ErrorObject } from 'ajv';
import { createAjv, fieldTypeOf, isClientWritable, OBJECT_ID_PATTERN, type CompiledEntity, type Field, type InboundLink } from '../metadata/index.ts';
import type { RecordsService } from '../records/index.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import { recordProblems } from '../records/records.problems.ts';
import { summary } from '../records/validate-input.ts';
import { pointerToken, Problem, sharedProblems, type FieldError } from '../shared/errors.ts';
import type { Actor } from '../shared/actor.ts';
import type { WriteContext } from '../records/index.ts';
import { duplicateProblems } from './duplicates.problems.ts';

/** Records merged into one at a time, besides the survivor (Salesforce merges three at most; Twenty more). */
export const MAX_LOSERS = 9;
/** Records one merge may move to the survivor: like a delete's cascade budget, a merge stays one bounded request. */
export const MAX_MOVES = 1000;

export type Move = { link: InboundLink; children: Document[] };
export type MergePlan = { entity: CompiledEntity; actor: Actor; survivor: Document; losers: Document[]; body: Record<string, unknown>; moves: Move[] };
export type MergeBody = { merge: string[]; values?: Record<string, string> };

const BODY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['merge'],
  properties: {
    merge: { type: 'array', minItems: 1, maxItems: MAX_LOSERS, items: { type: 'string', pattern: OBJECT_ID_PATTERN } },
    values: { type: 'object', maxProperties: 500, additionalProperties: { type: 'string', pattern: OBJECT_ID_PATTERN } },
  },
};
const checkBody = createAjv().compile(BODY_SCHEMA);

const invalid = (errors: FieldError[]) => duplicateProblems.invalidMerge.create({ detail: summary(errors), errors });
const hex = (id: unknown): string => (id as ObjectId).toHexString();

function bodyError(e: ErrorObject): FieldError {
  const member = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
  const detail = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not allowed' : e.keyword === 'pattern' ? 'must be a record id (24 hexadecimal characters)' : e.message ?? 'is invalid';
  return { pointer: e.instancePath + member || '/', detail };
}

function parseBody(body: unknown, survivorId: string): MergeBody {
  if (!checkBody(body)) throw invalid((checkBody.errors ?? []).map(bodyError));
  const parsed = body as MergeBody;
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  parsed.merge.forEach((id, i) => {
    const key = id.toLowerCase();
    if (key === survivorId.toLowerCase()) errors.push({ pointer: `/merge/${i}`, detail: 'is the record the others are merged into; a record cannot be merged with itself' });
    else if (seen.has(key)) errors.push({ pointer: `/merge/${i}`, detail: 'is listed twice' });
    seen.add(key);
  });
  if (errors.length) throw invalid(errors);
  return parsed;
}

/** Why the actor cannot take this field's value from another record, or null. */
function valueProblem(entity: CompiledEntity, access: Readonly<Record<string, string>>, name: string): string | null {
  const field = entity.fields.get(name);
  if (!field || access[name] === 'hidden') return `is not a field of ${entity.name}`;
  if (!isClientWritable(field)) return 'is computed or read-only';
  if (access[name] === 'read') return 'is read-only for you';
  if (entity.locked.has(name)) return 'is being converted to another type';
  if (field.type === 'file') return 'is a file: a file belongs to its record; download it and upload it to the surviving record';
  return null;
}

export function createMergePlanner(deps: { ctx: WriteContext; records: RecordsService }) {
  const { ctx, records } = deps;

  async function inEditScope(entity: CompiledEntity, actor: Actor, filter: Document): Promise<number> {
    return ctx.db.collection(entity.collection).countDocuments(withScope(filter, scopeFilter(entity, actor.permissions(entity.name).edit)));
  }

  async function loadLosers(entityName: string, ids: string[], actor: Actor): Promise<Document[]> {
    const a = records.access(entityName, actor, 'delete');
    const losers: Document[] = [];
    const missing: FieldError[] = [];
    for (const [i, id] of ids.entries()) {
      try {
        losers.push(await records.load(a, id));
      } catch (err) {
        if (!(err instanceof Problem) || err.status !== 404) throw err;
        missing.push({ pointer: `/merge/${i}`, detail: `there is no ${entityName} record ${id}` });
      }
    }
    if (missing.length) throw recordProblems.recordNotFound.create({ detail: summary(missing), errors: missing });
    const editable = await inEditScope(a.entity, actor, { _id: { $in: losers.map((l) => l._id as ObjectId) } });
    if (editable < losers.length) throw sharedProblems.forbidden.create({ detail: `You may read the ${entityName} records being merged but not delete all of them` });
    return losers;
  }

  /** The survivor's patch: the chosen winners' values, and its own many-to-many links joined with the losers'. */
  function survivorBody(entity: CompiledEntity, actor: Actor, survivor: Document, losers: Document[], values: Record<string, string>): Record<string, unknown> {
    const access = actor.permissions(entity.name).fields;
    const byId = new Map([survivor, ...losers].map((d) => [hex(d._id), d]));
    const errors: FieldError[] = [];
    const body: Record<string, unknown> = {};
    for (const [name, id] of Object.entries(values)) {
      const pointer = `/values/${pointerToken(name)}`;
      const problem = valueProblem(entity, access, name);
      const source = byId.get(id.toLowerCase());
      if (problem) errors.push({ pointer, detail: problem });
      else if (!source) errors.push({ pointer, detail: 'must be the id of the surviving record or of one being merged' });
      else if (source !== survivor) body[name] = apiValue(entity.fields.get(name)!, source[name]);
    }
    if (errors.length) throw invalid(errors);
    const merged = new Set(byId.keys());
    for (const field of entity.manyToMany) {
      if (field.name in values || valueProblem(entity, access, field.name)) continue;
      const links = joinLinks(field, [survivor, ...losers], merged);
      if (links.length !== ((survivor[field.name] as unknown[] | undefined) ?? []).length) body[field.name] = links;
    }
    // A link from the survivor to a loser would point at a deleted record (or, on the survivor, at itself).
    for (const field of entity.relations) {
      const value = field.name in body ? body[field.name] : survivor[field.name] && hex(survivor[field.name]);
      if (typeof value === 'string' && merged.has(value)) body[field.name] = null;
    }
    return body;
  }

  async function planMoves(entity: CompiledEntity, actor: Actor, survivor: Document, losers: Document[]): Promise<Move[]> {
    const loserIds = losers.map((l) => l._id as ObjectId);
    const moves: Move[] = [];
    let budget = MAX_MOVES;
    for (const link of ctx.registry.inboundLinks(entity.name)) {
      const filter = moveFilter(link, loserIds, survivor._id as ObjectId);
      const collection = ctx.db.collection(link.entity.collection);
      const children = await collection.find(filter, { projection: { _id: 1, _version: 1, [link.field.name]: 1 } }).limit(budget + 1).toArray();
      if (!children.length) continue;
      budget -= children.length;
      if (budget < 0) throw duplicateProblems.mergeTooLarge.create({ detail: `More than ${MAX_MOVES} records point at the records being merged; reassign some of them first` });
      const perms = actor.permissions(link.entity.name);
      const fieldAccess = perms.fields[link.field.name];
      const mayMove = perms.operations.read && perms.operations.update && fieldAccess !== 'hidden' && fieldAccess !== 'read' && !link.entity.locked.has(link.field.name);
      // Records the actor cannot change refuse the merge, and are neither counted nor named.
      if (!mayMove || (await inEditScope(link.entity, actor, filter)) < children.length) {
        throw sharedProblems.forbidden.create({ detail: 'Records you may not change point at the records being merged, so they cannot move to the surviving record' });
      }
      moves.push({ link, children });
    }
    return moves;
  }

  return {
    /** Checks everything a merge needs; throws the first refusal (404, 403, 409, 422) before any write. */
    async plan(entityName: string, survivorId: string, body: unknown, actor: Actor): Promise<MergePlan> {
      const a = records.access(entityName, actor, 'update');
      const parsed = parseBody(body, survivorId);
      const survivor = await records.load(a, survivorId);
      if ((await inEditScope(a.entity, actor, { _id: survivor._id })) === 0) throw sharedProblems.forbidden.create({ detail: `You may read this ${entityName} record but not change it` });
      const losers = await loadLosers(entityName, parsed.merge, actor);
      const patch = survivorBody(a.entity, actor, survivor, losers, parsed.values ?? {});
      const moves = await planMoves(a.entity, actor, survivor, losers);
      return { entity: a.entity, actor, survivor, losers, body: patch, moves };
    },
  };
}

function apiValue(field: Field, stored: unknown): unknown {
  if (stored === undefined || stored === null) return null;
  return fieldTypeOf(field).toApi(stored, field);
}

/** The survivor's links followed by the losers' not already there, none to a merged record. */
function joinLinks(field: Extract<Field, { type: 'manyToMany' }>, docs: Document[], merged: Set<string>): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const doc of docs) {
    for (const link of (apiValue(field, doc[field.name]) as Array<{ id: string }> | null) ?? []) {
      if (seen.has(link.id) || merged.has(link.id)) continue;
      seen.add(link.id);
      out.push(link);
    }
  }
  return out;
}

export function moveFilter(link: InboundLink, loserIds: ObjectId[], survivorId: ObjectId): Document {
  const path = link.field.type === 'manyToMany' ? `${link.field.name}._id` : link.field.name;
  return { [path]: { $in: loserIds }, _id: { $ne: survivorId }, _deleting: { $exists: false } };
}
