/**
 * Steps that reach outside (issue 7): an email from a template (through the mail outbox, keyed so
 * a step run twice enqueues once), a signed outgoing webhook (through the plugins' guarded fetch:
 * the same SSRF checks; retried with backoff; the delivery id lets the receiver drop a repeat), and
 * a plugin action.
 */
import { createHmac } from 'node:crypto';
import { pluginFetch } from '../../plugins/index.ts';
import { SYSTEM_ACTOR } from '../../shared/actor.ts';
import { Problem } from '../../shared/errors.ts';
import type { WorkflowStep } from '../workflow.types.ts';
import { failed, next, type StepContext, type StepResult } from './step-context.ts';
import { outcomeOf } from './record-steps.ts';

type Of<T extends WorkflowStep['type']> = Extract<WorkflowStep, { type: T }>;

export async function emailStep(c: StepContext, step: Of<'email'>): Promise<StepResult> {
  const t = await c.target();
  const to = step.to.includes('@') ? step.to : t?.doc?.[step.to];
  if (typeof to !== 'string' || !to) return next({ skipped: `the record has no ${step.to}` });
  const record = t ? { entity: t.entity.name, id: t.id.toHexString() } : undefined;
  if (c.dry) return next({ wouldEmail: { to, template: step.template } });
  if (!c.deps.mail) return { kind: 'retry', error: 'Email is not available yet' };
  try {
    await c.deps.mail.enqueue({ to, template: step.template, ...(record ? { record } : {}), dedupeKey: c.key });
    return next({ emailed: to, template: step.template });
  } catch (err) {
    return outcomeOf(err);
  }
}

export async function webhookStep(c: StepContext, step: Of<'webhook'>): Promise<StepResult> {
  const t = await c.target();
  const record = t?.doc ? await c.deps.records.present(t.entity.name, t.doc, SYSTEM_ACTOR) : null;
  const body = JSON.stringify({ workflow: c.run.workflow, run: c.run._id, step: step.id, delivery: c.key, entity: t?.entity.name ?? null, record, input: c.run.trigger.input ?? null });
  if (c.dry) return next({ wouldPost: { url: step.url, bytes: body.length } });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-rapport-delivery': c.key, 'user-agent': 'Rapport-Workflows' };
  if (step.secret) headers['x-rapport-signature'] = `sha256=${createHmac('sha256', step.secret).update(body).digest('hex')}`;
  try {
    const res = await pluginFetch(new Set([`http:fetch:${new URL(step.url).hostname}`]), step.url, { method: 'POST', headers, body }, c.deps.fetch);
    if (res.status >= 200 && res.status < 300) return next({ status: res.status });
    // The receiver refused the request itself: sending it again would not help.
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) return failed(`${step.url} answered ${res.status}`);
    return { kind: 'retry', error: `${step.url} answered ${res.status}` };
  } catch (err) {
    // A refused destination (a private address, a bad URL) will not change; a network error may.
    const detail = err instanceof Problem ? err.detail ?? err.title : '';
    if (err instanceof Problem && (/is not allowed/.test(detail) || !/^The request to .* failed/.test(detail))) return failed(detail);
    return { kind: 'retry', error: err instanceof Error ? err.message : String(err) };
  }
}

export async function pluginStep(c: StepContext, step: Of<'plugin'>): Promise<StepResult> {
  const t = await c.target();
  if (!t?.doc) return failed('The record no longer exists');
  if (c.dry) return next({ wouldRun: `${step.plugin}.${step.action}` });
  if (!c.deps.plugins) return failed('Plugins are not available');
  try {
    const answer = await c.deps.plugins.run({ entity: t.entity.name, recordId: t.id.toHexString(), pluginId: step.plugin, action: step.action, input: step.input ?? {} });
    return next(answer);
  } catch (err) {
    return outcomeOf(err);
  }
}
