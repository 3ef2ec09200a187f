import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './benchmark.types.ts';
import { getFreePort } from './engine-process.ts';
import { formatMs, formatOps, formatRatio, formatTable } from './format-table.ts';
import { ACCOUNT_ENTITY, CONTACT_ENTITY, accountBody, contactSeed } from './records-fixture.ts';
import { BENCH_ADMIN, clientFor } from './records-access.ts';
import { expectStatus, type HttpClient } from './records-http.ts';
import { runLoad, type LoadResult } from './records-load.ts';
import { startServerChild, waitUntilIdle, type ServerChild } from './records-servers.ts';
import { HOOK_LOGIC, measureOverhead } from './plugins-overhead.ts';

// Issue 6, performance: the cost of one hook call (worker process + isolate) next to the same
// logic in-process, and create-record throughput over HTTP with one before-save hook against
// none, measured without, with, and without again so that drift shows.

const CLIENTS = 10;
const seconds = Number(process.env.BENCH_SECONDS) > 0 ? Number(process.env.BENCH_SECONDS) : 5;
const calls = Number(process.env.BENCH_CALLS) > 0 ? Math.floor(Number(process.env.BENCH_CALLS)) : 5_000;

async function writeBenchPlugin(dir: string): Promise<void> {
  await mkdir(join(dir, 'bench-hook'), { recursive: true });
  const manifest = { id: 'bench-hook', version: '1.0.0', name: 'Bench hook', entry: 'index.js', hooks: [{ event: 'beforeSave', entity: 'contact', handler: 'check' }] };
  await writeFile(join(dir, 'bench-hook', 'plugin.json'), JSON.stringify(manifest));
  await writeFile(join(dir, 'bench-hook', 'index.js'), `module.exports = { check: ${HOOK_LOGIC} };\n`);
}

async function createLoad(server: ServerChild, http: HttpClient, accountIds: string[], start: { next: number }): Promise<LoadResult> {
  await waitUntilIdle(server, { busyPct: 10 });
  return runLoad(server, {
    concurrency: CLIENTS,
    prepare: () => JSON.stringify(contactSeed(start.next++, accountIds).body),
    op: async (body) => expectStatus(await http.send('POST', '/api/entities/contact/records', body), 201, 'create'),
  }, seconds);
}

async function setUp(http: HttpClient): Promise<string[]> {
  for (const definition of [ACCOUNT_ENTITY, CONTACT_ENTITY]) await http.json('POST', '/api/metadata/entities', definition, 201);
  const made = await http.json<{ results: Array<{ record: { _id: string } }> }>('POST', '/api/entities/account/records/bulk-create', { records: Array.from({ length: 20 }, (_, i) => accountBody(i)) });
  await http.json('POST', '/api/plugins', { id: 'bench-hook' }, 201);
  return made.results.map((r) => r.record._id);
}

function report(overhead: Awaited<ReturnType<typeof measureOverhead>>, rows: Array<[string, LoadResult]>): void {
  const us = (v: number) => `${Math.round(v)} µs`;
  const over50 = overhead.pluginP50Us - overhead.floorP50Us;
  console.log('\n' + formatTable(['hook call', 'calls', 'p50', 'p99'], [
    ['through the worker and an isolate', String(overhead.calls), us(overhead.pluginP50Us), us(overhead.pluginP99Us)],
    ['same logic in-process (floor)', String(overhead.calls), us(overhead.floorP50Us), us(overhead.floorP99Us)],
    ['overhead', '', us(over50), us(overhead.pluginP99Us - overhead.floorP99Us)],
  ]));
  console.log('\n' + formatTable(['create (10 clients)', 'requests', 'req/s', 'p50', 'p95', 'errors'], rows.map(([name, r]) => [name, String(r.ops), formatOps(r.opsPerSec), formatMs(r.p50Ms), formatMs(r.p95Ms), String(r.errors)])));
  const without = (rows[0]![1].opsPerSec + rows[2]![1].opsPerSec) / 2;
  const withHook = rows[1]![1].opsPerSec;
  console.log('\ntargets:');
  console.log(`  hook overhead p50 <= 150 µs: ${over50 <= 150 ? 'met' : 'not met'} (${us(over50)}; p99 ${us(overhead.pluginP99Us - overhead.floorP99Us)})`);
  console.log(`  create with one before-save hook >= 80% of without: ${withHook / without >= 0.8 ? 'met' : 'not met'} (${formatRatio(withHook, without)}: ${formatOps(withHook)} vs ${formatOps(without)} req/s, the mean of the runs before and after)`);
}

export const benchmark: Benchmark = {
  description: 'plugin hooks: one call through the worker and an isolate vs in-process; create with a before-save hook vs none',
  async run() {
    console.log(`${calls} hook calls, ~${seconds} s a create run, ${CLIENTS} clients, node ${process.version}, ${cpus().length} cores`);
    const overhead = await measureOverhead(calls);
    const dataDir = await mkdtemp(join(tmpdir(), 'rapport-bench-plugins-'));
    const pluginsDir = join(dataDir, 'plugins');
    await writeBenchPlugin(pluginsDir);
    const server = await startServerChild({
      name: 'rapport', entry: 'server/main.ts', readyPath: '/readyz',
      env: { RAPPORT_DATA_DIR: join(dataDir, 'data'), RAPPORT_EMBEDDED_PORT: String(await getFreePort()), LOG_LEVEL: 'warn', MONGODB_URI: '', RAPPORT_PLUGINS_DIR: pluginsDir, RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email, RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password },
    });
    const http = await clientFor(server.base, CLIENTS, BENCH_ADMIN, ['admin']);
    try {
      const accountIds = await setUp(http);
      const next = { next: 0 };
      const rows: Array<[string, LoadResult]> = [];
      // A first run warms the server and the engine up; it is not reported.
      await createLoad(server, http, accountIds, next);
      rows.push(['no hook', await createLoad(server, http, accountIds, next)]);
      await http.json('POST', '/api/plugins/bench-hook/enable', {});
      rows.push(['one before-save hook', await createLoad(server, http, accountIds, next)]);
      await http.json('POST', '/api/plugins/bench-hook/disable', {});
      rows.push(['no hook (again)', await createLoad(server, http, accountIds, next)]);
      report(overhead, rows);
    } finally {
      http.close();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
