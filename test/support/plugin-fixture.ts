/**
 * A lab for attacking the plugin sandbox over HTTP: a real app with a temp plugins folder, plugins
 * written by the test, and probes of the plugin worker process (its pid, RSS and CPU time from
 * /proc) and of the server's responsiveness while an attack runs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startAppServer, type AppServer, type JsonResponse } from './app-server.ts';
import { defineEntity, expectProblem, type ProblemBody } from './crm-fixture.ts';

/** The entity every attack hooks; `name: 'attack'` triggers the attack, any other name is a normal call. */
export const TARGET = 'target';
export const OTHER = 'other';
export const ATTACK = { name: 'attack' };

export type Latency = { samples: number[]; p50: number; max: number };
export type Lab = Awaited<ReturnType<typeof startPluginLab>>;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The problem type each plugin failure status must carry. */
const PROBLEM_TYPES: Record<number, string> = { 502: 'plugin-failed', 503: 'plugin-unavailable', 504: 'plugin-timeout', 508: 'plugin-recursion' };

function stats(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
}

/** One line per attack on what was observed (RAPPORT_ATTACK_REPORT=1 prints them). */
export function note(text: string): void {
  if (process.env.RAPPORT_ATTACK_REPORT) console.log(`[${expect.getState().currentTestName ?? '?'}] ${text}`);
}

