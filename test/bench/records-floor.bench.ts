import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Benchmark } from './benchmark.types.ts';
import { formatMs, formatOps, formatRatio, formatTable } from './format-table.ts';
import { CITIES, contactSeed } from './records-fixture.ts';
import { createHttpClient, expectStatus, type HttpClient } from './records-http.ts';
import { runLoad, type Load, type LoadResult } from './records-load.ts';
import { startServerChild, waitUntilIdle, type ServerChild } from './records-servers.ts';
import { createRandom, pickSeed } from './seeded-random.ts';

// The floor under issue 3's targets: the records benchmark's GET, create and list answered by
// Express and the official driver over the embedded engine with no Rapport code at all
// (test/bench/records-floor-server.ts), next to the same Express hello-world. If this stack alone
// stays under a target's ratio, no work on Rapport's own code can reach it on this machine.

type Config = { contacts: number; seconds: number; seed: number; cpuProfDir?: string };
type Row = { name: string; clients: number; run: LoadResult; hello: number; target: string; meets: boolean };

const CLIENTS = 10;
const ID = /"_id":"([0-9a-f]{24})"/;

function readConfig(env: NodeJS.ProcessEnv): Config {
  const positive = (value: string | undefined, fallback: number): number => (Number(value) > 0 ? Number(value) : fallback);
  return {
    contacts: Math.floor(positive(env.BENCH_CONTACTS, 100_000)),
    seconds: positive(env.BENCH_SECONDS, 5),
    seed: pickSeed(env),
    ...(env.BENCH_CPU_PROF ? { cpuProfDir: resolve(env.BENCH_CPU_PROF) } : {}),
  };
}

type Phase = { name: string; clients: number; load: Load<string>; target: string; meets: (run: LoadResult, hello: number) => boolean };

function phases(http: HttpClient, ids: string[], config: Config): Phase[] {
  const random = createRandom(config.seed);
  const accountIds = ids.slice(0, 1_000);
  let next = config.contacts;
  const list = (clients: number): Load<string> => ({
    concurrency: clients,
    prepare: (i) => `/records?city=${encodeURIComponent(CITIES[i % CITIES.length]!)}`,
    op: async (path) => {
      const reply = expectStatus(await http.send('GET', path), 200, 'list');
      if (!reply.text.includes('"city"')) throw new Error(`an empty list: ${reply.text.slice(0, 200)}`);
    },
  });
  return [
    {
      name: 'GET record by id', clients: CLIENTS, target: '>= 0.70x hello-world', meets: (run, hello) => run.opsPerSec / hello >= 0.7,
      load: {
        concurrency: CLIENTS,
        prepare: () => ids[random.int(ids.length)]!,
        op: async (id) => {
          const reply = expectStatus(await http.send('GET', `/records/${id}`), 200, `GET ${id}`);
          if (ID.exec(reply.text)?.[1] !== id) throw new Error(`GET ${id} answered another record`);
        },
      },
    },
    {
      name: 'create record (POST)', clients: CLIENTS, target: '>= 0.35x hello-world', meets: (run, hello) => run.opsPerSec / hello >= 0.35,
      load: {
        concurrency: CLIENTS,
        prepare: () => JSON.stringify(contactSeed(next++, accountIds).body),
        op: async (body) => expectStatus(await http.send('POST', '/records', body), 201, 'create'),
      },
    },
    { name: 'list 50 of city filter, sort', clients: 1, target: 'p95 <= 5 ms', meets: (run) => run.p95Ms <= 5, load: list(1) },
    { name: 'list 50 of city filter, sort', clients: CLIENTS, target: '>= 1,000 lists/s', meets: (run) => run.opsPerSec >= 1_000, load: list(CLIENTS) },
  ];
}

