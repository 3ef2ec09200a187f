/**
 * Step 6 of the pipeline for a prepared batch (issue 5): new records in one unordered insertMany
 * (each document is written whole or not at all; what the database refuses, such as a unique
 * value taken by a concurrent write, is reported by row), changed records one updateOne each
 * with their `_version` and the actor's edit scope in the filter, as records.update does. Each
 * record written is announced to the outbox dispatcher, which delivers its audit entry and events.
 */
import type { Document, MongoBulkWriteError } from 'mongodb';
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

async function insert(run: ImportRun, batch: PreparedBatch, problems: RowProblem[]): Promise<number> {
  if (!batch.creates.length) return 0;
  const collection = run.ctx.db.collection(run.entity.collection);
  const refused = new Set<number>();
  await collection.insertMany(batch.creates.map((c) => c.doc), { ordered: false }).catch((err: MongoBulkWriteError) => {
    const errors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : null;
    if (!errors?.length) throw err;
    for (const e of errors) {
      refused.add(e.index);
      problems.push(refusal(run, batch.creates[e.index]!.row, { code: e.code, keyPattern: (e.err as { keyPattern?: Document } | undefined)?.keyPattern }));
    }
  });
  batch.creates.forEach((c, i) => {
    if (!refused.has(i) && c.doc._outbox) run.ctx.events.notify(run.entity.collection, c.doc._id);
  });
  return batch.creates.length - refused.size;
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

export async function writeBatch(run: ImportRun, batch: PreparedBatch): Promise<Written> {
  const problems: RowProblem[] = [];
  const [created, updated] = await Promise.all([insert(run, batch, problems), update(run, batch, problems)]);
  problems.sort((a, b) => a.row - b.row);
  return { created, updated, problems };
}
