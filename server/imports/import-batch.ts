/**
 * One batch of CSV rows → records ready to write (issue 5). Cells are read by field type
 * (coerce-text.ts), relation columns resolved in one query per column (resolve-relations.ts),
 * upsert targets found with one query, and every row then goes through the write pipeline
 * (before-save hooks, validation, defaults, autonumbers, formulas, duplicate rules, the event on
 * the import channel) exactly as an API write would; unique values are checked last, against the
 * file and the database (unique-keys.ts). A row is either prepared whole or reported: row,
 * column, reason — every problem of the row, not just the first.
 */
import type { Document, ObjectId } from 'mongodb';
import { fieldTypeOf, type CompiledEntity, type Field } from '../metadata/index.ts';
import type { Actor, EntityPermissions } from '../shared/actor.ts';
import { runBeforeSave, type ApiRecord, type WriteContext } from '../records/index.ts';
import { prepareCreate, prepareUpdate, type PreparedUpdate, type WriteRequest } from '../records/write-pipeline.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import { coercePart, coerceText } from './coerce-text.ts';
import type { ColumnMapping, Mapping } from './import-mappings.ts';
import type { RowProblem } from './import-job.ts';
import type { ColumnResolver } from './resolve-relations.ts';
import type { UniqueKeys, UniqueValue } from './unique-keys.ts';
import { hiddenProblems, problemsOf } from './row-problems.ts';

export type Row = { row: number; cells: string[] };
export type PreparedCreate = { row: number; doc: Document };
export type PreparedChange = { row: number; prepared: PreparedUpdate; id: ObjectId };
export type PreparedBatch = { creates: PreparedCreate[]; updates: PreparedChange[]; unchanged: number; problems: RowProblem[] };

/** Everything an import needs to prepare its batches; built once per import. */
export type ImportRun = {
  ctx: WriteContext;
  entity: CompiledEntity;
  perms: EntityPermissions;
  actor: Actor;
  mapping: Mapping;
  /** Where each mapped column is in the file's rows (from the header). */
  positions: number[];
  /** The relation columns, each with its resolver. */
  relations: Array<{ column: ColumnMapping; resolve: ColumnResolver }>;
  unique: UniqueKeys;
  /** Duplicate-rule keys of rows prepared but not in the database yet: a new map per batch, or one for the whole run. */
  duplicates: () => Map<string, string>;
  /** The record as the actor reads it, for hooks on an upsert. */
  present: (doc: Document) => Promise<ApiRecord>;
};

type Draft = { row: number; body: Record<string, unknown>; problems: RowProblem[] };

function readCells(run: ImportRun, rows: Row[]): Draft[] {
  const options = { dateOrder: run.mapping.dateOrder };
  return rows.map(({ row, cells }) => {
    const draft: Draft = { row, body: {}, problems: [] };
    run.mapping.columns.forEach((c, i) => {
      const text = cells[run.positions[i]!] ?? '';
      const field = run.entity.fields.get(c.field)!;
      const value = field.type === 'relation' ? { ok: true as const, value: text.trim() || null } : c.part ? coercePart(field, c.part, text) : coerceText(field, text, options);
      if (!value.ok) draft.problems.push({ row, column: c.column, reason: value.detail });
      else if (value.value !== null && c.part) draft.body[c.field] = { ...(draft.body[c.field] as object), [c.part]: value.value };
      else if (value.value !== null) draft.body[c.field] = value.value;
    });
    return draft;
  });
}

async function resolveRelations(run: ImportRun, drafts: Draft[]): Promise<void> {
  for (const { column: c, resolve } of run.relations) {
    const cells = drafts.filter((d) => typeof d.body[c.field] === 'string').map((d) => ({ row: d.row, text: d.body[c.field] as string }));
    if (!cells.length) continue;
    const { ids, problems } = await resolve(cells);
    const byRow = new Map(drafts.map((d) => [d.row, d]));
    for (const p of problems) {
      byRow.get(p.row)!.problems.push(p);
      delete byRow.get(p.row)!.body[c.field];
    }
    for (const cell of cells) if (ids.has(cell.text)) byRow.get(cell.row)!.body[c.field] = ids.get(cell.text);
  }
}

