/**
 * Import jobs (issue 5): one document per import in `imports`, updated as batches land, so
 * progress can be read while the file streams in (GET /api/imports/:id); every problem, by row,
 * column and reason, in `import_problems`, read back page by page. The job keeps the first
 * problems inline so a small import's answer is the whole report.
 */
import { ObjectId, type Db } from 'mongodb';
import type { Actor } from '../shared/actor.ts';
import type { ImportMode } from './import-mappings.ts';
import { importProblems } from './imports.problems.ts';
import { forgetKeys } from './unique-keys.ts';

export type RowProblem = { row: number; column: string | null; reason: string };

export type ImportJob = {
  _id: ObjectId;
  entity: string;
  /** The saved mapping used, or null for columns given with the import. */
  mapping: string | null;
  mode: ImportMode;
  upsertBy?: string;
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  /** Data rows read so far (the header and blank rows are not counted). */
  rowsRead: number;
  created: number;
  updated: number;
  /** Upserted rows whose values were already those of the record. */
  unchanged: number;
  /** Rows not written, each with at least one problem. */
  failed: number;
  blankRows: number;
  problemsTotal: number;
  /** The first problems; all of them are at /api/imports/:id/problems. */
  problems: RowProblem[];
  /** Columns of the file that no mapping names: their cells were not read. */
  unmappedColumns: string[];
  by: string;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  error?: string;
};

const KEPT_PROBLEMS = 100;
/** A running job not updated for this long belongs to a server that stopped. */
const STALE_MS = 5 * 60_000;
const MAX_PAGE = 5000;

export type NewJob = Pick<ImportJob, 'entity' | 'mapping' | 'mode' | 'upsertBy' | 'dryRun' | 'by'> & { id?: string };

export function newJob(input: NewJob): ImportJob {
  const { id, upsertBy, ...rest } = input;
  const now = new Date();
  return { _id: id ? new ObjectId(id) : new ObjectId(), ...rest, ...(upsertBy ? { upsertBy } : {}), status: 'running', rowsRead: 0, created: 0, updated: 0, unchanged: 0, failed: 0, blankRows: 0, problemsTotal: 0, problems: [], unmappedColumns: [], startedAt: now, updatedAt: now };
}

/** The API form of a job. */
export const jobView = ({ _id, ...rest }: ImportJob) => ({ id: _id.toHexString(), ...rest });

type StoredProblem = RowProblem & { import: ObjectId; n: number };

export type JobStore = ReturnType<typeof createJobStore>;

export function createJobStore(db: Db) {
  const jobs = db.collection<ImportJob>('imports');
  const problems = db.collection<StoredProblem>('import_problems');
  void problems.createIndex({ import: 1, n: 1 }).catch(() => undefined);
  void jobs.createIndex({ by: 1, startedAt: -1 }).catch(() => undefined);

  async function markStale(job: ImportJob): Promise<ImportJob> {
    if (job.status !== 'running' || Date.now() - job.updatedAt.getTime() < STALE_MS) return job;
    const error = 'the server stopped during this import; the counts show what was applied before it did';
    await jobs.updateOne({ _id: job._id, status: 'running' }, { $set: { status: 'failed', error, finishedAt: new Date() } });
    await forgetKeys(db, job._id);
    return { ...job, status: 'failed', error };
  }

  async function append(job: ImportJob, list: RowProblem[]): Promise<void> {
    if (!list.length) return;
    const first = job.problemsTotal;
    job.problemsTotal += list.length;
    if (job.problems.length < KEPT_PROBLEMS) job.problems.push(...list.slice(0, KEPT_PROBLEMS - job.problems.length));
    await problems.insertMany(list.map((p, i) => ({ import: job._id, n: first + i, row: p.row, column: p.column, reason: p.reason })));
  }

  return {
    async create(job: ImportJob): Promise<void> {
      await jobs.insertOne(job).catch((err: { code?: number }) => {
        throw err.code === 11000 ? importProblems.invalidImport.create({ detail: `An import ${job._id.toHexString()} exists already`, errors: [{ pointer: '/id', detail: 'is taken' }] }) : err;
      });
    },
    /** Saves the counters (and the status, when it changed). */
    async save(job: ImportJob): Promise<void> {
      job.updatedAt = new Date();
      const { _id, ...rest } = job;
      await jobs.updateOne({ _id }, { $set: rest });
    },
    /** Adds the problems of rows not written to the report: their rows count as failed. */
    async report(job: ImportJob, list: RowProblem[]): Promise<void> {
      job.failed += new Set(list.map((p) => p.row)).size;
      await append(job, list);
    },
    /** Adds why reading stopped: in the report, but no failed row (the row may not be one). */
    note: (job: ImportJob, problem: RowProblem): Promise<void> => append(job, [problem]),
    /** The job if the actor started it (administrators see every import); 404 otherwise. */
    async get(id: string, actor: Actor): Promise<ImportJob> {
      const job = /^[0-9a-f]{24}$/.test(id) ? await jobs.findOne({ _id: new ObjectId(id) }) : null;
      if (!job || (!actor.admin && job.by !== actor.id)) throw importProblems.importNotFound.create({ detail: `There is no import ${id}` });
      return markStale(job);
    },
    /** The actor's imports (every import for administrators), newest first, without their inline problems. */
    async list(actor: Actor, filter: { entity?: string; status?: string; limit: number }): Promise<ImportJob[]> {
      const query = { ...(actor.admin ? {} : { by: actor.id }), ...(filter.entity ? { entity: filter.entity } : {}), ...(filter.status ? { status: filter.status as ImportJob['status'] } : {}) };
      const found = await jobs.find(query, { projection: { problems: 0 } }).sort({ startedAt: -1 }).limit(filter.limit).toArray();
      return Promise.all(found.map((j) => markStale({ ...j, problems: [] })));
    },
    /** One page of the report, in order: problems numbered above `after`. */
    async problemsPage(job: ImportJob, after: number, limit: number): Promise<{ data: RowProblem[]; nextAfter: number | null }> {
      const size = Math.min(Math.max(limit, 1), MAX_PAGE);
      const page = await problems.find({ import: job._id, n: { $gt: after } }, { projection: { _id: 0, import: 0 } }).sort({ n: 1 }).limit(size).toArray();
      return { data: page.map(({ row, column, reason }) => ({ row, column, reason })), nextAfter: page.length === size ? page.at(-1)!.n : null };
    },
  };
}
