/**
 * The server's side of the plugin worker: starts the worker process (with the Node flags
 * isolated-vm needs), loads plugins into it, sends calls and answers its SDK requests. If the
 * worker dies, every call in flight fails with plugin-unavailable (so a save that needed a hook is
 * refused, never saved unchecked), and the worker is restarted with the plugins reloaded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../shared/logger.ts';
import { ISOLATED_VM_NODE_FLAGS } from './isolated-vm-loader.ts';
import type { FromWorker, Limits, LogLine, ToWorker } from './ipc.types.ts';
import { pluginProblems } from './plugins.problems.ts';
import type { Problem } from '../shared/errors.ts';

export const DEFAULT_LIMITS: Limits = { memoryMb: 64, cpuMs: 200, wallMs: 2_000 };
const WORKER = fileURLToPath(new URL('./worker/plugin-worker.ts', import.meta.url));
const MAX_RESTART_DELAY_MS = 5_000;

/** Answers one SDK call of a running plugin call; throws a Problem to refuse it. */
export type SdkHandler<C> = (context: C, method: string, args: unknown[]) => Promise<unknown>;
export type CallReport = { pluginId: string; handler: string; ok: boolean; durationMs: number; logs: LogLine[]; error?: string };

type InFlight<C> = { context: C; pluginId: string; handler: string; resolve: (v: unknown) => void; reject: (e: Problem) => void; deadline: NodeJS.Timeout };

/** How long past its wall-clock limit a call may go unanswered before the worker is killed. */
const DEADLINE_GRACE_MS = 500;

export class PluginSupervisor<C> {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private readonly calls = new Map<number, InFlight<C>>();
  private readonly loaded = new Map<string, { version: string; code: string }>();
  private nextCallId = 1;
  private stopping = false;
  private restarts = 0;

  constructor(private readonly deps: { logger: Logger; sdk: SdkHandler<C>; onCall?: (report: CallReport) => void; limits?: Limits }) {}

  start(): Promise<void> {
    this.stopping = false;
    const child = fork(WORKER, [], { execArgv: [...ISOLATED_VM_NODE_FLAGS, '--import', 'tsx'], serialization: 'json', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.ready = new Promise((resolve, reject) => {
      child.once('error', reject);
      // A worker that dies before it is ready must not leave callers waiting for it.
      child.once('exit', () => reject(new Error('the plugin worker stopped before it was ready')));
      child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          this.deps.logger.info({ pid: child.pid, isolatedVm: m.isolatedVm }, 'plugin worker ready');
          this.restarts = 0;
          resolve();
        } else this.onMessage(m);
      });
    });
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    for (const [pluginId, p] of this.loaded) this.send({ type: 'load', pluginId, ...p });
    return this.ready;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  load(pluginId: string, version: string, code: string): void {
    this.loaded.set(pluginId, { version, code });
    this.send({ type: 'load', pluginId, version, code });
  }

  unload(pluginId: string): void {
    this.loaded.delete(pluginId);
    this.send({ type: 'unload', pluginId });
  }

  /** Runs `handler` of a loaded plugin with `payload`; resolves with its result, or rejects with a plugin problem. */
  async invoke(pluginId: string, handler: string, payload: unknown, context: C, limits: Limits = this.deps.limits ?? DEFAULT_LIMITS): Promise<unknown> {
    if (!this.loaded.has(pluginId)) throw pluginProblems.pluginUnavailable.create({ detail: `Plugin ${pluginId} is not running` });
    await this.ready?.catch(() => undefined);
    const callId = this.nextCallId++;
    return new Promise((resolve, reject) => {
      // The worker's own watchdog answers first; this one is for a worker that cannot (code V8 does
      // not interrupt, such as a huge JSON.parse): the call fails and the worker is replaced. A
      // plugin runs one call at a time, so each call queued ahead of this one may take its wallMs.
      const ahead = [...this.calls.values()].filter((c) => c.pluginId === pluginId).length;
      const deadline = setTimeout(() => this.missedDeadline(callId), (ahead + 1) * limits.wallMs + DEADLINE_GRACE_MS);
      deadline.unref();
      this.calls.set(callId, { context, pluginId, handler, resolve, reject, deadline });
      if (!this.send({ type: 'invoke', callId, pluginId, handler, payload: JSON.stringify(payload ?? null), limits })) {
        this.end(callId);
        reject(pluginProblems.pluginUnavailable.create({ detail: 'The plugin worker is restarting' }));
      }
    });
  }

