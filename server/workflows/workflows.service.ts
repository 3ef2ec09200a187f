/**
 * Workflow definitions (issue 7): validated, versioned, live on every instance within the poll
 * interval. Also the ways a run starts that are not record events: a manual button, an inbound
 * webhook (authenticated by the workflow's secret), and test mode.
 */
import { ObjectId } from 'mongodb';
import type { Actor } from '../shared/actor.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { ReadContext, RecordsService } from '../records/index.ts';
import { hashSecret, newSecret, sameSecret } from '../auth/index.ts';
import { validateWorkflow, type PluginActionLookup } from './validate-workflow.ts';
import { workflowProblems } from './workflows.problems.ts';
import { newRun } from './triggers.ts';
import type { Run, RunsStore } from './runs.store.ts';
import type { StoredWorkflow, WorkflowsStore } from './workflows.store.ts';
import type { WorkflowDefinition } from './workflow.types.ts';

type Change = { actor: string; expectedVersion?: number };
const INBOUND = new Set(['webhook', 'inboundEmail']);
const MAX_MANUAL = 200;

export type WorkflowsService = ReturnType<typeof createWorkflowsService>;

export function createWorkflowsService(deps: {
  ctx: ReadContext; registry: MetadataRegistry; store: WorkflowsStore; runs: RunsStore; records: RecordsService; logger: Logger;
  kick: () => void; dryRun: (run: Run) => Promise<unknown>; planAll: (w: StoredWorkflow) => Promise<void>; pollMs?: number; pluginActions?: PluginActionLookup;
}) {
  const { store } = deps;
  let live: StoredWorkflow[] = [];
  let generation = -1;
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<void> {
    const seen = await store.generation();
    if (seen === generation) return;
    live = await store.live();
    generation = seen;
  }

  async function current(name: string): Promise<StoredWorkflow> {
    const doc = await store.get(name);
    if (!doc || doc.deleted) throw workflowProblems.workflowNotFound.create({ detail: `There is no workflow "${name}"` });
    return doc;
  }

  function check(candidate: unknown): WorkflowDefinition {
    const result = validateWorkflow(candidate, deps.registry, deps.pluginActions);
    if (!result.ok) throw workflowProblems.invalidWorkflow.create({ detail: `${result.errors[0]!.pointer} ${result.errors[0]!.detail}`, errors: result.errors });
    return result.definition;
  }

  /** Saves; a workflow that takes inbound calls gets a secret, shown once. */
  async function save(definition: WorkflowDefinition, previous: StoredWorkflow | null, change: Change) {
    const expected = previous?.version ?? 0;
    if (change.expectedVersion !== undefined && change.expectedVersion !== (previous && !previous.deleted ? previous.version : 0)) {
      throw workflowProblems.versionConflict.create({ detail: `The workflow is at version ${previous?.version ?? 0}, not ${change.expectedVersion}` });
    }
    const secret = INBOUND.has(definition.trigger.kind) && !previous?.secretHash ? newSecret() : undefined;
    const saved = await store.save({ definition, expectedVersion: expected, by: change.actor, ...(secret ? { secretHash: hashSecret(secret) } : {}) });
    if (!saved) throw workflowProblems.versionConflict.create({ detail: 'Someone else changed this workflow at the same time; reload it' });
    await refresh();
    if (definition.trigger.kind === 'dateRelative' && definition.enabled !== false) await deps.planAll(saved);
    return { saved, ...(secret ? { secret } : {}) };
  }

  return {
    live: () => live,
    refresh,
    start(): void {
      timer = setInterval(() => refresh().catch((err) => deps.logger.warn({ err }, 'reloading workflows failed')), deps.pollMs ?? 250);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
    list: () => live.map((w) => w),
    /** What the designer offers: the built-in step types, and the plugin actions usable as steps on `entity`. */
    stepTypes: (entity?: string) => ({
      builtIn: ['update', 'create', 'email', 'webhook', 'wait', 'branch', 'forEach', 'approval', 'assign', 'plugin'],
      plugins: entity && deps.pluginActions ? deps.pluginActions(entity) : [],
    }),
    get: current,
    /** Checks a draft without saving it: the designer's validation as you edit (every problem, by pointer). */
    validate(candidate: unknown): { valid: boolean; errors: Array<{ pointer: string; detail: string }> } {
      const result = validateWorkflow(candidate, deps.registry, deps.pluginActions);
      return result.ok ? { valid: true, errors: [] } : { valid: false, errors: result.errors };
    },
    async create(candidate: unknown, change: Change) {
      const definition = check(candidate);
      const previous = await store.get(definition.name);
      if (previous && !previous.deleted) throw workflowProblems.workflowExists.create({ detail: `A workflow "${definition.name}" already exists` });
      return save(definition, previous, change);
    },
    async replace(name: string, candidate: unknown, change: Change) {
      const previous = await current(name);
      return save(check({ ...(candidate as object), name }), previous, change);
    },
    async remove(name: string, change: Change): Promise<void> {
      const previous = await current(name);
      const saved = await store.save({ definition: previous.definition, expectedVersion: previous.version, by: change.actor, deleted: true });
      if (!saved) throw workflowProblems.versionConflict.create();
      await refresh();
    },
    history: async (name: string) => (await current(name), store.historyOf(name, 50)),
    /** A new secret for inbound calls; the old one stops working at once. */
    async rotateSecret(name: string, change: Change) {
      const previous = await current(name);
      if (!INBOUND.has(previous.definition.trigger.kind)) throw workflowProblems.invalidWorkflow.create({ detail: 'Only webhook and inbound email workflows have a secret' });
      const secret = newSecret();
      const saved = await store.save({ definition: previous.definition, expectedVersion: previous.version, by: change.actor, secretHash: hashSecret(secret) });
      if (!saved) throw workflowProblems.versionConflict.create();
      await refresh();
      return { secret };
    },
    /** Starts a manual workflow on records the actor can read (a button on a record or a list selection). */
    async runManually(name: string, recordIds: unknown, actor: Actor) {
      const w = await current(name);
      if (w.definition.trigger.kind !== 'manual' || w.definition.enabled === false) throw workflowProblems.notManual.create({ detail: `The workflow "${name}" is not started by hand` });
      if (!Array.isArray(recordIds) || !recordIds.length || recordIds.length > MAX_MANUAL || !recordIds.every((id) => typeof id === 'string')) {
        throw workflowProblems.invalidRequest.create({ detail: `recordIds must list 1 to ${MAX_MANUAL} record ids`, errors: [{ pointer: '/recordIds', detail: `must list 1 to ${MAX_MANUAL} record ids` }] });
      }
      const entity = w.definition.entity!;
      const a = deps.records.access(entity, actor, 'read');
      const docs = await Promise.all((recordIds as string[]).map((id) => deps.records.load(a, id)));
      const at = new Date();
      const runs = docs.map((d) => newRun({ id: `${name}:manual:${new ObjectId().toHexString()}`, workflow: w, trigger: { kind: 'manual', at, input: { by: actor.id }, by: actor.id }, record: { entity, id: d._id as ObjectId } }));
      await deps.runs.insert(runs);
      deps.kick();
      return runs.map((r) => ({ id: r._id, recordId: r.record!.id.toHexString() }));
    },
    /** An inbound webhook: the secret authenticates it; the JSON body is the run's input. */
    async runFromWebhook(name: string, secret: string | undefined, input: unknown) {
      const w = await store.get(name);
      const valid = !!w && !w.deleted && w.definition.enabled !== false && w.definition.trigger.kind === 'webhook' && !!secret && !!w.secretHash && sameSecret(hashSecret(secret), w.secretHash);
      if (!valid) throw workflowProblems.webhookRefused.create();
      const run = newRun({ id: `${name}:webhook:${new ObjectId().toHexString()}`, workflow: w, trigger: { kind: 'webhook', at: new Date(), input } });
      await deps.runs.insert([run]);
      deps.kick();
      return { id: run._id };
    },
    /** Test mode: runs the workflow (as saved, or a draft) against a record with no side effects. */
    async test(name: string, body: { recordId?: unknown; draft?: unknown }, actor: Actor) {
      const stored = await current(name);
      const definition = body.draft === undefined ? stored.definition : check({ ...(body.draft as object), name });
      const w = { ...stored, definition };
      let record: { entity: string; id: ObjectId } | undefined;
      if (definition.entity) {
        if (typeof body.recordId !== 'string') throw workflowProblems.invalidRequest.create({ detail: 'recordId is required', errors: [{ pointer: '/recordId', detail: 'must be the id of a record to test against' }] });
        const doc = await deps.records.load(deps.records.access(definition.entity, actor, 'read'), body.recordId);
        record = { entity: definition.entity, id: doc._id as ObjectId };
      }
      return deps.dryRun(newRun({ id: `${name}:test`, workflow: w, trigger: { kind: 'test', at: new Date() }, ...(record ? { record } : {}) }));
    },
  };
}
