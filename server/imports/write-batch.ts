/**
 * Step 6 of the pipeline for a prepared batch (issue 5). New records: one unordered insertMany,
 * their events in one outbox document (audit/outbox-batches.ts), stored as soon as the batch is
 * prepared (stageCreates), delivered while the next batches are written, at most two behind.
 * Each document is written whole or not at all; what the database refuses, such as a unique
 * value taken by a concurrent write, is reported by row.
 * Changed records: one updateOne each with their `_version` and the actor's edit scope in the
 * filter, as records.update does, announced to the outbox dispatcher, which delivers their events.
 */
import type { Document } from 'mongodb';
import type { StagedInsert } from '../audit/index.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import type { ImportRun, PreparedBatch } from './import-batch.ts';
import type { RowProblem } from './import-job.ts';

export type Written = { created: number; updated: number; problems: RowProblem[] };

/** The column of the field a unique index refusal names. */
function refusal(run: ImportRun, row: number, err: { code?: number; keyPattern?: Document; errmsg?: string }): RowProblem {
  const field = Object.keys(err.keyPattern ?? {})[0]?.split('.')[0] ?? '';
  const column = run.mapping.columns.find((c) => c.field === field && !c.part)?.column ?? null;
  // Anything but a unique refusal is the database's business: its message is not shown to the client.
  return { row, column, reason: err.code === 11000 ? `${field || 'a unique value'} is already used by another record (written while this import ran)` : `the database refused this row (code ${err.code ?? 'unknown'})` };
}

/** Stores the events of the batch's new records now, while the batch before it may still be writing. */
export const stageCreates = (run: ImportRun, batch: PreparedBatch): StagedInsert => run.ctx.events.stageRecords(run.entity.collection, batch.creates.map((c) => c.doc));

async function insert(run: ImportRun, batch: PreparedBatch, staged: StagedInsert, problems: RowProblem[]): Promise<number> {
  const refusals = await staged.insert();
  for (const r of refusals) problems.push(refusal(run, batch.creates[r.index]!.row, r));
  return batch.creates.length - refusals.length;
}

async function update(run: ImportRun, batch: PreparedBatch, problems: RowProblem[]): Promise<number> {
  const collection = run.ctx.db.collection(run.entity.collection);
  const editScope = scopeFilter(run.entity, run.perms.edit);
  const results = await Promise.all(batch.updates.map(async (u) => {
    const res = await collection.updateOne(withScope(u.prepared.filter, editScope), u.prepared.update).catch((err: { code?: number; keyPattern?: Document }) => {
      if (err.code !== 11000) throw err;
      problems.push(refusal(run, u.row, err));
      return null;
    });
    if (res?.matchedCount) run.ctx.events.notify(run.entity.collection, u.id);
    // Another write landed between our read and ours: the row is reported rather than applied over it.
    else if (res) problems.push({ row: u.row, column: null, reason: `${run.entity.name} ${u.id.toHexString()} changed while the import ran; import this row again` });
    return res?.matchedCount ? 1 : 0;
  }));
  return results.reduce<number>((a, b) => a + b, 0);
}

/** `staged`: the batch's new records, from stageCreates. */
export async function writeBatch(run: ImportRun, batch: PreparedBatch, staged: StagedInsert): Promise<Written> {
  const problems: RowProblem[] = [];
  const [created, updated] = await Promise.all([insert(run, batch, staged, problems), update(run, batch, problems)]);
  problems.sort((a, b) => a.row - b.row);
  return { created, updated, problems };
}