  /** Forgets a call: its late answer and SDK requests are ignored. */
  private end(callId: number): InFlight<C> | undefined {
    const call = this.calls.get(callId);
    if (call) clearTimeout(call.deadline);
    this.calls.delete(callId);
    return call;
  }

  private missedDeadline(callId: number): void {
    const call = this.end(callId);
    if (!call) return;
    this.deps.logger.error({ pluginId: call.pluginId, handler: call.handler }, 'a plugin call did not end; killing the plugin worker');
    call.reject(pluginProblems.pluginTimeout.create({ detail: `Plugin ${call.pluginId} (${call.handler}) did not stop in time; its worker was restarted` }));
    this.deps.onCall?.({ pluginId: call.pluginId, handler: call.handler, ok: false, durationMs: 0, logs: [], error: 'plugin-timeout: the worker did not answer; it was killed' });
    this.child?.kill('SIGKILL');
  }

  private send(message: ToWorker): boolean {
    if (!this.child?.connected) return false;
    this.child.send(message);
    return true;
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'sdk') {
      void this.answerSdk(m);
      return;
    }
    if (m.type !== 'result') return;
    const call = this.end(m.callId);
    if (!call) return;
    this.deps.onCall?.({ pluginId: call.pluginId, handler: call.handler, ok: m.ok, durationMs: m.durationMs, logs: m.logs, ...(m.ok ? {} : { error: `${m.error.code}: ${m.error.message}` }) });
    if (m.ok) {
      try {
        call.resolve(JSON.parse(m.value));
      } catch {
        call.reject(pluginProblems.pluginFailed.create({ detail: `Plugin ${call.pluginId} returned something that is not JSON` }));
      }
      return;
    }
    const problem = m.error.code === 'plugin-timeout' ? pluginProblems.pluginTimeout : m.error.code === 'plugin-unavailable' ? pluginProblems.pluginUnavailable : pluginProblems.pluginFailed;
    call.reject(problem.create({ detail: `Plugin ${call.pluginId} (${call.handler}): ${m.error.message}` }));
  }

  private async answerSdk(m: Extract<FromWorker, { type: 'sdk' }>): Promise<void> {
    const call = this.calls.get(m.callId);
    try {
      if (!call) throw pluginProblems.pluginUnavailable.create({ detail: 'The call this SDK request belongs to has ended' });
      const args = JSON.parse(m.args) as unknown;
      if (!Array.isArray(args)) throw pluginProblems.invalidPlugin.create({ detail: 'SDK arguments must be a list' });
      const value = await this.deps.sdk(call.context, m.method, args);
      this.send({ type: 'sdk-result', sdkId: m.sdkId, ok: true, value: JSON.stringify(value ?? null) });
    } catch (err) {
      const e = err as Partial<Problem>;
      const message = typeof e.detail === 'string' ? e.detail : typeof e.title === 'string' ? e.title : 'the SDK call failed';
      this.send({ type: 'sdk-result', sdkId: m.sdkId, ok: false, error: { code: typeof e.type === 'string' ? e.type.split('/').pop()! : 'error', message } });
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    for (const callId of [...this.calls.keys()]) {
      const call = this.end(callId)!;
      call.reject(pluginProblems.pluginUnavailable.create({ detail: `The plugin worker stopped (${signal ?? `exit ${code}`}) during ${call.pluginId} ${call.handler}` }));
    }
    if (this.stopping) return;
    const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** this.restarts++);
    this.deps.logger.error({ code, signal, restartInMs: delay }, 'plugin worker stopped; restarting');
    setTimeout(() => {
      if (!this.stopping) this.start().catch((err: unknown) => this.deps.logger.error({ err }, 'restarting the plugin worker failed'));
    }, delay).unref();
  }
}
