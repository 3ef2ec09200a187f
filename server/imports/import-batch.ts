/**
 * One batch of CSV rows → records (issue 5). Cells are read by type (coerce-text.ts), relation
 * columns are resolved by a field of the target with one query per column, upserts find their
 * records with one query, unique values are checked against the file and the database, and
 * every row then goes through the write pipeline (hooks, validation, defaults, formulas, events)
 * exactly as an API write would. A row is either prepared whole or reported: row, column, reason.
 */
import { ObjectId, type Document } from 'mongodb';
import { fieldTypeOf, type CompiledEntity, type Field } from '../metadata/index.ts';
import type { Actor, EntityPermissions } from '../shared/actor.ts';
import { Problem } from '../shared/errors.ts';
import type { WriteContext } from '../records/index.ts';
import { prepareCreate, prepareUpdate, type PreparedUpdate } from '../records/write-pipeline.ts';
import { coerceText } from './coerce-text.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import type { Mapping } from './import-mappings.ts';

export type Row = { row: number; cells: string[] };
export type RowProblem = { row: number; column: string | null; reason: string };
export type PreparedBatch = { creates: Array<{ row: number; doc: Document }>; updates: Array<{ row: number; prepared: PreparedUpdate; id: ObjectId }>; problems: RowProblem[] };

export type ImportContext = {
  ctx: WriteContext;
  entity: CompiledEntity;
  perms: EntityPermissions;
  actor: Actor;
  mapping: Mapping;
  /** Column header → its index in each row. */
  index: Map<string, number>;
  /** Unique field → stored value (as JSON) → the row that has it, across the whole file. */
  seen: Map<string, Map<string, number>>;
  /** Duplicate-rule keys of rows of this import not yet in the database. */
  duplicates: Map<string, string>;
  /** The relation fields mapped: resolved here in batches, within the user's read scope. */
  relationFields: ReadonlySet<string>;
};

const keyOf = (v: unknown): string => (v instanceof ObjectId ? v.toHexString() : JSON.stringify(v));

/** The stored form of an API value, for comparing with the database (an email lower-cased...). */
function stored(field: Field, value: unknown): unknown {
  const cast = fieldTypeOf(field).castOperand(value, field);
  return cast.ok ? cast.value : value;
}

type Draft = { row: number; body: Record<string, unknown>; problems: RowProblem[] };

function readCells(ic: ImportContext, rows: Row[]): Draft[] {
  return rows.map(({ row, cells }) => {
    const draft: Draft = { row, body: {}, problems: [] };
    for (const [header, m] of Object.entries(ic.mapping.columns)) {
      const text = cells[ic.index.get(header)!] ?? '';
      const field = ic.entity.fields.get(m.field)!;
      if (field.type === 'relation') {
        if (text.trim()) draft.body[m.field] = text.trim();
        continue;
      }
      const value = coerceText(field, text);
      if (!value.ok) draft.problems.push({ row, column: header, reason: value.detail });
      else if (value.value !== null) draft.body[m.field] = value.value;
    }
    return draft;
  });
}

