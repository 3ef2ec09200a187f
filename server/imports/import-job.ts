/**
 * An import run (issue 5): the CSV is streamed through csv-parse in batches (memory does not grow
 * with the file), each batch prepared by the pipeline (import-batch.ts) and written with one
 * insertMany (unordered: a row the database refuses is reported, the others land). Progress and
 * the report live in `imports`; every problem, by row, column and reason, in `import_problems`.
 * A dry run does everything but the writes, so its report is the real run's.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ObjectId, type Document, type MongoBulkWriteError } from 'mongodb';
import type { ImportContext, PreparedBatch, Row, RowProblem } from './import-batch.ts';
import { prepareBatch } from './import-batch.ts';

export type ImportJob = {
  _id: ObjectId;
  entity: string;
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  rowsRead: number;
  created: number;
  updated: number;
  failed: number;
  problemsTotal: number;
  /** The first problems; all of them are at /api/imports/:id/problems. */
  problems: RowProblem[];
  by: string;
  startedAt: Date;
  finishedAt?: Date;
  error?: string;
};

const BATCH = 500;
const KEPT_PROBLEMS = 100;
export const MAX_COLUMNS = 500;
const MAX_CELL_BYTES = 1_000_000;

/** Writes a prepared batch; what the database refuses (a unique value taken meanwhile) is reported by row. */
async function write(ic: ImportContext, batch: PreparedBatch): Promise<{ created: number; updated: number; problems: RowProblem[] }> {
  const collection = ic.ctx.db.collection(ic.entity.collection);
  const problems: RowProblem[] = [];
  const refused = new Set<number>();
  if (batch.creates.length) {
    await collection.insertMany(batch.creates.map((c) => c.doc), { ordered: false }).catch((err: MongoBulkWriteError) => {
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : null;
      if (!errors) throw err;
      for (const e of errors) {
        refused.add(e.index);
        const field = Object.keys((e.err as { keyPattern?: Document })?.keyPattern ?? {})[0]?.split('.')[0] ?? '';
        problems.push({ row: batch.creates[e.index]!.row, column: Object.entries(ic.mapping.columns).find(([, m]) => m.field === field)?.[0] ?? null, reason: e.code === 11000 ? `${field || 'a unique value'} is already used by another record` : e.errmsg ?? 'refused by the database' });
      }
    });
    batch.creates.forEach((c, i) => refused.has(i) || ic.ctx.events.notify(ic.entity.collection, c.doc._id));
  }
  let updated = 0;
  for (const u of batch.updates) {
    const res = await collection.updateOne(u.prepared.filter, u.prepared.update).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      return null;
    });
    if (res?.matchedCount) {
      updated++;
      ic.ctx.events.notify(ic.entity.collection, u.id);
    } else problems.push({ row: u.row, column: null, reason: res ? 'the record changed while the import ran; import the row again' : 'a unique value is already used by another record' });
  }
  return { created: batch.creates.length - refused.size, updated, problems };
}

export async function runImport(ic: ImportContext & { dryRun: boolean }, input: Readable, job: ImportJob, onProgress: (job: ImportJob) => Promise<void>, saveProblems: (problems: RowProblem[]) => Promise<void>): Promise<ImportJob> {
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_CELL_BYTES }));
  let rows: Row[] = [];
  let line = 0;

  const report = async (problems: RowProblem[]) => {
    if (!problems.length) return;
    job.failed += new Set(problems.map((p) => p.row)).size;
    job.problemsTotal += problems.length;
    if (job.problems.length < KEPT_PROBLEMS) job.problems.push(...problems.slice(0, KEPT_PROBLEMS - job.problems.length));
    await saveProblems(problems);
  };
  const flush = async () => {
    if (!rows.length) return;
    const prepared = await prepareBatch(ic, rows);
    await report(prepared.problems);
    if (!ic.dryRun) {
      const done = await write(ic, prepared);
      job.created += done.created;
      job.updated += done.updated;
      await report(done.problems);
    } else {
      job.created += prepared.creates.length;
      job.updated += prepared.updates.length;
    }
    rows = [];
    await onProgress(job);
  };

  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line++;
      if (line === 1) {
        checkHeader(ic, record);
        continue;
      }
      job.rowsRead++;
      rows.push({ row: line, cells: record });
      if (rows.length === BATCH) await flush();
    }
    await flush();
    job.status = 'done';
  } catch (err) {
    // A file that stops being CSV part-way: what came before is in the report, and where it stopped.
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith('CSV_') && !(err instanceof HeaderError)) throw err;
    await flush().catch(() => undefined);
    await report([{ row: err instanceof HeaderError ? 1 : line + 1, column: null, reason: `${err instanceof HeaderError ? '' : 'the file is not valid CSV here: '}${e.message}; nothing after this row was read` }]);
    job.status = 'failed';
    job.error = e.message;
  }
  job.finishedAt = new Date();
  return job;
}

class HeaderError extends Error {}

function checkHeader(ic: ImportContext, header: string[]): void {
  if (header.length > MAX_COLUMNS) throw new HeaderError(`the file has ${header.length} columns; at most ${MAX_COLUMNS}`);
  header.forEach((h, i) => ic.index.set(h.trim(), i));
  const missing = Object.keys(ic.mapping.columns).filter((h) => !ic.index.has(h));
  if (missing.length) throw new HeaderError(`the mapped column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in the file's first row`);
}

export function newJob(entity: string, dryRun: boolean, by: string, id?: string): ImportJob {
  return { _id: id ? new ObjectId(id) : new ObjectId(), entity, dryRun, status: 'running', rowsRead: 0, created: 0, updated: 0, failed: 0, problemsTotal: 0, problems: [], by, startedAt: new Date() };
}
