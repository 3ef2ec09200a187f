/**
 * The render worker process (issue 7): started by the render supervisor with the Node flags
 * isolated-vm needs, it keeps one isolate with the Handlebars runtime loaded and renders one job
 * at a time. Each render runs under the isolate's CPU timeout and memory limit; an isolate that
 * hit its memory limit is rebuilt for the next job. It has no database and no network: templates
 * and their data arrive over IPC as text.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// The loader itself, not plugins/index.ts: this process needs nothing else of plugins, and starts in a third of the time.
import { loadIsolatedVmWithSource } from '../../plugins/isolated-vm-loader.ts';
import { GUEST_ERROR, guestRuntime } from './guest-runtime.ts';
import type { FromRenderWorker, RenderJob, ToRenderWorker } from './render-ipc.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- isolated-vm is loaded at run time (one of two optional aliases). */
type Isolate = any;
type Context = any;

const MEMORY_MB = Number(process.env.RAPPORT_TEMPLATE_MEMORY_MB) || 64;
const MAX_PARTIAL_DEPTH = Number(process.env.RAPPORT_TEMPLATE_PARTIAL_DEPTH) || 10;
/** Defined template specs kept per isolate; past this, the isolate starts afresh. */
const MAX_DEFINED = 2_000;
const HANDLEBARS_RUNTIME = readFileSync(createRequire(import.meta.url).resolve('handlebars/dist/handlebars.runtime.js'), 'utf8');

const loaded = loadIsolatedVmWithSource();
let isolate: Isolate | undefined;
let context: Context | undefined;
let defined = new Set<string>();
let queue: Promise<unknown> = Promise.resolve();

const send = (message: FromRenderWorker): void => {
  process.send?.(message);
};

async function fresh(): Promise<Context> {
  if (isolate && !isolate.isDisposed && context && defined.size < MAX_DEFINED) return context;
  if (isolate && !isolate.isDisposed) isolate.dispose();
  isolate = new loaded.ivm.Isolate({ memoryLimit: MEMORY_MB });
  context = await isolate.createContext();
  defined = new Set();
  await context.eval(HANDLEBARS_RUNTIME, { timeout: 5_000, filename: 'handlebars.runtime.js' });
  await context.eval(guestRuntime(MAX_PARTIAL_DEPTH), { timeout: 1_000, filename: 'rapport-guest.js' });
  return context;
}

/** What went wrong, as a code the host maps to a problem, and a message safe to show the template's author. */
function failureOf(err: unknown): { code: string; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith(GUEST_ERROR)) {
    const rest = message.slice(GUEST_ERROR.length);
    const colon = rest.indexOf(':');
    return { code: rest.slice(0, colon), message: rest.slice(colon + 1) };
  }
  if (/Invalid (string|array) length/.test(message)) return { code: 'output-too-large', message: 'the output grew larger than the render may hold' };
  if (/timed out/i.test(message)) return { code: 'timeout', message: 'rendering took longer than the time limit' };
  if (isolate?.isDisposed || /disposed|memory limit/i.test(message)) return { code: 'memory', message: 'rendering used more memory than allowed' };
  // Handlebars' own errors ("The partial x could not be found", a helper given a bad locale...) are the author's to read.
  return { code: 'render', message: message.split('\n')[0]!.slice(0, 500) };
}

async function render(job: RenderJob): Promise<void> {
  try {
    const ctx = await fresh();
    for (const def of job.defs) {
      if (defined.has(def.key)) continue;
      await ctx.eval(`__define(${JSON.stringify(def.key)}, ${def.spec})`, { timeout: 1_000 });
      defined.add(def.key);
    }
    const output = await ctx.eval(`__render(${JSON.stringify(job.payload)})`, { timeout: job.timeoutMs, copy: true });
    send({ type: 'result', id: job.id, ok: true, output: String(output) });
  } catch (err) {
    const failure = failureOf(err);
    send({ type: 'result', id: job.id, ok: false, ...failure });
    // After a timeout or the memory limit the isolate may be unusable: the next job gets a new one.
    if (failure.code === 'timeout' || failure.code === 'memory') {
      if (isolate && !isolate.isDisposed) isolate.dispose();
      isolate = undefined;
    }
  }
}

process.on('message', (message: ToRenderWorker) => {
  if (message.type === 'render') queue = queue.then(() => render(message.job));
});

// The server going away ends the worker: it holds nothing worth keeping.
process.on('disconnect', () => process.exit(0));
await fresh();
send({ type: 'ready', isolatedVm: `${loaded.name}@${loaded.version ?? '?'}` });
