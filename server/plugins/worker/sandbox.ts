/**
 * One plugin in one isolate, inside the worker process. A call runs with a CPU timeout (the
 * synchronous part) and a wall-clock watchdog that disposes the isolate, which also ends work
 * queued in promises and promises that never settle. A disposed isolate (timeout, memory limit)
 * is rebuilt from the plugin's code before its next call. Calls to one plugin run one at a time,
 * so an SDK call always belongs to the call that is running.
 */
import { GUEST_PRELUDE, PENDING } from './guest-prelude.ts';
import type { InvokeFailure, Limits, LogLine } from '../ipc.types.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- isolated-vm is loaded at run time (one of two optional aliases). */
type Ivm = any;

export type SdkCaller = (method: string, args: string) => Promise<string>;
export type CallOutcome = { ok: true; value: string; logs: LogLine[] } | { ok: false; error: InvokeFailure; logs: LogLine[] };

const MAX_OUTPUT = 1_000_000;
const MAX_LOG_LINES = 100;
const MAX_LOG_TEXT = 2_000;

export class PluginSandbox {
  private isolate: any;
  private startRef: any;
  private finishRef: any;
  private queue: Promise<unknown> = Promise.resolve();
  private logs: LogLine[] = [];
  private sdk: SdkCaller | undefined;
  private sdkInFlight = 0;
  /** Bumped at each build, so SDK answers meant for a disposed isolate do not count for its successor. */
  private generation = 0;

  constructor(private readonly ivm: Ivm, readonly pluginId: string, readonly code: string, private readonly memoryMb: number) {}

  /** Calls `handler` with `payload` (JSON text) once the calls before it are done. */
  call(handler: string, payload: string, limits: Limits, sdk: SdkCaller): Promise<CallOutcome> {
    const run = this.queue.then(() => this.run(handler, payload, limits, sdk));
    this.queue = run.catch(() => undefined);
    return run;
  }

  dispose(): void {
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
    this.isolate = undefined;
  }

  private async build(limits: Limits): Promise<void> {
    this.generation++;
    this.sdkInFlight = 0;
    this.isolate = new this.ivm.Isolate({ memoryLimit: this.memoryMb });
    const context = await this.isolate.createContext();
    const hostCall = new this.ivm.Reference((method: string, args: string) => this.sdkCall(method, args));
    // Synchronous: a line is in the call's log when console.log returns. (An `ignored` callback runs
    // later on the host, and could land after the call's outcome was sent, losing the line.)
    const hostLog = new this.ivm.Callback((level: LogLine['level'], text: string) => this.log(level, text), { sync: true });
    const entry = await context.evalClosure(GUEST_PRELUDE, [hostCall, hostLog], { result: { reference: true }, timeout: limits.cpuMs });
    this.startRef = await entry.get('start', { reference: true });
    this.finishRef = await entry.get('finish', { reference: true });
    // The plugin's own code: top-level work is bounded like a call.
    await context.eval(this.code, { timeout: limits.cpuMs, filename: `plugin:${this.pluginId}` });
  }

  private sdkCall(method: string, args: string): Promise<string> {
    if (!this.sdk) return Promise.reject(new Error('no call is running'));
    const generation = this.generation;
    this.sdkInFlight++;
    return this.sdk(method, String(args)).finally(() => {
      if (generation === this.generation) this.sdkInFlight--;
    });
  }

  private log(level: LogLine['level'], text: string): void {
    if (this.logs.length < MAX_LOG_LINES) this.logs.push({ level: ['log', 'warn', 'error'].includes(level) ? level : 'log', text: String(text).slice(0, MAX_LOG_TEXT), at: Date.now() });
  }

  private async run(handler: string, payload: string, limits: Limits, sdk: SdkCaller): Promise<CallOutcome> {
    this.logs = [];
    this.sdk = sdk;
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      this.dispose();
    }, limits.wallMs);
    try {
      if (!this.isolate || this.isolate.isDisposed) await this.build(limits);
      // Synchronous first (about 10x cheaper than an async call into the isolate); the timeout bounds it.
      const first: unknown = this.startRef.applySync(undefined, [handler, payload], { arguments: { copy: true }, result: { copy: true }, timeout: limits.cpuMs });
      const value = first === PENDING ? await this.finishRef.apply(undefined, [], { result: { promise: true, copy: true }, timeout: limits.cpuMs }) : first;
      if (typeof value !== 'string' || value.length > MAX_OUTPUT) return { ok: false, error: { code: 'plugin-output', message: `the result is not JSON of at most ${MAX_OUTPUT} characters` }, logs: this.logs };
      return { ok: true, value, logs: this.logs };
    } catch (err) {
      return { ok: false, error: this.failure(err, timedOut, limits), logs: this.logs };
    } finally {
      clearTimeout(watchdog);
      this.sdk = undefined;
      // An SDK answer still on its way could wake the plugin after its call, beyond every limit:
      // the isolate goes, and is rebuilt for the next call.
      if (this.sdkInFlight > 0) this.dispose();
    }
  }

  private failure(err: unknown, timedOut: boolean, limits: Limits): InvokeFailure {
    const message = err instanceof Error ? err.message : String(err);
    if (timedOut) return { code: 'plugin-timeout', message: `the call ran longer than ${limits.wallMs} ms` };
    if (/memory limit/i.test(message) || (this.isolate?.isDisposed && !timedOut)) {
      this.dispose();
      return { code: 'plugin-memory', message: `the plugin went over its ${this.memoryMb} MB memory limit` };
    }
    if (/Script execution timed out/i.test(message)) {
      this.dispose();
      return { code: 'plugin-timeout', message: `the call used more than ${limits.cpuMs} ms of CPU` };
    }
    return { code: 'plugin-error', message: message.slice(0, 2_000) };
  }
}
