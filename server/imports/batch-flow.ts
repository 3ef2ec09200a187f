/**
 * Batches through an import (issue 5), a pipeline in file order. The server prepares batch n+2
 * (its own CPU work) while the database checks the unique values of batch n+1 and writes batch n,
 * so neither waits for the other: at most AHEAD batches are prepared but not yet written. Unique
 * values are checked batch after batch, each against the rows before it; a batch is reported and
 * written once the one before it is written, so the report stays in row order. Rows of batches not
 * written yet are not in the database when a later batch is prepared; what it checks against them
 * it finds in the import's own records of them instead (unique-keys.ts, and the duplicate-rule
 * keys of the last AHEAD - 1 batches: duplicateWindow below).
 */
import { checkUnique, prepareRows, type ImportRun, type PreparedBatch, type Row } from './import-batch.ts';
import type { ImportJob, JobStore } from './import-job.ts';
import { stageCreates, writeBatch } from './write-batch.ts';
import type { StagedInsert } from '../audit/index.ts';

const PROGRESS_MS = 200;
/** Batches prepared and not yet written, at most (memory holds about this many batches). */
export const AHEAD = 3;

export type BatchFlow = { add(rows: Row[]): Promise<void>; finish(): Promise<void> };

export function createBatchFlow(deps: { run: ImportRun; job: ImportJob; jobs: JobStore; dryRun: boolean }): BatchFlow {
  const { run, job, jobs } = deps;
  let checking: Promise<unknown> = Promise.resolve();
  let writing: Promise<void> = Promise.resolve();
  const unwritten: Array<Promise<void>> = [];
  let savedAt = 0;

  async function apply(prepared: PreparedBatch, staged: StagedInsert | undefined): Promise<void> {
    if (!staged) {
      job.created += prepared.creates.length;
      job.updated += prepared.updates.length;
    } else {
      const written = await writeBatch(run, prepared, staged);
      job.created += written.created;
      job.updated += written.updated;
      await jobs.report(job, written.problems);
    }
    if (Date.now() - savedAt >= PROGRESS_MS) {
      savedAt = Date.now();
      await jobs.save(job);
    }
  }

  /** Checks, then (once the batch before it is written) reports and writes one batch. */
  async function finishBatch(checked: Promise<PreparedBatch>, previous: Promise<void>): Promise<void> {
    const prepared = await checked;
    // Its new records' events are stored while the batch before it is written (write-batch.ts).
    const staged = deps.dryRun ? undefined : stageCreates(run, prepared);
    try {
      await previous;
      await jobs.report(job, prepared.problems);
    } catch (err) {
      staged?.abandon();
      throw err;
    }
    job.unchanged += prepared.unchanged;
    await apply(prepared, staged);
  }

  return {
    async add(rows) {
      while (unwritten.length >= AHEAD) await unwritten.shift();
      const rowsDone = await prepareRows(run, rows);
      const checked = checking.then(() => checkUnique(run, rowsDone));
      checking = checked.catch(() => undefined);
      writing = finishBatch(checked, writing);
      // Awaited by a later add or by finish; until then a failure must not count as unhandled.
      writing.catch(() => undefined);
      unwritten.push(writing);
    },
    finish: () => writing,
  };
}

/**
 * Duplicate-rule keys of rows not in the database yet, for a real run: called as each batch is
 * prepared, it gives the batch a map holding the keys the `size` batches before it added (those
 * that may still be unwritten), to which the batch adds its own.
 */
export function duplicateWindow(size = AHEAD - 1): () => Map<string, string> {
  const recent: Array<Array<[string, string]>> = [];
  let seed = new Map<string, string>();
  let current = new Map<string, string>();
  return () => {
    recent.push([...current].filter(([k]) => !seed.has(k)));
    if (recent.length > size) recent.shift();
    seed = new Map(recent.flat());
    current = new Map(seed);
    return current;
  };
}
