/**
 * The server's side of the render worker (issue 7). Templates are rendered in an isolated-vm
 * isolate inside a separate process, started on the first render (isolated-vm needs Node flags
 * the server process does not have, the same reason plugins run in their own worker). A render
 * has two limits: the isolate's CPU timeout, and a wall-clock watchdog here that kills the worker
 * if it does not answer in time (the next render starts a new one). Jobs go one at a time, so a
 * job's time limit starts when it is sent, not while it waits.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ISOLATED_VM_NODE_FLAGS } from '../../plugins/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Problem } from '../../shared/errors.ts';
import { templateProblems } from '../templates.problems.ts';
import type { FromRenderWorker, RenderJob } from './render-ipc.ts';

const WORKER = fileURLToPath(new URL('./render-worker.ts', import.meta.url));
const GRACE_MS = 1_000;
const START_TIMEOUT_MS = 20_000;
const MAX_WAITING = 200;

type Waiting = { job: Omit<RenderJob, 'id'>; resolve: (output: string) => void; reject: (problem: Problem) => void };

export function problemOf(code: string, message: string, timeoutMs: number): Problem {
  switch (code) {
    case 'timeout': return templateProblems.renderTimeout.create({ detail: `Rendering was stopped after ${timeoutMs} ms: is there a loop over a very large list, or nested loops?` });
    case 'partial-depth': return templateProblems.partialDepth.create({ detail: message.charAt(0).toUpperCase() + message.slice(1) });
    case 'output-too-large': return templateProblems.outputTooLarge.create({ detail: message.charAt(0).toUpperCase() + message.slice(1) });
    case 'unsafe-access': return templateProblems.unsafeAccess.create({ detail: message.charAt(0).toUpperCase() + message.slice(1) });
    case 'memory': return templateProblems.outputTooLarge.create({ detail: 'Rendering was stopped: it used more memory than a template may' });
    default: return templateProblems.renderFailed.create({ detail: message });
  }
}

export class RenderSandbox {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly waiting: Waiting[] = [];
  private current: (Waiting & { id: number; watchdog?: NodeJS.Timeout }) | undefined;
  private nextId = 1;
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  /** Renders one job; resolves with the worker's JSON output, rejects with a template problem. */
  render(job: Omit<RenderJob, 'id'>): Promise<string> {
    if (this.stopped) return Promise.reject(templateProblems.renderUnavailable.create({ detail: 'The server is stopping' }));
    if (this.waiting.length >= MAX_WAITING) return Promise.reject(templateProblems.renderUnavailable.create({ detail: 'Too many renders are waiting; try again shortly' }));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.pump();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.waiting.splice(0)) w.reject(templateProblems.renderUnavailable.create({ detail: 'The server is stopping' }));
    await this.kill();
  }

  private pump(): void {
    if (this.current || !this.waiting.length) return;
    const next = this.waiting.shift()!;
    const id = this.nextId++;
    this.current = { ...next, id };
    this.started()
      .then(() => {
        if (this.current?.id !== id) return;
        // The time limit runs from when the worker has the job, not while it starts.
        this.current.watchdog = setTimeout(() => this.timedOut(id), next.job.timeoutMs + GRACE_MS);
        this.child?.send({ type: 'render', job: { ...next.job, id } });
      })
      .catch((err: unknown) => {
        this.logger.error({ err }, 'the template render worker could not start');
        this.finish(id, (w) => w.reject(templateProblems.renderUnavailable.create({ detail: 'The template renderer could not start' })));
      });
  }

  private finish(id: number, settle: (w: Waiting) => void): void {
    if (this.current?.id !== id) return;
    const w = this.current;
    clearTimeout(w.watchdog);
    this.current = undefined;
    settle(w);
    this.pump();
  }

  private timedOut(id: number): void {
    if (this.current?.id !== id) return;
    const timeoutMs = this.current.job.timeoutMs;
    this.logger.warn({ timeoutMs }, 'a template render did not answer in time; restarting the render worker');
    void this.kill();
    this.finish(id, (w) => w.reject(problemOf('timeout', '', timeoutMs)));
  }

  private started(): Promise<void> {
    if (this.ready && this.child && this.child.exitCode === null && this.child.signalCode === null) return this.ready;
    const child = fork(WORKER, [], { execArgv: [...ISOLATED_VM_NODE_FLAGS, '--import', 'tsx'], serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the render worker did not start in time')), START_TIMEOUT_MS);
      timer.unref();
      child.once('error', reject);
      child.once('exit', () => {
        clearTimeout(timer);
        reject(new Error('the render worker stopped before it was ready'));
      });
      child.on('message', (m: FromRenderWorker) => {
        if (m.type === 'ready') {
          clearTimeout(timer);
          this.logger.debug({ pid: child.pid, isolatedVm: m.isolatedVm }, 'template render worker ready');
          resolve();
        } else if (m.type === 'result') {
          this.finish(m.id, (w) => (m.ok ? w.resolve(m.output) : w.reject(problemOf(m.code, m.message, w.job.timeoutMs))));
        }
      });
    });
    child.once('exit', () => {
      // One the watchdog killed is already replaced; one that died by itself fails the render it had.
      if (this.child !== child) return;
      this.child = undefined;
      this.ready = undefined;
      const id = this.current?.id;
      if (id !== undefined) this.finish(id, (w) => w.reject(templateProblems.renderUnavailable.create({ detail: 'The template renderer stopped; try again' })));
    });
    return this.ready;
  }

  private async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