/** The worker as an operator would find it: the child process of this one running plugin-worker. */
export function workerPid(): number | undefined {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString();
  } catch {
    return undefined; // ps exits 1 when there is no child
  }
  const line = out.split('\n').find((l) => l.includes('plugin-worker'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

/** VmRSS of a process, in MB. */
export function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** utime + stime of a process (all its threads), in clock ticks (1/100 s on Linux). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, so utime (14) and stime (15) are at 11 and 12.
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * A plugin whose hook `run` runs `body` only for the attack record (`name: 'attack'`): other saves
 * are normal calls that answer nothing. `sync` makes the handler a plain function instead of async.
 */
export const hookCode = (body: string, o: { sync?: boolean } = {}) =>
  `module.exports = { run: ${o.sync ? '' : 'async '}(input) => { if (input.values.name !== 'attack') return undefined; ${body}\n } };`;

export async function startPluginLab() {
  const dir = await mkdtemp(join(tmpdir(), 'rapport-plugin-attacks-'));
  const s: AppServer = await startAppServer({ pluginsDir: dir });
  await defineEntity(s, { name: TARGET, label: 'Target', pluralLabel: 'Targets', fields: [{ name: 'name', type: 'text', required: true }, { name: 'note', type: 'longText' }] });
  await defineEntity(s, { name: OTHER, label: 'Other', pluralLabel: 'Others', fields: [{ name: 'name', type: 'text', required: true }] });
  const enabled = new Set<string>();
  let baselineRss = 0;

  async function writePlugin(id: string, manifest: Record<string, unknown>, code: string, files: Record<string, string | Buffer> = {}): Promise<void> {
    await mkdir(join(dir, id), { recursive: true });
    await writeFile(join(dir, id, 'plugin.json'), JSON.stringify({ id, version: '1.0.0', name: id, entry: 'index.js', ...manifest }));
    await writeFile(join(dir, id, 'index.js'), code);
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, id, name), content);
  }

  async function installAndEnable(id: string, grants: string[] = [], settings?: Record<string, unknown>): Promise<void> {
    const installed = await s.call('POST', '/api/plugins', { id });
    expect(installed.status, JSON.stringify(installed.body)).toBeLessThan(300);
    expect((await s.call('PUT', `/api/plugins/${id}/grants`, { grants })).status).toBe(200);
    if (settings) expect((await s.call('PUT', `/api/plugins/${id}/settings`, { settings })).status).toBe(200);
    await enable(id);
  }

  /** Enables an installed plugin; disableAll() disables it again after the test. */
  async function enable(id: string): Promise<void> {
    const res = await s.call('POST', `/api/plugins/${id}/enable`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    enabled.add(id);
  }

  /** Writes, installs, grants and enables a plugin with one beforeSave hook (handler `run`) on `entity`. */
  async function hookPlugin(id: string, code: string, o: { entity?: string; capabilities?: string[]; grants?: string[]; settings?: Record<string, unknown>; manifest?: Record<string, unknown> } = {}): Promise<void> {
    await writePlugin(id, { capabilities: o.capabilities ?? o.grants ?? [], hooks: [{ event: 'beforeSave', entity: o.entity ?? TARGET, handler: 'run' }], ...o.manifest }, code);
    await installAndEnable(id, o.grants ?? [], o.settings);
  }

  const save = (values: Record<string, unknown> = ATTACK, entity = TARGET) => s.call('POST', `/api/entities/${entity}/records`, values);

  async function count(entity = TARGET): Promise<number> {
    const res = await s.call('GET', `/api/entities/${entity}/records/count`);
    expect(res.status).toBe(200);
    return res.body.count as number;
  }

  async function timedCount(): Promise<number> {
    const started = performance.now();
    await count(OTHER);
    return performance.now() - started;
  }

  async function latencyBaseline(n = 10): Promise<Latency> {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) samples.push(await timedCount());
    return stats(samples);
  }

  /**
   * Runs `work` while timing cheap API requests one after another and sampling the worker's RSS;
   * returns its result, the latencies, how long it took and the worker's peak RSS meanwhile.
   */
  async function measured<T>(work: () => Promise<T>): Promise<{ result: T; latency: Latency; ms: number; peakRss: number }> {
    const started = performance.now();
    const pid = workerPid();
    let done = false;
    let peakRss = 0;
    const pending = work().finally(() => {
      done = true;
    });
    const samples: number[] = [];
    while (!done) {
      samples.push(await timedCount());
      if (pid) peakRss = Math.max(peakRss, (() => { try { return rssMb(pid); } catch { return 0; } })());
    }
    const result = await pending;
    return { result, latency: stats(samples), ms: Math.round(performance.now() - started), peakRss };
  }

  /** The server stayed responsive: the generous bound a slow shared 2-core machine still meets. */
  function expectResponsive(baseline: Latency, during: Latency): void {
    const bound = baseline.p50 * 10 + 250;
    expect(during.p50, `p50 during the attack (${during.samples.length} samples) vs baseline p50 ${baseline.p50.toFixed(1)} ms`).toBeLessThan(bound);
    expect(during.max, `max during the attack vs baseline p50 ${baseline.p50.toFixed(1)} ms`).toBeLessThan(bound + 250);
  }

  /** Waits for a running worker; returns its pid. */
  async function worker(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pid = workerPid();
      if (pid) return pid;
      if (Date.now() > deadline) throw new Error('no plugin worker is running');
      await sleep(50);
    }
  }

  /** The worker's CPU time stops growing: no isolate thread is left spinning (at most 15% of a core over `windowMs`, twice tried). */
  async function expectIdle(pid: number, windowMs = 500): Promise<number> {
    const allowed = (windowMs / 10) * 0.15;
    let used = Infinity;
    for (let attempt = 0; attempt < 2 && used > allowed; attempt++) {
      await sleep(150);
      const first = cpuTicks(pid);
      await sleep(windowMs);
      used = cpuTicks(pid) - first;
    }
    expect(used, `worker CPU ticks over ${windowMs} ms after the attack (100 a second is one core)`).toBeLessThanOrEqual(allowed);
    return used;
  }

  /**
   * One attack end to end: the save is refused with `status` (one of them) and its problem type,
   * within `withinMs`, and nothing is written; the server answers other requests meanwhile; and
   * afterwards the same worker process is back near its baseline memory (and idle, with `idle`)
   * and a normal save through the same plugin works again.
   */
  async function attack(o: { status: number | number[]; detail?: RegExp; values?: Record<string, unknown>; idle?: boolean; withinMs?: number }): Promise<{ problem: ProblemBody; res: JsonResponse; ms: number; rss: number; peakRss: number; pid: number }> {
    const pid = await worker();
    const before = await count();
    const baseline = await latencyBaseline();
    const { result: res, latency, ms, peakRss } = await measured(() => save(o.values ?? ATTACK));
    const statuses = [o.status].flat();
    expect(statuses, JSON.stringify(res.body)).toContain(res.status);
    const problem = expectProblem(res, res.status);
    expect(problem.type.split('/').pop()).toBe(PROBLEM_TYPES[res.status]);
    if (o.detail) expect(problem.detail).toMatch(o.detail);
    if (o.withinMs) expect(ms, 'time to the refusal').toBeLessThan(o.withinMs);
    expect(await count(), 'nothing was written').toBe(before);
    expectResponsive(baseline, latency);
    const after = await recovered(pid, o.idle);
    note(`${res.status} ${problem.type.split('/').pop()} after ${ms} ms (${problem.detail}); worker RSS ${after.rss.toFixed(0)} MB (baseline ${baselineRss.toFixed(0)}, peak ${peakRss.toFixed(0)}); latency p50 ${latency.p50.toFixed(1)}/max ${latency.max.toFixed(1)} ms vs baseline p50 ${baseline.p50.toFixed(1)}`);
    return { problem, res, ms, peakRss, ...after };
  }

  /** After an attack: the worker is near its baseline RSS, (optionally) idle, and a normal save through the same plugins works. */
  async function recovered(expectedPid?: number, idle = false): Promise<{ rss: number; pid: number }> {
    const before = await count();
    let ok = await save({ name: 'normal' });
    for (let i = 0; i < 50 && ok.status === 503; i++) {
      await sleep(100);
      ok = await save({ name: 'normal' });
    }
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(await count()).toBe(before + 1);
    const pid = await worker();
    if (expectedPid !== undefined) expect(pid, 'the worker process survived the attack').toBe(expectedPid);
    if (idle) await expectIdle(pid);
    const rss = rssMb(pid);
    expect(rss, `worker RSS ${rss.toFixed(0)} MB vs baseline ${baselineRss.toFixed(0)} MB`).toBeLessThan(baselineRss + 100);
    return { rss, pid };
  }

  /**
   * Cleanup after an attack the sandbox did not contain: if the worker `pid` is still burning CPU,
   * kill it (the test's own child) so the suite goes on; the supervisor restarts it.
   */
  async function killIfSpinning(pid: number): Promise<boolean> {
    if (workerPid() !== pid) return false;
    const first = cpuTicks(pid);
    await sleep(300);
    const spinning = cpuTicks(pid) - first > 10;
    if (spinning) {
      process.kill(pid, 'SIGKILL');
      for (let i = 0; i < 100 && [undefined, pid].includes(workerPid()); i++) await sleep(50);
    }
    return spinning;
  }

  /** Kills the worker (this test's own child) and waits for the supervisor to start a fresh one. */
  async function restartWorker(): Promise<number> {
    const pid = await worker();
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && [undefined, pid].includes(workerPid()); i++) await sleep(50);
    return worker();
  }

  /** Starts the worker with a harmless plugin and records its baseline RSS. */
  async function warmUp(): Promise<void> {
    await hookPlugin('warm-up', hookCode('return undefined;'));
    for (let i = 0; i < 5; i++) expect((await save({ name: `warm ${i}` })).status).toBe(201);
    await disableAll();
    baselineRss = rssMb(await worker());
  }

  async function disableAll(): Promise<void> {
    for (const id of enabled) {
      const res = await s.call('POST', `/api/plugins/${id}/disable`);
      expect(res.status).toBe(200);
    }
    enabled.clear();
  }

  return {
    s,
    writePlugin,
    installAndEnable,
    enable,
    hookPlugin,
    save,
    count,
    measured,
    worker,
    attack,
    recovered,
    killIfSpinning,
    restartWorker,
    warmUp,
    disableAll,
    get baselineRss() {
      return baselineRss;
    },
    async plugin(id: string) {
      return (await s.call('GET', `/api/plugins/${id}`)).body as { status: string; failures: number; disabledReason: string | null };
    },
    async logs(id: string) {
      return (await s.call('GET', `/api/plugins/${id}/logs`)).body.data as Array<{ ok: boolean; error?: string; durationMs: number; logs: Array<{ text: string }> }>;
    },
    async stop(): Promise<void> {
      await s.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One lab per test file: started (and warmed up) before its tests, every plugin disabled after
 * each test, stopped at the end. The returned object stands for the lab once it has started.
 */
export function useLab(): Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await startPluginLab();
    await lab.warmUp();
  }, 60_000);
  afterEach(async () => lab?.disableAll());
  afterAll(async () => lab?.stop());
  return new Proxy({} as Lab, { get: (_target, key) => Reflect.get(lab ?? {}, key) });
}
