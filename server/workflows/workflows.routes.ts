/**
 * /api/workflows (administrators): definitions, versions, runs, test mode, secrets. Manual runs
 * and run history of a record are for everyone who can read the record; inbound webhooks are
 * public and authenticated by the workflow's secret (mounted before sign-in: `webhookRoutes`).
 */
import express, { Router, type Request } from 'express';
import { ObjectId } from 'mongodb';
import { actorOf } from '../shared/actor.ts';
import { etagOf, ifMatchVersion } from '../shared/etag.ts';
import { requireAdmin } from '../http/authenticate.ts';
import type { RecordsService } from '../records/index.ts';
import type { WorkflowsService } from './workflows.service.ts';
import type { RunsStore, Run } from './runs.store.ts';
import type { StoredWorkflow } from './workflows.store.ts';
import type { createInboundEmail } from './inbound-email.ts';

type InboundEmail = ReturnType<typeof createInboundEmail>;
import { workflowProblems } from './workflows.problems.ts';
import { instantiate, type WorkflowTemplate } from './workflow-templates.ts';

const param = (req: Request, name: string): string => String(req.params[name]);
const view = (w: StoredWorkflow) => ({ ...w.definition, version: w.version, updatedAt: w.updatedAt, updatedBy: w.updatedBy, hasSecret: !!w.secretHash });
const runView = ({ _id, definition: _d, lease: _l, claimAt: _c, ...rest }: Run) => ({ id: _id, ...rest, record: rest.record ? { entity: rest.record.entity, id: rest.record.id.toHexString() } : null });
const limitOf = (req: Request) => Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 200);
const beforeOf = (req: Request) => (typeof req.query.before === 'string' && !Number.isNaN(Date.parse(req.query.before)) ? new Date(req.query.before) : undefined);

export function workflowsRoutes(deps: { service: WorkflowsService; runs: RunsStore; records: RecordsService; inbound: InboundEmail; templates: WorkflowTemplate[] }): Router {
  const { service, runs } = deps;
  const router = Router();
  const admin = Router();
  const change = (req: Request, res: Parameters<typeof actorOf>[0]) => ({ actor: actorOf(res).id, expectedVersion: ifMatchVersion(req) });

  admin.get('/api/workflows', (_req, res) => void res.json({ data: service.list().map(view) }));
  // The inbound email endpoint's secret, for the mail provider's forwarding rule; shown once.
  admin.post('/api/workflows-inbound-email/secret', async (_req, res) => void res.json(await deps.inbound.rotateSecret()));
  admin.post('/api/workflows', async (req, res) => {
    const { saved, secret } = await service.create(req.body, { actor: actorOf(res).id });
    res.status(201).location(`/api/workflows/${saved._id}`).set('ETag', etagOf(saved.version)).json({ ...view(saved), ...(secret ? { secret } : {}) });
  });
  // 200 either way: a draft with problems is an answer, not a failed request (the designer asks on every edit).
  admin.post('/api/workflows/validate', (req, res) => void res.json(service.validate(req.body)));
  admin.get('/api/workflow-step-types', (req, res) => void res.json(service.stepTypes(typeof req.query.entity === 'string' ? req.query.entity : undefined)));
  admin.get('/api/workflow-templates', (_req, res) => void res.json({ data: deps.templates.map(({ workflow: _w, ...t }) => t) }));
  admin.post('/api/workflow-templates/:name/instantiate', async (req, res) => {
    const template = deps.templates.find((t) => t.name === param(req, 'name'));
    if (!template) throw workflowProblems.workflowNotFound.create({ detail: `There is no workflow template "${param(req, 'name')}"` });
    const { saved } = await service.create(instantiate(template, req.body), { actor: actorOf(res).id });
    res.status(201).location(`/api/workflows/${saved._id}`).json(view(saved));
  });
  admin.get('/api/workflows/:name', async (req, res) => {
    const w = await service.get(param(req, 'name'));
    res.set('ETag', etagOf(w.version)).json(view(w));
  });
  admin.put('/api/workflows/:name', async (req, res) => {
    const { saved, secret } = await service.replace(param(req, 'name'), req.body, change(req, res));
    res.set('ETag', etagOf(saved.version)).json({ ...view(saved), ...(secret ? { secret } : {}) });
  });
  admin.delete('/api/workflows/:name', async (req, res) => {
    await service.remove(param(req, 'name'), change(req, res));
    res.status(204).end();
  });
  admin.get('/api/workflows/:name/history', async (req, res) => void res.json({ data: await service.history(param(req, 'name')) }));
  admin.post('/api/workflows/:name/secret', async (req, res) => void res.json(await service.rotateSecret(param(req, 'name'), change(req, res))));
  admin.post('/api/workflows/:name/test', async (req, res) => void res.json(await service.test(param(req, 'name'), req.body ?? {}, actorOf(res))));
  admin.get('/api/workflows/:name/runs', async (req, res) => {
    await service.get(param(req, 'name'));
    res.json({ data: (await runs.list({ workflow: param(req, 'name') }, { before: beforeOf(req), limit: limitOf(req) })).map(runView) });
  });
  admin.get('/api/workflow-runs/:id', async (req, res) => {
    const run = await runs.get(param(req, 'id'));
    if (!run) throw workflowProblems.runNotFound.create({ detail: `There is no run ${param(req, 'id')}` });
    res.json(runView(run));
  });

  router.post('/api/workflows/:name/run', async (req, res) => {
    res.status(202).json({ data: await service.runManually(param(req, 'name'), (req.body as { recordIds?: unknown } | undefined)?.recordIds, actorOf(res)) });
  });
  router.get('/api/entities/:entity/records/:id/workflow-runs', async (req, res) => {
    const a = deps.records.access(param(req, 'entity'), actorOf(res), 'read');
    const doc = await deps.records.load(a, param(req, 'id'));
    const list = await runs.list({ 'record.id': doc._id as ObjectId }, { before: beforeOf(req), limit: limitOf(req) });
    res.json({ data: list.map((r) => ({ id: r._id, workflow: r.workflow, status: r.status, trigger: r.trigger, createdAt: r.createdAt, finishedAt: r.finishedAt ?? null, error: r.error ?? null })) });
  });
  // Everything else here is for administrators (the two routes above answered their requests already).
  router.use(['/api/workflows', '/api/workflow-runs', '/api/workflows-inbound-email', '/api/workflow-templates', '/api/workflow-step-types'], requireAdmin);
  router.use(admin);
  return router;
}

/** POST /hooks/workflows/:name — a public endpoint; the secret (Bearer or X-Rapport-Secret) authenticates the call. */
export function webhookRoutes(service: WorkflowsService, inbound: InboundEmail): Router {
  const router = Router();
  router.post('/hooks/inbound-email', express.raw({ type: () => true, limit: '10mb' }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    res.status(202).json(await inbound.receive(req.get('x-rapport-secret'), body));
  });
  router.post('/hooks/workflows/:name', express.json({ limit: '256kb' }), async (req, res) => {
    const auth = req.get('authorization');
    const secret = req.get('x-rapport-secret') ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined);
    res.status(202).json(await service.runFromWebhook(param(req, 'name'), secret, req.body ?? null));
  });
  return router;
}
