/**
 * Durable workflow runs (issue 7), in `workflow_runs`: each run holds a snapshot of the workflow
 * it runs, where it is (a stack of frames: the step list and the index in it), the outputs of its
 * steps and a log of every step's input, output and error. A runner claims a due run with a
 * lease (one atomic findOneAndUpdate), so two instances never run the same step at the same time;
 * every step's result is written, under the lease, before the next step starts, so a crash
 * resumes the run at the step it was on instead of starting it again.
 *
 * One indexed field, `claimAt`, says when a run may next be claimed: its due time while it waits,
 * the end of its lease while a runner holds it (so a runner that dies simply lets it come due
 * again), none once it is finished. Claiming is one range scan of that index in order.
 *
 * Runs wait in two lanes: runs with a promised time (planned dates, schedules, waits, retries:
 * lane 0) are claimed before new runs of record events (lane 1), so a burst of events does not
 * make a reminder late; the burst is worked off in order behind them.
 */
import type { Collection, Db, ObjectId } from 'mongodb';
import type { WorkflowDefinition } from './workflow.types.ts';

/** Where a run is: a list of steps (a JSON Pointer into the definition) and the next index in it. */
export type Frame = {
  list: string;
  index: number;
  /** The record the steps of this frame act on (for-each switches it per item). */
  record?: { entity: string; id: ObjectId };
  /** for-each: the records still to do, and where the list ends. */
  items?: ObjectId[];
  item?: number;
};

export type StepLog = {
  step: string;
  type: string;
  status: 'done' | 'failed' | 'retrying' | 'waiting';
  attempt: number;
  at: Date;
  ms: number;
  output?: unknown;
  error?: string;
};

export type RunStatus = 'scheduled' | 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

export type Run = {
  _id: string;
  workflow: string;
  version: number;
  definition: WorkflowDefinition;
  /** `by`: the user whose change (or button) started the run, shown as who asked for an approval. */
  trigger: { kind: string; at: Date; eventId?: string; input?: unknown; by?: string };
  record?: { entity: string; id: ObjectId };
  status: RunStatus;
  frames: Frame[];
  /** How many workflow writes deep this run was caused (loop protection). */
  depth: number;
  dueAt: Date;
  /** When a runner may claim it: the due time, or the end of the current lease; absent once finished. */
  claimAt?: Date;
  /** 0: due at a promised time; 1: started by an event, as soon as possible. */
  lane: 0 | 1;
  /** Failed attempts of the current step. */
  attempts: number;
  /** Set while a step waits, so the step knows it is being woken. */
  waiting?: { step: string; since: Date };
  lease?: { owner: string };
  /** Outputs of steps by id, for later steps and for the run's history. */
  outputs: Record<string, unknown>;
  log: StepLog[];
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  error?: string;
};

const LEASE_MS = 30_000;
const LOG_CAP = 500;

export type RunsStore = ReturnType<typeof createRunsStore>;

/** `leaseMs`: how long a claimed run stays with a runner that stops answering (default 30 s). */
export function createRunsStore(db: Db, leaseMs = LEASE_MS) {
  const runs: Collection<Run> = db.collection('workflow_runs');

  return {
    async init(): Promise<void> {
      await runs.createIndex({ lane: 1, claimAt: 1 });
      await runs.createIndex({ workflow: 1, createdAt: -1 });
      await runs.createIndex({ 'record.id': 1, createdAt: -1 });
    },
    /** Inserts runs; a run whose id exists already (the same event delivered twice) is not inserted again. */
    async insert(list: Run[]): Promise<number> {
      if (!list.length) return 0;
      try {
        return (await runs.insertMany(list, { ordered: false })).insertedCount;
      } catch (err) {
        const e = err as { code?: number; writeErrors?: Array<{ code: number }>; result?: { insertedCount?: number } };
        if (!(e.writeErrors ?? [e]).every((w) => w.code === 11000)) throw err;
        return e.result?.insertedCount ?? list.length - (e.writeErrors?.length ?? 0);
      }
    },
    /** Claims the most overdue run that is due and not leased by a live runner. */
    async claim(owner: string, now = new Date()): Promise<Run | null> {
      for (const lane of [0, 1] as const) {
        const run = await runs.findOneAndUpdate(
          { lane, claimAt: { $lte: now } },
          { $set: { lease: { owner }, claimAt: new Date(now.getTime() + leaseMs), status: 'running' } },
          { sort: { lane: 1, claimAt: 1 }, returnDocument: 'after' },
        );
        if (run) return run;
      }
      return null;
    },
    /**
     * Writes the run's progress if this runner still holds its lease (renewing it); false when it
     * lost it (it ran past the lease and another runner took over: this one must stop).
     */
    async save(run: Run, owner: string, entry: StepLog | null, release: boolean): Promise<boolean> {
      const now = new Date();
      const set: Partial<Run> = { frames: run.frames, status: run.status, dueAt: run.dueAt, attempts: run.attempts, outputs: run.outputs, updatedAt: now };
      if (run.waiting) set.waiting = run.waiting;
      if (run.finishedAt) set.finishedAt = run.finishedAt;
      if (run.error) set.error = run.error;
      const open = run.status === 'running' || run.status === 'waiting';
      const update: Record<string, unknown> = release
        ? { $set: { ...set, ...(open ? { claimAt: run.dueAt, lane: 0 } : {}) }, $unset: { lease: '', ...(open ? {} : { claimAt: '' }), ...(run.waiting ? {} : { waiting: '' }) } }
        : { $set: { ...set, claimAt: new Date(now.getTime() + leaseMs) }, ...(run.waiting ? {} : { $unset: { waiting: '' } }) };
      if (entry) update.$push = { log: { $each: [entry], $slice: -LOG_CAP } };
      const res = await runs.updateOne({ _id: run._id, 'lease.owner': owner }, update);
      return res.matchedCount === 1;
    },
    /** Wakes a waiting run now (an approval decided). */
    async wake(id: string): Promise<void> {
      const now = new Date();
      await runs.updateOne({ _id: id, status: 'waiting' }, { $set: { dueAt: now, claimAt: now, lane: 0 } });
    },
    /** Wakes the runs waiting on these records: a wait for a condition looks again at once. */
    async wakeRecords(ids: ObjectId[]): Promise<number> {
      const now = new Date();
      const res = await runs.updateMany({ status: 'waiting', 'record.id': { $in: ids }, claimAt: { $gt: now } }, { $set: { dueAt: now, claimAt: now } });
      return res.modifiedCount;
    },
    get: (id: string) => runs.findOne({ _id: id }),
    list(filter: Record<string, unknown>, page: { before?: Date; limit: number }) {
      return runs.find({ ...filter, ...(page.before ? { createdAt: { $lt: page.before } } : {}) }, { projection: { definition: 0 } }).sort({ createdAt: -1 }).limit(page.limit).toArray();
    },
    /**
     * A date-relative trigger's planned run for a record: it replaces the record's earlier plan
     * (the date moved); the id names the date, so a plan that already ran is never run twice.
     */
    async plan(run: Run): Promise<void> {
      await runs.deleteMany({ workflow: run.workflow, 'record.id': run.record!.id, status: 'scheduled', _id: { $ne: run._id } });
      await this.insert([run]);
    },
    async unplan(workflow: string, recordId: ObjectId): Promise<void> {
      await runs.deleteMany({ workflow, 'record.id': recordId, status: 'scheduled' });
    },
    countOpen: (workflow: string) => runs.countDocuments({ workflow, status: { $in: ['scheduled', 'running', 'waiting'] } }),
  };
}
