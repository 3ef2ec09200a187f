/**
 * Batches through an import (issue 5), one ahead: the server prepares batch n+1 (its own CPU work
 * and reads) while the database writes batch n, so neither waits for the other. The report stays
 * in row order: a batch's problems are added once the batch before it is written. Rows of the
 * batch being written are not in the database yet when the next one is prepared; what that next
 * batch checks against them (unique values, duplicate-rule keys) it finds in the import's own
 * records of them instead (unique-keys.ts, the duplicate map of the last two batches).
 */
import { prepareBatch, type ImportRun, type PreparedBatch, type Row } from './import-batch.ts';
import type { ImportJob, JobStore } from './import-job.ts';
import { stageCreates, writeBatch } from './write-batch.ts';
import type { StagedInsert } from '../audit/index.ts';

const PROGRESS_MS = 200;

export type BatchFlow = { add(rows: Row[]): Promise<void>; finish(): Promise<void> };

export function createBatchFlow(deps: { run: ImportRun; job: ImportJob; jobs: JobStore; dryRun: boolean }): BatchFlow {
  const { run, job, jobs } = deps;
  let writing: Promise<void> = Promise.resolve();
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

  return {
    async add(rows) {
      const prepared = await prepareBatch(run, rows);
      // Its new records' events are stored while the batch before it is written (write-batch.ts).
      const staged = deps.dryRun ? undefined : stageCreates(run, prepared);
      try {
        await writing;
        await jobs.report(job, prepared.problems);
      } catch (err) {
        staged?.abandon();
        throw err;
      }
      job.unchanged += prepared.unchanged;
      writing = apply(prepared, staged);
      // Awaited by the next add or by finish; until then a failure must not count as unhandled.
      writing.catch(() => undefined);
    },
    finish: () => writing,
  };
}
