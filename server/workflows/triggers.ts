/**
 * Record triggers (issue 7): the outbox dispatcher hands every record event to `onEvents` before
 * it leaves the record's outbox, so no change is missed and a redelivery makes no second run (a
 * run's id is the workflow's name and the event's id). Date-relative triggers plan a run for the
 * record's date, and plan it again when the date changes.
 */
import type { Document, ObjectId } from 'mongodb';
import type { CompiledEntity, MetadataRegistry } from '../metadata/index.ts';
import type { ReadContext } from '../records/index.ts';
import { changesOf, type OutboxEvent } from '../audit/index.ts';
import type { Logger } from '../shared/logger.ts';
import { matches, recordAt, sameApiValue } from './conditions.ts';
import type { Run, RunsStore } from './runs.store.ts';
import type { StoredWorkflow } from './workflows.store.ts';
import type { DateRelativeTrigger, StateMachineTrigger, WorkflowDefinition } from './workflow.types.ts';
import { transitionOf } from './record-guard.ts';

/** Workflow writes start runs only this many levels deep: a workflow that triggers itself stops there. */
export const MAX_WORKFLOW_DEPTH = 2;

type Change = { field: string; before: unknown; after: unknown };

export function newRun(input: { id: string; workflow: StoredWorkflow; trigger: Run['trigger']; record?: { entity: string; id: ObjectId }; depth?: number; dueAt?: Date; status?: Run['status'] }): Run {
  const now = new Date();
  return {
    _id: input.id, workflow: input.workflow._id, version: input.workflow.version, definition: input.workflow.definition, trigger: input.trigger,
    ...(input.record ? { record: input.record } : {}),
    status: input.status ?? 'running', frames: [{ list: '/steps', index: 0 }], depth: input.depth ?? 0, dueAt: input.dueAt ?? now, claimAt: input.dueAt ?? now, lane: input.dueAt ? 0 : 1,
    attempts: 0, outputs: {}, log: [], createdAt: now, updatedAt: now,
  };
}

/** Whether a record event fires the trigger (before the workflow's own condition). */
export function fires(def: WorkflowDefinition, entity: CompiledEntity, event: { type: string; changes?: Change[] }, before: Document | null, after: Document | null): boolean {
  const t = def.trigger;
  switch (t.kind) {
    case 'recordCreated': return event.type === 'created';
    case 'recordUpdated': return event.type === 'updated';
    case 'recordDeleted': return event.type === 'deleted';
    case 'fieldChanged': {
      if (event.type !== 'created' && event.type !== 'updated') return false;
      const change = event.changes?.find((c) => c.field === t.field);
      if (!change) return false;
      if (t.to !== undefined && JSON.stringify(change.after) !== JSON.stringify(t.to)) return false;
      return t.from === undefined || (event.type === 'updated' && JSON.stringify(change.before) === JSON.stringify(t.from));
    }
    case 'stateMachine':
      return event.type === 'updated' && !!event.changes?.some((c) => c.field === t.field);
    case 'conditionBecomesTrue':
      return (event.type === 'created' || event.type === 'updated') && !matches(entity, t.filter, before) && matches(entity, t.filter, after);
    default:
      return false;
  }
}

