/**
 * Steps that change records (issue 7): update the run's record, create a related record, assign
 * a user. They go through the records service — the one write pipeline — as the system actor on
 * the `workflow` channel, one level deeper than the write that started the run (loop protection).
 */
import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { compileFormula, type Field } from '../../metadata/index.ts';
import { Problem } from '../../shared/errors.ts';
import { SYSTEM_ACTOR } from '../../shared/actor.ts';
import { matches } from '../conditions.ts';
import type { FieldValue, WorkflowStep } from '../workflow.types.ts';
import { failed, next, type StepContext, type StepResult } from './step-context.ts';

type Of<T extends WorkflowStep['type']> = Extract<WorkflowStep, { type: T }>;

/** A failing write is retried when it may succeed later (a conflict, the database); refused input fails the run. */
export function outcomeOf(err: unknown): StepResult {
  if (err instanceof Problem && err.status >= 400 && err.status < 500 && err.status !== 409 && err.status !== 412 && err.status !== 429) {
    const first = err.errors?.[0];
    return failed(first ? `${err.detail ?? err.title} (${first.pointer}: ${first.detail})` : err.detail ?? err.title);
  }
  return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
}

/** The body a list of field values makes, formulas evaluated over the record's API view. */
export function bodyOf(values: FieldValue[], fields: ReadonlyMap<string, Field>, scope: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const v of values) {
    let value = v.formula !== undefined ? compileFormula(v.formula).evaluate(scope) : v.value;
    if (value instanceof Date) value = fields.get(v.field)?.type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString();
    body[v.field] = value ?? null;
  }
  return body;
}

/**
 * What formulas read: the record's fields (API form); as `input`, what started the run (a webhook's
 * body, an email); as `steps`, the outputs of earlier steps by id, so one create step can link the
 * record another made (`steps.newAccount.created`), as converting a lead needs (issue 9).
 */
async function scopeOf(c: StepContext): Promise<Record<string, unknown>> {
  const input = { input: c.run.trigger.input ?? null, steps: c.run.outputs ?? {} };
  const t = await c.target();
  if (!t?.doc) return input;
  return { ...(await c.deps.records.present(t.entity.name, t.doc, SYSTEM_ACTOR)), ...input };
}

const writeRequest = (c: StepContext) => ({ actor: SYSTEM_ACTOR, channel: 'workflow' as const, hookDepth: c.run.depth + 1 });

export async function updateStep(c: StepContext, step: Of<'update'>): Promise<StepResult> {
  const t = await c.target();
  if (!t?.doc) return failed('The record no longer exists');
  const body = bodyOf(step.set, t.entity.fields, step.set.some((v) => v.formula !== undefined) ? await scopeOf(c) : {});
  if (c.dry) return next({ wouldSet: body });
  try {
    await c.deps.records.update(t.entity.name, { ...writeRequest(c), id: t.id.toHexString(), body });
    return next({ set: body });
  } catch (err) {
    return outcomeOf(err);
  }
}

/** A created record's id comes from the step's key, so running the step again finds it instead of creating a second one. */
const idFor = (key: string): ObjectId => new ObjectId(createHash('sha256').update(key).digest('hex').slice(0, 24));

export async function createStep(c: StepContext, step: Of<'create'>): Promise<StepResult> {
  const target = c.deps.ctx.registry.get(step.entity);
  if (!target) return failed(`There is no entity "${step.entity}"`);
  const t = await c.target();
  const body = bodyOf(step.values, target.fields, await scopeOf(c));
  if (step.linkField && t) body[step.linkField] = t.id.toHexString();
  if (c.dry) return next({ wouldCreate: { entity: step.entity, values: body } });
  const id = idFor(c.key);
  if (await c.deps.ctx.db.collection(target.collection).countDocuments({ _id: id }, { limit: 1 })) return next({ created: id.toHexString() });
  try {
    const record = await c.deps.records.create(step.entity, body, { ...writeRequest(c), newId: id });
    return next({ created: record._id });
  } catch (err) {
    return outcomeOf(err);
  }
}

export async function assignStep(c: StepContext, step: Of<'assign'>): Promise<StepResult> {
  const t = await c.target();
  if (!t?.doc) return failed('The record no longer exists');
  let user: string;
  if (step.strategy === 'leastLoaded') {
    const open = t.entity.collection;
    const counts = await Promise.all(step.users.map(async (u) => {
      const filter = { [step.field]: u, _deleting: { $exists: false } };
      const docs = await c.deps.ctx.db.collection(open).find(filter).limit(10_000).toArray();
      return docs.filter((d) => !step.openFilter || matches(t.entity, step.openFilter, d)).length;
    }));
    user = step.users[counts.indexOf(Math.min(...counts))]!;
  } else {
    if (c.dry) return next({ wouldAssign: `${step.users[0]} (next in turn)` });
    const counter = await c.deps.ctx.db.collection<{ _id: string; n: number }>('workflow_counters').findOneAndUpdate({ _id: `${c.run.workflow}:${step.id}` }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
    user = step.users[((counter?.n ?? 1) - 1) % step.users.length]!;
  }
  if (c.dry) return next({ wouldAssign: user });
  try {
    await c.deps.records.update(t.entity.name, { ...writeRequest(c), id: t.id.toHexString(), body: { [step.field]: user } });
    return next({ assigned: user });
  } catch (err) {
    return outcomeOf(err);
  }
}
