/**
 * The durable runner (issue 7). It claims due runs with a lease (runs.store.ts), runs their steps
 * one after the other, and writes each step's outcome before starting the next. A failing step is
 * retried with exponential backoff, then fails the run; a waiting step parks the run until its due
 * time. Stopping lets the step in progress finish and hands the run back, so a deploy or a crash
 * resumes runs where they were.
 *
 * The same interpreter runs a workflow in test mode (`dryRun`): in memory, steps describing what
 * they would do, nothing written.
 */
import { randomUUID } from 'node:crypto';
import type { Document, ObjectId } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import type { CompiledEntity } from '../metadata/index.ts';
import type { Frame, Run, RunsStore, StepLog } from './runs.store.ts';
import type { WorkflowDefinition, WorkflowStep } from './workflow.types.ts';
import { executeStep, type ApprovalExecutor, type StepContext, type StepDeps, type StepResult } from './steps/index.ts';

export type RetryPolicy = { baseMs: number; maxAttempts: number };
export type RunnerDeps = {
  store: RunsStore;
  steps: StepDeps;
  approval: ApprovalExecutor;
  logger: Logger;
  concurrency?: number;
  pollMs?: number;
  retry?: RetryPolicy;
  /** Tells administrators about a run that failed for good. */
  notify?: (notice: { kind: string; key: string; title: string; detail: string; link?: string }) => Promise<void>;
};

const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxAttempts: 6 };
const MAX_BACKOFF_MS = 3_600_000;

