/**
 * Schedule triggers (issue 7): cron expressions in a time zone (croner computes the occurrences).
 * Each scheduled workflow has a document with its next due time; an instance fires it by moving
 * that time on with a compare-and-set, so two instances never fire the same occurrence, and the
 * runs it creates are named by the occurrence, so a retry after a crash creates them once.
 */
import { Cron } from 'croner';
import type { Db, ObjectId } from 'mongodb';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { Logger } from '../shared/logger.ts';
import { matches } from './conditions.ts';
import { newRun } from './triggers.ts';
import type { Run, RunsStore } from './runs.store.ts';
import type { StoredWorkflow } from './workflows.store.ts';
import type { ScheduleTrigger } from './workflow.types.ts';

type Schedule = { _id: string; cron: string; timeZone: string; version: number; nextAt: Date };
const MAX_RECORDS = 10_000;

export function nextOccurrence(trigger: ScheduleTrigger, after: Date): Date | null {
  return new Cron(trigger.cron, { timezone: trigger.timeZone ?? 'UTC', paused: true }).nextRun(after);
}

export function createScheduler(deps: { db: Db; registry: MetadataRegistry; store: RunsStore; live: () => StoredWorkflow[]; logger: Logger; kick: () => void; tickMs?: number }) {
  const schedules = deps.db.collection<Schedule>('workflow_schedules');
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | null = null;

  const scheduled = () => deps.live().filter((w) => w.definition.enabled !== false && w.definition.trigger.kind === 'schedule');

  /** The scheduled workflows the schedule documents were last brought in line with. */
  let synced: string | undefined;

  /**
   * Brings the schedule documents in line with the live workflows, when those changed since the
   * last time (an idle server would otherwise query them four times a second for nothing).
   */
  async function sync(): Promise<void> {
    const live = scheduled();
    const signature = JSON.stringify(live.map((w) => [w._id, w.version, w.definition.trigger]));
    if (signature === synced) return;
    for (const w of live) {
      const t = w.definition.trigger as ScheduleTrigger;
      const existing = await schedules.findOne({ _id: w._id });
      if (existing && existing.cron === t.cron && existing.timeZone === (t.timeZone ?? 'UTC')) continue;
      const nextAt = nextOccurrence(t, new Date());
      if (!nextAt) continue;
      await schedules.replaceOne({ _id: w._id }, { cron: t.cron, timeZone: t.timeZone ?? 'UTC', version: w.version, nextAt }, { upsert: true });
    }
    await schedules.deleteMany({ _id: { $nin: live.map((w) => w._id) } });
    synced = signature;
  }

  async function fire(w: StoredWorkflow, due: Date): Promise<void> {
    const base = `${w._id}:cron:${due.toISOString()}`;
    const entity = w.definition.entity ? deps.registry.get(w.definition.entity) : undefined;
    const trigger = { kind: 'schedule', at: due };
    let runs: Run[];
    if (entity) {
      const t = w.definition.trigger as ScheduleTrigger;
      const docs = await deps.db.collection(entity.collection).find({ _deleting: { $exists: false } }).limit(MAX_RECORDS).toArray();
      const chosen = docs.filter((d) => (!t.filter || matches(entity, t.filter, d)) && (!w.definition.condition || matches(entity, w.definition.condition, d)));
      runs = chosen.map((d) => newRun({ id: `${base}:${(d._id as ObjectId).toHexString()}`, workflow: w, trigger, record: { entity: entity.name, id: d._id as ObjectId }, dueAt: due }));
    } else runs = [newRun({ id: base, workflow: w, trigger, dueAt: due })];
    if (await deps.store.insert(runs)) deps.kick();
  }

  async function tick(): Promise<void> {
    const byName = new Map(scheduled().map((w) => [w._id, w]));
    // Only this instance's live scheduled workflows are fired here: with none, nothing is due.
    if (!byName.size) return;
    for (;;) {
      const now = new Date();
      const due = await schedules.findOne({ nextAt: { $lte: now } }, { sort: { nextAt: 1 } });
      const w = due && byName.get(due._id);
      if (!due || !w) return;
      const nextAt = nextOccurrence(w.definition.trigger as ScheduleTrigger, now);
      // Only the instance whose compare-and-set lands fires this occurrence.
      const claimed = await schedules.updateOne({ _id: due._id, nextAt: due.nextAt }, nextAt ? { $set: { nextAt } } : { $set: { nextAt: new Date(8.64e15) } });
      if (claimed.modifiedCount === 1) await fire(w, due.nextAt);
    }
  }

  function run(): void {
    ticking ??= sync()
      .then(tick)
      .catch((err) => deps.logger.warn({ err }, 'workflow schedules failed'))
      .finally(() => {
        ticking = null;
      });
  }

  return {
    sync,
    start(): void {
      timer = setInterval(run, deps.tickMs ?? 250);
      timer.unref();
      run();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await ticking;
    },
  };
}