export function createTriggers(deps: { ctx: ReadContext; registry: MetadataRegistry; store: RunsStore; live: () => StoredWorkflow[]; logger: Logger; kick: () => void }) {
  const { ctx, store } = deps;

  async function currentDocs(entity: CompiledEntity, ids: ObjectId[]): Promise<Map<string, Document>> {
    const docs = await ctx.db.collection(entity.collection).find({ _id: { $in: ids } }, { projection: { _outbox: 0, _search: 0 } }).toArray();
    return new Map(docs.map((d) => [(d._id as ObjectId).toHexString(), d]));
  }

  /** Plans (or drops) a date-relative run for the record as it is now. */
  async function planDate(w: StoredWorkflow, t: DateRelativeTrigger, entity: CompiledEntity, id: ObjectId, doc: Document | null): Promise<void> {
    const date = doc?.[t.field];
    if (!(date instanceof Date) || (w.definition.condition && !matches(entity, w.definition.condition, doc))) return store.unplan(w._id, id);
    const dueAt = new Date(date.getTime() + t.offsetMinutes * 60_000);
    await store.plan(newRun({ id: `${w._id}:date:${id.toHexString()}:${dueAt.toISOString()}`, workflow: w, trigger: { kind: 'dateRelative', at: dueAt }, record: { entity: entity.name, id }, dueAt, status: 'scheduled' }));
  }

  return {
    planDate,
    async onEvents(events: OutboxEvent[]): Promise<void> {
      const workflows = deps.live().filter((w) => w.definition.enabled !== false && w.definition.entity);
      if (!workflows.length) return;
      if (await store.wakeRecords(events.filter((e) => e.type === 'updated').map((e) => e.recordId as ObjectId))) deps.kick();
      const runs: Run[] = [];
      const byEntity = new Map<string, OutboxEvent[]>();
      for (const e of events) if (typeof e.entity === 'string' && workflows.some((w) => w.definition.entity === e.entity)) byEntity.set(e.entity, [...(byEntity.get(e.entity) ?? []), e]);
      for (const [name, list] of byEntity) {
        const entity = deps.registry.get(name);
        if (!entity) continue;
        const docs = await currentDocs(entity, list.map((e) => e.recordId as ObjectId));
        for (const e of list) {
          const depth = typeof e.depth === 'number' ? e.depth : 0;
          const id = e.recordId as ObjectId;
          const changes = (changesOf(e) ?? []) as Change[];
          const current = docs.get(id.toHexString());
          // A created record is judged as created (its changes list every value it was given), not as it is now.
          const after = e.type === 'deleted' ? null : e.type === 'created' ? recordAt(entity, { _id: id }, changes, 'after') : current ? recordAt(entity, current, changes, 'after') : null;
          const before = e.type === 'created' ? null : recordAt(entity, current ?? { _id: id }, changes, 'before');
          for (const w of workflows.filter((x) => x.definition.entity === name)) {
            const def = w.definition;
            if (def.trigger.kind === 'dateRelative') {
              if (e.type === 'deleted') await store.unplan(w._id, id);
              else if (e.type !== 'updated' || changes.some((c) => c.field === (def.trigger as DateRelativeTrigger).field)) await planDate(w, def.trigger, entity, id, after);
              continue;
            }
            if (!fires(def, entity, { type: String(e.type), changes }, before, after)) continue;
            if (def.condition && !matches(entity, def.condition, after ?? before)) continue;
            if (depth >= MAX_WORKFLOW_DEPTH) {
              deps.logger.warn({ workflow: w._id, record: id, depth }, 'workflow not started: the change was made by workflows already this deep');
              continue;
            }
            const run = newRun({ id: `${w._id}:${String(e.id)}`, workflow: w, trigger: { kind: def.trigger.kind, at: e.at instanceof Date ? e.at : new Date(), eventId: String(e.id), ...(typeof e.actorId === 'string' ? { by: e.actorId } : {}) }, record: { entity: name, id }, depth });
            if (def.trigger.kind === 'stateMachine') {
              // The transition's own steps first, then the workflow's steps for every transition.
              const change = changes.find((c) => c.field === (def.trigger as StateMachineTrigger).field)!;
              const index = def.trigger.transitions.findIndex((t) => t === transitionOf(def.trigger as StateMachineTrigger, change.before as string | null, change.after as string | null));
              if (index >= 0) run.frames.push({ list: `/trigger/transitions/${index}/steps`, index: 0 });
              run.trigger.input = { from: change.before, to: change.after };
            }
            runs.push(run);
          }
        }
      }
      if (await store.insert(runs)) deps.kick();
    },
    /** Field-changed `to`/`from` values are compared in API form: exported for the studio's preview. */
    sameApiValue,
  };
}