async function runPhase(floor: ServerChild, hello: ServerChild, helloHttp: HttpClient, phase: Phase, config: Config): Promise<Row> {
  const { seconds } = config;
  await waitUntilIdle(floor, { busyPct: config.cpuProfDir ? 50 : 10 });
  const helloLoad: Load<undefined> = { concurrency: phase.clients, prepare: () => undefined, op: async () => expectStatus(await helloHttp.send('GET', '/'), 200, 'hello-world') };
  const before = await runLoad(hello, helloLoad, seconds);
  const run = await runLoad(floor, phase.load, seconds);
  const after = await runLoad(hello, helloLoad, seconds);
  const helloRate = (before.opsPerSec + after.opsPerSec) / 2;
  const errors = run.errors ? `  (${run.errors} errors, first: ${run.firstError})` : '';
  console.log(`  ${phase.name} (${phase.clients}): ${formatOps(run.opsPerSec)} req/s, p50 ${formatMs(run.p50Ms)}, p95 ${formatMs(run.p95Ms)}; hello-world ${formatOps(before.opsPerSec)} before, ${formatOps(after.opsPerSec)} after${config.cpuProfDir ? `; profile window ${run.windowUs.join('-')} µs` : ''}${errors}`);
  return { name: phase.name, clients: phase.clients, run, hello: helloRate, target: phase.target, meets: run.errors === 0 && phase.meets(run, helloRate) };
}

export const benchmark: Benchmark = {
  description: "issue 3's requests on Express + the driver + the embedded engine, no Rapport code: the floor under its targets",
  async run() {
    const config = readConfig(process.env);
    console.log(`contacts ${config.contacts.toLocaleString('en-US')}, ~${config.seconds} s a measured run, seed ${config.seed}, node ${process.version}, ${cpus().length} cores`);
    console.log('knobs: BENCH_CONTACTS, BENCH_SECONDS, BENCH_SEED, BENCH_CPU_PROF=<dir> (--cpu-prof of the floor server)\n');
    const dataDir = await mkdtemp(join(tmpdir(), 'rapport-floor-'));
    const servers: ServerChild[] = [];
    const clients: HttpClient[] = [];
    try {
      const floor = await startServerChild({
        name: 'floor', entry: 'test/bench/records-floor-server.ts', readyPath: '/ready', timeoutMs: 300_000,
        env: { RAPPORT_DATA_DIR: dataDir, FLOOR_CONTACTS: String(config.contacts) },
        nodeArgs: config.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfDir}`] : [],
      });
      servers.push(floor);
      const hello = await startServerChild({ name: 'hello-world', entry: 'test/bench/records-hello-world.ts', env: {}, readyPath: '/' });
      servers.push(hello);
      const http = createHttpClient(floor.base, CLIENTS);
      const helloHttp = createHttpClient(hello.base, CLIENTS);
      clients.push(http, helloHttp);
      const ids = await http.json<string[]>('GET', '/ids');
      const rows: Row[] = [];
      for (const phase of phases(http, ids, config)) rows.push(await runPhase(floor, hello, helloHttp, phase, config));
      const table = rows.map((r) => [
        r.name, String(r.clients), formatOps(r.run.opsPerSec), formatMs(r.run.p50Ms), formatMs(r.run.p95Ms), String(r.run.errors), formatOps(r.hello),
        formatRatio(r.run.opsPerSec, r.hello), `${Math.round(r.run.serverCpu)}%`, `${Math.round(r.run.clientCpu)}%`, r.target, r.meets ? 'within reach' : 'out of reach',
      ]);
      const columns = ['operation (Express + driver, no Rapport)', 'clients', 'req/s', 'p50', 'p95', 'errors', 'hello-world req/s', 'vs hello', 'server CPU', 'client CPU', "Rapport's target", 'on this stack'];
      console.log('\n' + formatTable(columns, table));
      console.log('\nout of reach: the stack under Rapport, with nothing of Rapport, does not reach the target in this run.');
    } finally {
      for (const c of clients) c.close();
      await Promise.all(servers.map((s) => s.stop()));
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
