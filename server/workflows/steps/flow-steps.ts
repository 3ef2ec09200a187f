/**
 * Steps that shape the run (issue 7): wait (a duration, until a date field, or until a condition
 * holds), branch (if/else on a condition, switch on a field's value) and for-each over related
 * records. Waiting is a state of the stored run with a due time, never a timer in memory, so a
 * restart does not lose a wait and a wait of months costs nothing.
 */
import type { ObjectId } from 'mongodb';
import { matches, sameApiValue } from '../conditions.ts';
import type { WorkflowStep } from '../workflow.types.ts';
import { failed, next, type StepContext, type StepResult } from './step-context.ts';

type Of<T extends WorkflowStep['type']> = Extract<WorkflowStep, { type: T }>;

const MINUTE = 60_000;
/** How often a wait on a condition looks again. */
export const CONDITION_POLL_MS = MINUTE;
const MAX_ITEMS = 1000;

export async function waitStep(c: StepContext, step: Of<'wait'>): Promise<StepResult> {
  const since = c.resumed && c.run.waiting ? c.run.waiting.since : new Date();
  const now = Date.now();
  if (step.minutes !== undefined) {
    const until = new Date(since.getTime() + step.minutes * MINUTE);
    if (c.dry) return next({ wouldWaitUntil: until });
    return until.getTime() <= now ? next({ waited: step.minutes }) : { kind: 'wait', until };
  }
  const t = await c.target();
  if (!t?.doc) return failed('The record no longer exists');
  const timedOut = step.timeoutMinutes !== undefined && since.getTime() + step.timeoutMinutes * MINUTE <= now;
  if (step.untilField) {
    const date = t.doc[step.untilField];
    if (!(date instanceof Date)) return next({ skipped: `${step.untilField} is empty` });
    if (c.dry) return next({ wouldWaitUntil: date });
    // Woken after the date: look again, it may have moved later meanwhile.
    return date.getTime() <= now || timedOut ? next({ waitedUntil: date }) : { kind: 'wait', until: date };
  }
  if (matches(t.entity, step.untilCondition, t.doc)) return next({ conditionMet: true });
  if (c.dry) return next({ wouldWaitFor: 'the condition' });
  if (timedOut) return next({ timedOut: true });
  return { kind: 'wait', until: new Date(now + CONDITION_POLL_MS) };
}

export async function branchStep(c: StepContext, step: Of<'branch'>): Promise<StepResult> {
  const t = await c.target();
  if (step.if !== undefined) {
    const holds = !!t?.doc && matches(t.entity, step.if, t.doc);
    return enter(c, `${c.path}/${holds ? 'then' : 'else'}`, holds ? step.then : step.else, { branch: holds ? 'then' : 'else' });
  }
  if (!t?.doc) return failed('The record no longer exists');
  const index = (step.cases ?? []).findIndex((k) => sameApiValue(t.entity, step.switch!, k.value, t.doc![step.switch!]));
  if (index >= 0) return enter(c, `${c.path}/cases/${index}/steps`, step.cases![index]!.steps, { case: step.cases![index]!.value });
  return enter(c, `${c.path}/default`, step.default, { case: 'default' });
}

function enter(c: StepContext, list: string, steps: unknown[] | undefined, output: unknown): StepResult {
  if (!steps?.length) return next(output);
  return { kind: 'enter', frame: { list, index: 0, ...(c.frame.record ? { record: c.frame.record } : {}) }, output };
}

export async function forEachStep(c: StepContext, step: Of<'forEach'>): Promise<StepResult> {
  const t = await c.target();
  const child = c.deps.ctx.registry.get(step.entity);
  if (!t || !child) return failed('The record or the related entity no longer exists');
  const docs = await c.deps.ctx.db.collection(child.collection).find({ [step.via]: t.id, _deleting: { $exists: false } }).sort({ _id: 1 }).limit(MAX_ITEMS).toArray();
  const items = docs.filter((d) => !step.filter || matches(child, step.filter, d)).map((d) => d._id as ObjectId);
  if (!items.length || !step.steps.length) return next({ items: 0 });
  return { kind: 'enter', frame: { list: `${c.path}/steps`, index: 0, items, item: 0, record: { entity: child.name, id: items[0]! } }, output: { items: items.length } };
}