const stored = (field: Field, value: unknown): unknown => {
  const cast = fieldTypeOf(field).castOperand(value, field);
  return cast.ok ? cast.value : value;
};
const keyOf = (v: unknown): string => JSON.stringify(v instanceof Date ? v.toISOString() : v);

type Existing = { byKey: Map<string, Document>; readOnly: Set<string> };

/** Upsert and update: the records the rows name by the upsert field, within the actor's read scope. */
async function findExisting(run: ImportRun, drafts: Draft[]): Promise<Existing> {
  const existing: Existing = { byKey: new Map(), readOnly: new Set() };
  const field = run.mapping.upsertBy ? run.entity.fields.get(run.mapping.upsertBy)! : undefined;
  if (!field) return existing;
  const values = drafts.filter((d) => d.body[field.name] !== undefined).map((d) => stored(field, d.body[field.name]));
  if (!values.length) return existing;
  const records = run.ctx.db.collection(run.entity.collection);
  const docs = await records.find(withScope({ [field.name]: { $in: values }, _deleting: { $exists: false } }, scopeFilter(run.entity, run.perms.read)), { projection: { _search: 0, _outbox: 0 } }).toArray();
  const editScope = scopeFilter(run.entity, run.perms.edit);
  const editable = editScope && docs.length ? new Set((await records.find(withScope({ _id: { $in: docs.map((d) => d._id) } }, editScope), { projection: { _id: 1 } }).toArray()).map((d) => String(d._id))) : null;
  for (const doc of docs) {
    existing.byKey.set(keyOf(doc[field.name]), doc);
    if (editable && !editable.has(String(doc._id))) existing.readOnly.add(String(doc._id));
  }
  return existing;
}

/** The draft's record to update, or a problem (update mode with no match, a record outside the edit scope). */
function targetOf(run: ImportRun, d: Draft, existing: Existing): { before: Document | null } | { problem: RowProblem } {
  const name = run.mapping.upsertBy;
  if (!name) return { before: null };
  const field = run.entity.fields.get(name)!;
  const column = run.mapping.columns.find((c) => c.field === name)!.column;
  if (d.problems.some((p) => p.column === column)) return { before: null };
  const before = d.body[name] === undefined ? undefined : existing.byKey.get(keyOf(stored(field, d.body[name])));
  if (before && existing.readOnly.has(String(before._id))) return { problem: { row: d.row, column, reason: `you may read ${run.entity.name} ${String(before._id)} but not change it` } };
  if (!before && run.mapping.mode === 'update') return { problem: { row: d.row, column, reason: d.body[name] === undefined ? `${name} is needed to find the record to update` : `no ${run.entity.name} has ${name} "${String(d.body[name])}"` } };
  return { before: before ?? null };
}

/** An update by parts (a City column) keeps the other parts of the stored address or name. */
function withStoredParts(run: ImportRun, body: Record<string, unknown>, before: Document): Record<string, unknown> {
  const out = { ...body };
  for (const c of run.mapping.columns) {
    if (!c.part || !out[c.field] || !before[c.field] || typeof before[c.field] !== 'object') continue;
    const { display: _display, ...parts } = before[c.field] as Record<string, unknown>;
    out[c.field] = { ...parts, ...(out[c.field] as object) };
  }
  return out;
}

/** `resolved`: the relation fields the import resolved (and so checked) for every row. */
async function prepareRow(run: ImportRun, d: Draft, before: Document | null, duplicates: Map<string, string>, resolved: ReadonlySet<string>): Promise<PreparedCreate | PreparedChange> {
  const body = before ? withStoredParts(run, d.body, before) : d.body;
  const record = before ? () => run.present(before) : async () => null;
  const hooked = runBeforeSave(run.ctx.hooks, { entity: run.entity, actor: run.actor, depth: 0, operation: before ? 'update' : 'create', values: body, record });
  const values = hooked instanceof Promise ? await hooked : hooked;
  // Relations resolved here were checked against the actor's read scope; one a hook changed is checked again.
  const checkedRelations = values === d.body ? resolved : new Set([...resolved].filter((f) => values[f] === d.body[f]));
  const req: WriteRequest = { actor: run.actor, channel: 'import', fields: run.perms.fields, duplicates: { batch: duplicates }, checkedRelations };
  if (before) return { row: d.row, prepared: await prepareUpdate(run.ctx, run.entity, before, values, { ...req, replace: false }), id: before._id as ObjectId };
  return { row: d.row, doc: await prepareCreate(run.ctx, run.entity, values, req) };
}