/** The step list a frame points at (a JSON Pointer into the definition). */
function stepsAt(definition: WorkflowDefinition, pointer: string): WorkflowStep[] {
  let node: unknown = definition;
  for (const part of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[part];
  return Array.isArray(node) ? (node as WorkflowStep[]) : [];
}

const keyOf = (run: Run, step: WorkflowStep): string => `${run._id}:${step.id}${run.frames.filter((f) => f.items).map((f) => `#${f.item}`).join('')}`;

export type Runner = ReturnType<typeof createRunner>;

export function createRunner(deps: RunnerDeps) {
  const owner = randomUUID();
  const retry = deps.retry ?? DEFAULT_RETRY;
  const active = new Set<Promise<void>>();
  let pumping: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function contextFor(run: Run, frame: Frame, step: WorkflowStep, dry: boolean): StepContext {
    const key = keyOf(run, step);
    const where = frame.record ?? run.record;
    let loaded: Promise<{ entity: CompiledEntity; id: ObjectId; doc: Document | null } | null> | undefined;
    return {
      run, frame, step, key, dry, deps: deps.steps,
      path: `${frame.list}/${frame.index}`,
      resumed: run.waiting?.step === key,
      target() {
        loaded ??= (async () => {
          const entity = where ? deps.steps.ctx.registry.get(where.entity) : undefined;
          if (!where || !entity) return null;
          const doc = await deps.steps.ctx.db.collection(entity.collection).findOne({ _id: where.id, _deleting: { $exists: false } }, { projection: { _outbox: 0, _search: 0 } });
          return { entity, id: where.id, doc };
        })();
        return loaded;
      },
    };
  }

  /** Applies a step's result to the run; true when the run goes on with its next step now. */
  function apply(run: Run, frame: Frame, step: WorkflowStep, key: string, result: StepResult, entry: StepLog): boolean {
    const output = 'output' in result ? result.output : undefined;
    if (output !== undefined) entry.output = output;
    switch (result.kind) {
      case 'next':
      case 'enter':
        frame.index++;
        if (result.kind === 'enter') run.frames.push(result.frame);
        if (output !== undefined) run.outputs[step.id] = output;
        run.attempts = 0;
        delete run.waiting;
        return true;
      case 'wait':
        entry.status = 'waiting';
        run.waiting = { step: key, since: run.waiting?.step === key ? run.waiting.since : new Date() };
        run.status = 'waiting';
        run.dueAt = result.until;
        return false;
      case 'retry':
        entry.error = result.error;
        run.attempts++;
        if (run.attempts >= retry.maxAttempts) return fail(run, entry, `${step.id}: ${result.error} (after ${run.attempts} attempts)`);
        entry.status = 'retrying';
        run.dueAt = new Date(Date.now() + Math.min(retry.baseMs * 2 ** (run.attempts - 1), MAX_BACKOFF_MS));
        return false;
      case 'fail':
        entry.error = result.error;
        return fail(run, entry, `${step.id}: ${result.error}`);
    }
  }

  function fail(run: Run, entry: StepLog, error: string): false {
    entry.status = 'failed';
    run.status = 'failed';
    run.error = error;
    run.finishedAt = new Date();
    return false;
  }

  /**
   * Runs steps until the run ends, waits or must retry later. `save` writes progress (false: the
   * lease is lost, stop at once); in test mode it only collects the log.
   */
  /** Moves past finished step lists (and on to a for-each's next record); false when the run has no step left. */
  function nextPosition(run: Run): boolean {
    for (;;) {
      const frame = run.frames[run.frames.length - 1];
      if (!frame) return false;
      if (frame.index < stepsAt(run.definition, frame.list).length) return true;
      if (frame.items && frame.item! + 1 < frame.items.length) {
        frame.item!++;
        frame.index = 0;
        frame.record = { entity: frame.record!.entity, id: frame.items[frame.item!]! };
      } else run.frames.pop();
    }
  }

  function finish(run: Run): void {
    run.status = 'done';
    run.finishedAt = new Date();
  }

  async function advance(run: Run, dry: boolean, save: (entry: StepLog | null, release: boolean) => Promise<boolean>): Promise<void> {
    if (!nextPosition(run)) {
      finish(run);
      return void (await save(null, true));
    }
    for (;;) {
      if (stopped && !dry) return void (await save(null, true));
      const frame = run.frames[run.frames.length - 1]!;
      const step = stepsAt(run.definition, frame.list)[frame.index]!;
      const c = contextFor(run, frame, step, dry);
      const started = Date.now();
      const result = await executeStep(c, deps.approval).catch((err: unknown): StepResult => ({ kind: 'retry', error: err instanceof Error ? err.message : String(err) }));
      const entry: StepLog = { step: step.id, type: step.type, status: 'done', attempt: run.attempts + 1, at: new Date(), ms: Date.now() - started };
      const goOn = apply(run, frame, step, c.key, result, entry);
      // A wait that is woken to look again (a condition) is logged once, when it starts waiting.
      const log = !(result.kind === 'wait' && c.resumed);
      if (!goOn) return void (await save(log ? entry : null, true));
      // The last step's outcome and the end of the run are one write.
      if (!nextPosition(run)) {
        finish(run);
        return void (await save(entry, true));
      }
      if (!(await save(entry, false))) return;
    }
  }

  async function execute(run: Run): Promise<void> {
    try {
      await advance(run, false, (entry, release) => deps.store.save(run, owner, entry, release));
      if (run.status === 'failed') await deps.notify?.({ kind: 'workflow-failed', key: `workflow-failed:${run.workflow}`, title: `Workflow ${run.workflow} failed`, detail: run.error ?? 'unknown error', link: `/api/workflow-runs/${run._id}` });
    } catch (err) {
      deps.logger.error({ err, run: run._id }, 'workflow run stopped on an error; it resumes when its lease ends');
    }
  }

  function begin(run: Run): void {
    const running: Promise<void> = execute(run).finally(() => {
      active.delete(running);
      kick();
    });
    active.add(running);
  }

  /**
   * Claims as many due runs as there is room for. One claim goes first: at most polls nothing is
   * due, and that costs one query instead of one per free slot (8 slots polled 5 times a second
   * were 80 queries a second from an idle server). Once it finds a run, the rest are claimed all at
   * once, since one claim at a time would cap the rate at one claim's latency.
   */
  async function pump(): Promise<void> {
    for (;;) {
      const room = (deps.concurrency ?? 4) - active.size;
      if (stopped || room <= 0) return;
      const first = await deps.store.claim(owner);
      if (!first) return;
      begin(first);
      const more = await Promise.all(Array.from({ length: room - 1 }, () => deps.store.claim(owner)));
      for (const run of more) if (run) begin(run);
      if (more.includes(null)) return;
    }
  }

  function kick(): void {
    if (stopped) return;
    pumping ??= pump()
      .catch((err) => deps.logger.warn({ err }, 'claiming workflow runs failed'))
      .finally(() => {
        pumping = null;
      });
  }

  return {
    owner,
    kick,
    /** Runs a workflow in test mode against a run built for it: nothing is written; the log says what would happen. */
    async dryRun(run: Run): Promise<{ status: Run['status']; log: StepLog[]; error?: string }> {
      const log: StepLog[] = [];
      await advance(run, true, async (entry) => {
        if (entry) log.push(entry);
        return true;
      });
      return { status: run.status === 'waiting' ? 'done' : run.status, log, ...(run.error ? { error: run.error } : {}) };
    },
    start(): void {
      stopped = false;
      timer = setInterval(kick, deps.pollMs ?? 200);
      timer.unref();
      kick();
    },
    /** Lets the steps in progress finish and hands their runs back. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await pumping;
      await Promise.all(active);
    },
    /** Resolves when no run is being worked on here (tests). */
    async idle(): Promise<void> {
      while (active.size || pumping) await Promise.all([...active, pumping]);
    },
  };
}
