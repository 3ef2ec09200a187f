import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { getFreePort } from './engine-process.ts';
import { serverNodeFlags } from '../../server/cli/server-flags.ts';

// The servers under test, each in its own child process (as `npm start` runs Rapport), so neither
// shares an event loop with the load generator and both are measured the same way.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUTPUT_TAIL = 4_000;
const CLOCK_TICKS_PER_SEC = 100;

export type ServerChild = {
  name: string;
  base: string;
  pid: number;
  /** CPU seconds (user + system, every thread) the process has used so far; NaN off Linux. */
  cpuSeconds(): number;
  output(): string;
  /** SIGTERM (a clean shutdown, which also writes a --cpu-prof profile), SIGKILL after timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
};

export type ServerChildOptions = {
  name: string;
  /** Entry file, relative to the repository root, run as `node --import tsx <entry>` (what `tsx <entry>` does). */
  entry: string;
  env: Record<string, string>;
  /** A path answering 200 once the server serves requests. */
  readyPath: string;
  nodeArgs?: string[];
  timeoutMs?: number;
};

export async function startServerChild(o: ServerChildOptions): Promise<ServerChild> {
  const port = await getFreePort();
  // With the Node flags `npm start` gives the server, so that what is measured is what ships.
  const child = spawn(process.execPath, [...serverNodeFlags(), ...(o.nodeArgs ?? []), '--import', 'tsx', o.entry], {
    cwd: repoRoot,
    env: { ...process.env, ...o.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
  let gone = false;
  void exited.then(() => (gone = true));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    if (gone) throw new Error(`${o.name} exited before serving ${o.readyPath}\n--- output ---\n${tail}`);
    const ready = await fetch(base + o.readyPath).then((res) => res.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${o.name} did not serve ${o.readyPath} within ${o.timeoutMs ?? 60_000} ms\n--- output ---\n${tail}`);
    }
    await sleep(100);
  }
  return {
    name: o.name,
    base,
    pid: child.pid!,
    cpuSeconds: () => processCpuSeconds(child.pid!),
    output: () => tail,
    async stop(timeoutMs = 15_000) {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** utime + stime of a process from /proc (Linux), every thread included. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields from the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
  } catch {
    return Number.NaN;
  }
}

/**
 * Waits until the server uses under `busyPct` of a core over `sampleMs` (background work such as a
 * journal checkpoint after seeding would otherwise land in the next measurement). Resolves with
 * the seconds it waited, or Infinity if it was still busy after maxMs.
 */
export async function waitUntilIdle(server: ServerChild, { busyPct = 10, sampleMs = 500, maxMs = 60_000 } = {}): Promise<number> {
  const started = performance.now();
  let before = server.cpuSeconds();
  while (performance.now() - started < maxMs) {
    await sleep(sampleMs);
    const now = server.cpuSeconds();
    if (!Number.isFinite(now) || ((now - before) / (sampleMs / 1000)) * 100 < busyPct) return (performance.now() - started) / 1000;
    before = now;
  }
  return Number.POSITIVE_INFINITY;
}