/** Relation columns: the text becomes the id of the one target record whose match field has it. */
async function resolveRelations(ic: ImportContext, drafts: Draft[]): Promise<void> {
  for (const [header, m] of Object.entries(ic.mapping.columns)) {
    const field = ic.entity.fields.get(m.field)!;
    if (field.type !== 'relation') continue;
    const target = ic.ctx.registry.require(field.target);
    // Only records the importing user can read may be linked (the same rule as the API's).
    const perms = ic.actor.permissions(target.name);
    const scope = perms.operations.read ? scopeFilter(target, perms.read) : { _id: { $in: [] } };
    const matchField = m.match ? target.fields.get(m.match) : undefined;
    const texts = [...new Set(drafts.map((d) => d.body[m.field]).filter((t): t is string => typeof t === 'string'))];
    const wanted = texts.map((t) => (matchField ? stored(matchField, t) : /^[0-9a-f]{24}$/i.test(t) ? new ObjectId(t) : null)).filter((v) => v !== null);
    const path = m.match ?? '_id';
    const found = new Map<string, ObjectId | 'ambiguous'>();
    const collect = async (filter: Document, key: (v: unknown) => string) => {
      for (const doc of await ic.ctx.db.collection(target.collection).find(withScope({ ...filter, _deleting: { $exists: false } }, scope), { projection: { [path]: 1 } }).toArray()) {
        const k = key(doc[path]);
        found.set(k, found.has(k) ? 'ambiguous' : (doc._id as ObjectId));
      }
    };
    await collect({ [path]: { $in: wanted } }, keyOf);
    // Names are matched as people type them: "acme" finds Acme when nothing matches exactly.
    const caseless = (t: unknown) => `~${String(t).toLowerCase()}`;
    const unmatched = matchField?.type === 'text' ? texts.filter((t) => !found.has(keyOf(stored(matchField, t)))) : [];
    if (unmatched.length) await collect({ [path]: { $in: unmatched.map((t) => new RegExp(`^${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i')) } }, caseless);
    for (const d of drafts) {
      const text = d.body[m.field];
      if (typeof text !== 'string') continue;
      const exact = keyOf(matchField ? stored(matchField, text) : /^[0-9a-f]{24}$/i.test(text) ? new ObjectId(text) : text);
      const id = found.get(exact) ?? found.get(caseless(text));
      if (id === 'ambiguous') d.problems.push({ row: d.row, column: header, reason: `"${text}" matches more than one ${field.target}` });
      else if (!id) d.problems.push({ row: d.row, column: header, reason: `no ${field.target} has ${m.match ?? 'the id'} "${text}"` });
      else d.body[m.field] = id.toHexString();
    }
  }
}

const columnOf = (ic: ImportContext, field: string): string | null => Object.entries(ic.mapping.columns).find(([, m]) => m.field === field)?.[0] ?? null;

/** Unique values: a value twice in the file, or already held by another record, is a problem of the row. */
async function checkUnique(ic: ImportContext, drafts: Draft[], existing: Map<string, Document>): Promise<void> {
  const upsert = ic.mapping.upsertBy ? ic.entity.fields.get(ic.mapping.upsertBy) : undefined;
  for (const field of ic.entity.definition.fields.filter((f) => f.unique && columnOf(ic, f.name))) {
    const seen = ic.seen.get(field.name) ?? new Map<string, number>();
    ic.seen.set(field.name, seen);
    const values = drafts.filter((d) => !d.problems.length && d.body[field.name] !== undefined).map((d) => stored(field, d.body[field.name]));
    const holders = new Map((await ic.ctx.db.collection(ic.entity.collection).find({ [field.name]: { $in: values } }, { projection: { [field.name]: 1 } }).toArray()).map((doc) => [keyOf(doc[field.name]), doc._id as ObjectId]));
    for (const d of drafts) {
      if (d.problems.length || d.body[field.name] === undefined) continue;
      const k = keyOf(stored(field, d.body[field.name]));
      const own = upsert && d.body[upsert.name] !== undefined ? (existing.get(keyOf(stored(upsert, d.body[upsert.name])))?._id as ObjectId | undefined) : undefined;
      const holder = holders.get(k);
      if (seen.has(k)) d.problems.push({ row: d.row, column: columnOf(ic, field.name), reason: `${field.name} "${String(d.body[field.name])}" is also in row ${seen.get(k)}` });
      else if (holder && !(own && holder.equals(own))) d.problems.push({ row: d.row, column: columnOf(ic, field.name), reason: `${field.name} "${String(d.body[field.name])}" is already used by record ${holder.toHexString()}` });
      else seen.set(k, d.row);
    }
  }
}

/** A pipeline problem's field errors, as the row's columns. */
function rowProblems(ic: ImportContext, row: number, err: unknown): RowProblem[] {
  if (!(err instanceof Problem)) throw err;
  if (!err.errors?.length) return [{ row, column: null, reason: err.detail ?? err.title }];
  return err.errors.map((e) => {
    const field = e.pointer.split('/')[1] ?? '';
    return { row, column: columnOf(ic, field) ?? (field || null), reason: `${field ? `${field} ` : ''}${e.detail}` };
  });
}

export async function prepareBatch(ic: ImportContext, rows: Row[]): Promise<PreparedBatch> {
  const drafts = readCells(ic, rows);
  await resolveRelations(ic, drafts);
  const existing = new Map<string, Document>();
  const upsertField = ic.mapping.upsertBy ? ic.entity.fields.get(ic.mapping.upsertBy)! : undefined;
  if (upsertField) {
    const keys = drafts.filter((d) => d.body[upsertField.name] !== undefined).map((d) => stored(upsertField, d.body[upsertField.name]));
    for (const doc of await ic.ctx.db.collection(ic.entity.collection).find({ [upsertField.name]: { $in: keys }, _deleting: { $exists: false } }, { projection: { _search: 0, _outbox: 0 } }).toArray()) existing.set(keyOf(doc[upsertField.name]), doc);
  }
  await checkUnique(ic, drafts, existing);
  const out: PreparedBatch = { creates: [], updates: [], problems: [] };
  for (const d of drafts) {
    if (d.problems.length) {
      out.problems.push(...d.problems);
      continue;
    }
    const before = upsertField ? existing.get(keyOf(stored(upsertField, d.body[upsertField.name]))) : undefined;
    try {
      const values = ic.ctx.hooks ? await ic.ctx.hooks.beforeSave({ entity: ic.entity, actor: ic.actor, depth: 0, operation: before ? 'update' : 'create', values: d.body, record: async () => null }) : d.body;
      // A relation a hook changed is checked again like any input.
      const checkedRelations = new Set([...ic.relationFields].filter((f) => values[f] === d.body[f]));
      const req = { actor: ic.actor, channel: 'import' as const, fields: ic.perms.fields, duplicates: { batch: ic.duplicates }, checkedRelations };
      if (before) out.updates.push({ row: d.row, prepared: await prepareUpdate(ic.ctx, ic.entity, before, values, { ...req, replace: false }), id: before._id as ObjectId });
      else out.creates.push({ row: d.row, doc: await prepareCreate(ic.ctx, ic.entity, values, req) });
    } catch (err) {
      out.problems.push(...rowProblems(ic, d.row, err));
    }
  }
  return out;
}
