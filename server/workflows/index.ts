/**
 * The workflows capability (issue 7): definitions, triggers, the durable runner, schedules.
 * `createWorkflows` wires them; app.ts feeds it record events (`onEvents`, an outbox subscriber)
 * and mounts `workflowsRoutes` and the public `webhookRoutes`.
 */
import type { Db, ObjectId } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { ReadContext, RecordsService } from '../records/index.ts';
import type { FetchOptions } from '../plugins/index.ts';
import type { OutboxEvent } from '../audit/index.ts';
import { createWorkflowsStore } from './workflows.store.ts';
import { createRunsStore } from './runs.store.ts';
import { createRunner, type RetryPolicy, type RunnerDeps } from './runner.ts';
import { createTriggers } from './triggers.ts';
import { createScheduler } from './scheduler.ts';
import { createWorkflowsService } from './workflows.service.ts';
import type { WorkflowMailer, WorkflowPlugins } from './steps/index.ts';
import type { DateRelativeTrigger } from './workflow.types.ts';
import { createApprovals, type People } from './approvals.ts';
import { createRecordGuard } from './record-guard.ts';
import { createInboundEmail } from './inbound-email.ts';
import { loadWorkflowTemplates } from './workflow-templates.ts';
import { fileURLToPath } from 'node:url';

const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/workflows/', import.meta.url));

export { workflowsRoutes, webhookRoutes } from './workflows.routes.ts';
export { workflowProblems } from './workflows.problems.ts';
export { approvalsRoutes } from './approvals.routes.ts';
export { chainHooks } from './record-guard.ts';
export type { People } from './approvals.ts';
export type { WorkflowMailer, WorkflowPlugins } from './steps/index.ts';

export type WorkflowsOptions = { pollMs?: number; concurrency?: number; retry?: RetryPolicy; fetch?: FetchOptions; templatesDir?: string; leaseMs?: number };
export type Workflows = ReturnType<typeof createWorkflows>;

export function createWorkflows(deps: { db: Db; ctx: ReadContext; registry: MetadataRegistry; records: () => RecordsService; logger: Logger; people: People; notify?: RunnerDeps['notify']; mail?: () => WorkflowMailer | undefined; plugins?: WorkflowPlugins; options?: WorkflowsOptions }) {
  const { db, registry, logger } = deps;
  const store = createWorkflowsStore(db);
  const runs = createRunsStore(db, deps.options?.leaseMs);
  const records = () => deps.records();
  const stepDeps = {
    ctx: deps.ctx,
    get records() {
      return records();
    },
    get mail() {
      return deps.mail?.();
    },
    plugins: deps.plugins,
    fetch: deps.options?.fetch,
  };
  const approvals = createApprovals({ db, runs, people: deps.people });
  const runner = createRunner({ store: runs, steps: stepDeps, approval: approvals.execute, notify: deps.notify, logger: logger.child({ module: 'workflow-runner' }), concurrency: deps.options?.concurrency, pollMs: deps.options?.pollMs, retry: deps.options?.retry });
  // The triggers and the scheduler read the service's live list; the service plans through the triggers.
  const live = () => service.live();
  const triggers = createTriggers({ ctx: deps.ctx, registry, store: runs, live, logger, kick: runner.kick });
  const scheduler = createScheduler({ db, registry, store: runs, live, logger, kick: runner.kick });

  const service = createWorkflowsService({
    ctx: deps.ctx, registry, store, runs, get records() {
      return records();
    }, logger, kick: runner.kick, dryRun: runner.dryRun, pollMs: deps.options?.pollMs, ...(deps.plugins ? { pluginActions: deps.plugins.actions } : {}),
    async planAll(w) {
      const t = w.definition.trigger as DateRelativeTrigger;
      const entity = registry.get(w.definition.entity!);
      if (!entity) return;
      for await (const doc of db.collection(entity.collection).find({ [t.field]: { $type: 'date' }, _deleting: { $exists: false } })) await triggers.planDate(w, t, entity, doc._id as ObjectId, doc);
    },
  });

  return {
    service,
    runs,
    approvals,
    inbound: createInboundEmail({ db, runs, live, kick: runner.kick }),
    templates: loadWorkflowTemplates(deps.options?.templatesDir ?? TEMPLATES_DIR),
    /** Before-save checks: state-machine transitions and records locked by a pending approval. */
    guard: createRecordGuard({ live, approvals, people: deps.people }),
    runner,
    onEvents: (events: OutboxEvent[]) => triggers.onEvents(events),
    async start(): Promise<void> {
      await Promise.all([store.init(), runs.init(), approvals.init()]);
      await service.refresh();
      service.start();
      runner.start();
      scheduler.start();
    },
    async stop(): Promise<void> {
      service.stop();
      await scheduler.stop();
      await runner.stop();
    },
  };
}