/** The unique values a prepared row would write (the upsert key always: two rows must not update one record). */
function uniqueValues(run: ImportRun, p: PreparedCreate | PreparedChange): UniqueValue[] {
  const doc = 'doc' in p ? p.doc : p.prepared.after;
  const changed = 'doc' in p ? undefined : (p.prepared.update.$set as Document);
  const values: UniqueValue[] = [];
  for (const f of run.entity.definition.fields) {
    if (!f.unique || f.type === 'autonumber' || doc[f.name] === undefined || doc[f.name] === null) continue;
    if (changed && f.name !== run.mapping.upsertBy && !(f.name in changed)) continue;
    values.push({ row: p.row, field: f.name, value: doc[f.name], ...('doc' in p ? {} : { own: p.id }) });
  }
  return values;
}

const columnOrder = (run: ImportRun, column: string | null): number => (column === null ? Infinity : run.mapping.columns.findIndex((c) => c.column === column));

/** A batch prepared but for its unique values (checkUnique does those, batch after batch). */
export type PreparedRows = { prepared: Array<PreparedCreate | PreparedChange>; problems: RowProblem[] };

/** Steps 1–5 for each row: cells, relations, upsert targets, the write pipeline. */
export async function prepareRows(run: ImportRun, rows: Row[]): Promise<PreparedRows> {
  const drafts = readCells(run, rows);
  await resolveRelations(run, drafts);
  const existing = await findExisting(run, drafts);
  const out: PreparedRows = { prepared: [], problems: [] };
  const { prepared } = out;
  const duplicates = run.duplicates();
  const resolved = new Set(run.relations.map((r) => r.column.field));
  for (const d of drafts) {
    const target = targetOf(run, d, existing);
    if ('problem' in target) d.problems.push(target.problem);
    const isNew = !('before' in target && target.before);
    if (d.problems.length || !('before' in target)) {
      out.problems.push(...d.problems, ...hiddenProblems(run, d.row, d.body, d.problems, isNew));
      continue;
    }
    try {
      prepared.push(await prepareRow(run, d, target.before, duplicates, resolved));
    } catch (err) {
      const found = problemsOf(run, d.row, err);
      out.problems.push(...found, ...hiddenProblems(run, d.row, d.body, found, isNew));
    }
  }
  return out;
}

/**
 * The last step: unique values, against the file so far and the database. Batches must come here
 * in file order (the values of earlier rows are remembered as each batch is checked).
 */
export async function checkUnique(run: ImportRun, rows: PreparedRows): Promise<PreparedBatch> {
  const { prepared } = rows;
  const out: PreparedBatch = { creates: [], updates: [], unchanged: 0, problems: rows.problems };
  const values = prepared.flatMap((p) => uniqueValues(run, p));
  const refused = await run.unique.check(values);
  const refusedRows = new Set<number>();
  for (const u of values) {
    const reason = refused.get(u);
    if (!reason) continue;
    refusedRows.add(u.row);
    out.problems.push({ row: u.row, column: run.mapping.columns.find((c) => c.field === u.field && !c.part)?.column ?? null, reason });
  }
  for (const p of prepared.filter((x) => !refusedRows.has(x.row))) {
    if ('doc' in p) out.creates.push(p);
    else if (p.prepared.changed) out.updates.push(p);
    else out.unchanged++;
  }
  out.problems.sort((a, b) => a.row - b.row || columnOrder(run, a.column) - columnOrder(run, b.column));
  return out;
}

