import { MongoClient, ObjectId, type Db } from 'mongodb';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark } from './benchmark.types.ts';
import { directorySize } from './directory-size.ts';
import { getFreePort } from './engine-process.ts';
import { formatMs, formatOps, formatRatio, formatTable } from './format-table.ts';
import { percentileOf } from './measure.ts';
import { CITIES, contactSeed } from './records-fixture.ts';
import { createHttpClient, expectStatus, type HttpClient } from './records-http.ts';
import { runLoad, type Load, type LoadResult } from './records-load.ts';
import { seed, type SeedReport } from './records-seed.ts';
import { startServerChild, waitUntilIdle, type ServerChild } from './records-servers.ts';
import { createRandom, pickSeed } from './seeded-random.ts';
import { BENCH_ADMIN, checkRep, clientFor, REP_ROLE, setUpRep, type Rep } from './records-access.ts';

// Issue 3, performance: the records API over HTTP, the server as `npm start` runs it (embedded
// engine on its worker thread, durable journal) in a child process, next to an Express
// hello-world child measured just before and just after each row with as many clients.

type Config = { contacts: number; seconds: number; fieldChanges: number; seed: number; cpuProfDir?: string };

type Setup = { rapport: ServerChild; http: HttpClient; hello: ServerChild; helloHttp: HttpClient; db: Db; seeded: SeedReport; rep: Rep; config: Config };

/** A row's run, and the hello-world req/s it is compared with. */
type Row = { run: LoadResult; hello: number };

type Phase = {
  name: string;
  clients: number;
  /** The load, and what to check once it has run (a line for the report). */
  start: (s: Setup) => { load: Load<string>; after?: () => Promise<string> };
  target: string;
  /** The issue's figure for Directus 11 on this machine class, for scale. */
  directus: string;
  meets: (row: Row, rows: Row[]) => boolean;
  /** The figure the summary line gives. */
  figure: (row: Row, rows: Row[]) => string;
};

const CLIENTS = 10;
const DB_NAME = 'rapport';
const FIELD_VISIBLE_TIMEOUT_MS = 10_000;
const AUDIT_CATCH_UP_TIMEOUT_MS = 60_000;
const CLIENT_BOUND_CPU = 85;
const RECORD_ID = /"_id":"([0-9a-f]{24})"/;

const ratio = (row: Row): number => row.run.opsPerSec / row.hello;
const clean = (row: Row): boolean => row.run.errors === 0 && row.run.ops > 0;
const versusHello = (row: Row): string => `${formatRatio(row.run.opsPerSec, row.hello)}: ${formatOps(row.run.opsPerSec)} vs ${formatOps(row.hello)} req/s`;
const plural = (clients: number): string => `${clients} client${clients > 1 ? 's' : ''}`;

function listPath(city: string): string {
  const filter = JSON.stringify({ field: 'city', op: 'eq', value: city });
  return `/api/entities/contact/records?filter=${encodeURIComponent(filter)}&sort=-createdAt&limit=50`;
}

/** A page of the city filter, each city in turn (each holds about 1% of the contacts). */
function listPhase(clients: number, who: (s: Setup) => HttpClient = (s) => s.http): Phase['start'] {
  return (s) => ({
    load: {
      concurrency: clients,
      prepare: (i) => listPath(CITIES[i % CITIES.length]!),
      op: async (path) => expectStatus(await who(s).send('GET', path), 200, 'list'),
    },
  });
}

/** GET by id of a record the client may read. */
function getPhase(who: (s: Setup) => { http: HttpClient; ids: string[] }): Phase['start'] {
  return (s) => {
    const random = createRandom(s.config.seed);
    const { http, ids } = who(s);
    return {
      load: {
        concurrency: CLIENTS,
        prepare: () => ids[random.int(ids.length)]!,
        op: async (id) => {
          const reply = expectStatus(await http.send('GET', `/api/entities/contact/records/${id}`), 200, `GET ${id}`);
          if (RECORD_ID.exec(reply.text)?.[1] !== id) throw new Error(`GET ${id} answered another record: ${reply.text.slice(0, 200)}`);
        },
      },
    };
  };
}

/**
 * Issue 4: the rep's row against the admin row just before it, each first divided by its own
 * hello-world figure so that machine drift between the two rows cancels out.
 */
function repPhase(name: string, clients: number, start: Phase['start'], adminRow: number): Phase {
  const share = (row: Row, rows: Row[]) => ratio(row) / ratio(rows[adminRow]!);
  return {
    name: `${name} (rep, sharing rule)`, clients, start, target: '>= 0.85x admin', directus: '',
    meets: (row, rows) => clean(row) && share(row, rows) >= 0.85,
    figure: (row, rows) => `${share(row, rows).toFixed(2)}x admin: ${formatOps(row.run.opsPerSec)} vs ${formatOps(rows[adminRow]!.run.opsPerSec)} req/s, p95 ${formatMs(row.run.p95Ms)} vs ${formatMs(rows[adminRow]!.run.p95Ms)}`,
  };
}

/** Creates answer before the outbox moves their event to the audit log: how far behind is it? */
async function auditLag(db: Db, createdIds: string[]): Promise<string> {
  // The server's ObjectIds grow, so a range on _id covers exactly the records of the run; a $in of
  // them all would cost the engine a test of every candidate against every id (quadratic).
  if (createdIds.length === 0) return 'audit: no record was created';
  const sorted = [...createdIds].sort();
  const filter = { _id: { $gte: new ObjectId(sorted[0]), $lte: new ObjectId(sorted.at(-1)) }, '_outbox.0': { $exists: true } };
  const countPending = (): Promise<number> => db.collection('rec_contact').countDocuments(filter);
  const started = performance.now();
  const pending = await countPending();
  let left = pending;
  while (left > 0 && performance.now() - started < AUDIT_CATCH_UP_TIMEOUT_MS) {
    await sleep(20);
    left = await countPending();
  }
  const created = createdIds.length.toLocaleString('en-US');
  if (pending === 0) return `audit: every one of the ${created} created records had its event delivered when the run ended`;
  const caughtUp = left === 0 ? `all delivered within ${formatMs(performance.now() - started)}` : `${left} still pending after ${AUDIT_CATCH_UP_TIMEOUT_MS / 1000} s`;
  return `audit: ${pending} of the ${created} created records still held their event when the run ended; ${caughtUp}`;
}

const PHASES: Phase[] = [
  {
    name: 'GET record by id',
    clients: CLIENTS,
    start: getPhase((s) => ({ http: s.http, ids: s.seeded.contactIds })),
    target: '>= 0.70x hello-world',
    directus: '~160 req/s',
    meets: (row) => clean(row) && ratio(row) >= 0.7,
    figure: versusHello,
  },
  repPhase('GET record by id', CLIENTS, getPhase((s) => ({ http: s.rep.http, ids: s.rep.visibleIds })), 0),
  {
    name: 'create record (POST)',
    clients: CLIENTS,
    start: (s) => {
      let next = s.config.contacts;
      const createdIds: string[] = [];
      return {
        load: {
          concurrency: CLIENTS,
          prepare: () => JSON.stringify(contactSeed(next++, s.seeded.accountIds).body),
          op: async (body) => {
            const reply = expectStatus(await s.http.send('POST', '/api/entities/contact/records', body), 201, 'create');
            createdIds.push(RECORD_ID.exec(reply.text)![1]!);
          },
        },
        after: () => auditLag(s.db, createdIds),
      };
    },
    target: '>= 0.35x hello-world',
    directus: '~80 req/s',
    meets: (row) => clean(row) && ratio(row) >= 0.35,
    figure: versusHello,
  },
  {
    name: 'list 50 of city filter, sort',
    clients: 1,
    start: listPhase(1),
    target: 'p95 <= 5 ms',
    directus: 'p50 8.6 ms, p99 14.7 ms',
    meets: (row) => clean(row) && row.run.p95Ms <= 5,
    figure: (row) => `p95 ${formatMs(row.run.p95Ms)}, p50 ${formatMs(row.run.p50Ms)}`,
  },
  repPhase('list 50 of city filter, sort', 1, listPhase(1, (s) => s.rep.http), 3),
  {
    name: 'list 50 of city filter, sort',
    clients: CLIENTS,
    start: listPhase(CLIENTS),
    target: '>= 1,000 lists/s',
    directus: '136 lists/s',
    meets: (row) => clean(row) && row.run.opsPerSec >= 1_000,
    figure: (row) => `${formatOps(row.run.opsPerSec)} lists/s`,
  },
  repPhase('list 50 of city filter, sort', CLIENTS, listPhase(CLIENTS, (s) => s.rep.http), 5),
];

function readConfig(env: NodeJS.ProcessEnv): Config {
  const positive = (value: string | undefined, fallback: number): number => (Number(value) > 0 ? Number(value) : fallback);
  return {
    contacts: Math.floor(positive(env.BENCH_CONTACTS, 100_000)),
    seconds: positive(env.BENCH_SECONDS, 5),
    fieldChanges: Math.floor(positive(env.BENCH_FIELD_CHANGES, 10)),
    seed: pickSeed(env),
    ...(env.BENCH_CPU_PROF ? { cpuProfDir: resolve(env.BENCH_CPU_PROF) } : {}),
  };
}

/** A profiled server never looks idle (the profiler samples every thread), so it gets more room. */
const idleOptions = (config: Config) => ({ busyPct: config.cpuProfDir ? 50 : 10 });
const idleText = (seconds: number): string => (Number.isFinite(seconds) ? `server idle after ${seconds.toFixed(1)} s` : 'server still busy after 60 s');

function helloLoad(s: Setup, clients: number): Load<undefined> {
  return { concurrency: clients, prepare: () => undefined, op: async () => expectStatus(await s.helloHttp.send('GET', '/'), 200, 'hello-world') };
}

/** A wrong list is not a fast list: the page must be the engine's own answer to the same query. */
async function checkList(s: Setup): Promise<string> {
  const city = CITIES[0]!;
  const filter = encodeURIComponent(JSON.stringify({ field: 'city', op: 'eq', value: city }));
  const page = await s.http.json<{ data: Array<Record<string, unknown>>; nextCursor: string | null }>('GET', listPath(city));
  const { count } = await s.http.json<{ count: number }>('GET', `/api/entities/contact/records/count?filter=${filter}`);
  const expected = await s.db.collection('rec_contact').find({ city }, { projection: { _id: 1 } }).sort({ createdAt: -1, _id: -1 }).limit(50).toArray();
  const problems = [
    page.data.map((r) => r._id).join() !== expected.map((d) => String(d._id)).join() && "page ids differ from the driver's find().sort().limit(50)",
    page.data.some((r) => r.city !== city) && 'a record of another city',
    page.data.length !== Math.min(50, count) && `${page.data.length} records on the page, ${count} match`,
    count > 50 && !page.nextCursor && 'no nextCursor although more records match',
  ].filter(Boolean);
  if (problems.length) throw new Error(`list of ${city} is wrong: ${problems.join('; ')}`);
  return `${city}: ${count.toLocaleString('en-US')} of ${s.config.contacts.toLocaleString('en-US')} contacts (${((count / s.config.contacts) * 100).toFixed(1)}%), the page equals the driver's answer`;
}

/** A record seeded through the driver must read back like one created through the API. */
async function checkSeededShape(s: Setup): Promise<void> {
  const ids = [s.seeded.contactIds[0]!, s.seeded.contactIds.at(-1)!];
  const [api, seeded] = await Promise.all(ids.map((id) => s.http.json<Record<string, unknown>>('GET', `/api/entities/contact/records/${id}`)));
  const shape = (r: Record<string, unknown>): string => Object.entries(r).map(([k, v]) => `${k}:${v === null ? 'null' : typeof v}`).sort().join();
  if (shape(api!) !== shape(seeded!)) throw new Error(`a seeded record reads back unlike an API-created one:\n  api    ${shape(api!)}\n  seeded ${shape(seeded!)}`);
}

async function runPhase(s: Setup, phase: Phase): Promise<Row> {
  // Background work left by the previous row (a journal checkpoint, audit delivery) is not this row's.
  const settledSeconds = await waitUntilIdle(s.rapport, idleOptions(s.config));
  const { load, after } = phase.start(s);
  // Side by side: the ceiling right before and right after, with as many clients, on the same machine state.
  const before = await runLoad(s.hello, helloLoad(s, phase.clients), s.config.seconds);
  const run = await runLoad(s.rapport, load, s.config.seconds);
  const note = after ? await after() : undefined;
  const afterwards = await runLoad(s.hello, helloLoad(s, phase.clients), s.config.seconds);
  const hello = (before.opsPerSec + afterwards.opsPerSec) / 2;
  const errors = run.errors ? `  (${run.errors} errors, first: ${run.firstError})` : '';
  const window = s.config.cpuProfDir ? `; profile window ${run.windowUs.join('-')} µs` : '';
  console.log(
    `  ${phase.name} (${plural(phase.clients)}): ${formatOps(run.opsPerSec)} req/s, p50 ${formatMs(run.p50Ms)}, p95 ${formatMs(run.p95Ms)}; ` +
      `hello-world ${formatOps(before.opsPerSec)} before, ${formatOps(afterwards.opsPerSec)} after; ${idleText(settledSeconds)}${window}${errors}`,
  );
  if (note) console.log(`    ${note}`);
  return { run, hello };
}

type FieldChanges = { visibleMs: number[]; postMs: number[]; maxGets: number };

/** POST a field, then GET a record until it shows the field: how long a metadata change takes to be live. */
async function addFields(s: Setup): Promise<FieldChanges> {
  const visibleMs: number[] = [];
  const postMs: number[] = [];
  let maxGets = 0;
  const id = s.seeded.contactIds.at(-1)!;
  await waitUntilIdle(s.rapport, idleOptions(s.config));
  for (let k = 1; k <= s.config.fieldChanges; k++) {
    const name = `benchExtra${k}`;
    const started = performance.now();
    await s.http.json('POST', '/api/metadata/entities/contact/fields', { name, type: 'text', label: `Bench extra ${k}`, maxLength: 200 }, 201);
    postMs.push(performance.now() - started);
    for (let gets = 1; ; gets++) {
      maxGets = Math.max(maxGets, gets);
      const record = await s.http.json<Record<string, unknown>>('GET', `/api/entities/contact/records/${id}`);
      if (name in record) break;
      if (performance.now() - started > FIELD_VISIBLE_TIMEOUT_MS) throw new Error(`${name} not in a GET after ${FIELD_VISIBLE_TIMEOUT_MS} ms`);
    }
    visibleMs.push(performance.now() - started);
    await sleep(200);
  }
  return { visibleMs, postMs, maxGets };
}

function printResults(rows: Row[], fields: FieldChanges): void {
  const pct = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)}%` : 'n/a');
  const table = PHASES.map((phase, i) => {
    const row = rows[i]!;
    const { run } = row;
    return [
      phase.name, String(phase.clients), run.ops.toLocaleString('en-US'), formatOps(run.opsPerSec), formatMs(run.p50Ms), formatMs(run.p95Ms), String(run.errors),
      formatOps(row.hello), formatRatio(run.opsPerSec, row.hello), pct(run.serverCpu), pct(run.clientCpu), phase.target, phase.meets(row, rows) ? 'met' : 'not met', phase.directus,
    ];
  });
  const fieldP50 = percentileOf(fields.visibleMs, 0.5);
  const fieldMax = Math.max(...fields.visibleMs);
  table.push([
    'add a field until a GET shows it', '1', String(fields.visibleMs.length), '', formatMs(fieldP50), `max ${formatMs(fieldMax)}`, '0',
    '', '', '', '', 'max <= 50 ms', fieldMax <= 50 ? 'met' : 'not met', '',
  ]);
  const columns = ['operation', 'clients', 'requests', 'req/s', 'p50', 'p95', 'errors', 'hello-world req/s', 'vs hello', 'server CPU', 'client CPU', 'target', 'verdict', 'Directus 11 (issue)'];
  console.log('\n' + formatTable(columns, table));
  console.log(`\nhello-world: the mean of the runs just before and just after each row, with as many clients; the issue's Express hello-world served ~4,000 req/s.`);
  console.log('CPU: % of one core during the measured run; server = both threads of the Rapport process (HTTP + engine worker), client = this load generator.');
  console.log(`add a field: the POST alone p50 ${formatMs(percentileOf(fields.postMs, 0.5))}, max ${formatMs(Math.max(...fields.postMs))}; GETs until the field showed: at most ${fields.maxGets}.`);
  for (const [i, phase] of PHASES.entries()) {
    const { run } = rows[i]!;
    if (run.clientCpu >= CLIENT_BOUND_CPU) console.log(`note: the load generator used ${pct(run.clientCpu)} of a core during "${phase.name}" (${plural(phase.clients)}): it may cap that figure.`);
  }
  console.log('\ntargets:');
  for (const [i, phase] of PHASES.entries()) {
    const row = rows[i]!;
    console.log(`  ${phase.name} (${plural(phase.clients)}) ${phase.target}: ${phase.meets(row, rows) ? 'met' : 'not met'} (${phase.figure(row, rows)}${row.run.errors ? `, ${row.run.errors} errors` : ''})`);
  }
  console.log(`  add a field, visible in a GET within 50 ms (max of ${fields.visibleMs.length}): ${fieldMax <= 50 ? 'met' : 'not met'} (p50 ${formatMs(fieldP50)}, max ${formatMs(fieldMax)})`);
}

async function startServers(config: Config, dataDir: string, enginePort: number): Promise<[ServerChild, ServerChild]> {
  const rapport = await startServerChild({
    name: 'rapport',
    entry: 'server/main.ts',
    // What `npm start` runs with (embedded engine in worker mode, durable journal), its data in a temp dir,
    // MONGODB_URI emptied so a developer's own database is never used, the engine port chosen so seeding can reach it.
    env: {
      RAPPORT_DATA_DIR: dataDir, RAPPORT_EMBEDDED_PORT: String(enginePort), RAPPORT_DB_NAME: DB_NAME, LOG_LEVEL: 'warn', MONGODB_URI: '',
      RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email, RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password,
    },
    readyPath: '/readyz',
    nodeArgs: config.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${config.cpuProfDir}`] : [],
  });
  const hello = await startServerChild({ name: 'hello-world', entry: 'test/bench/records-hello-world.ts', env: {}, readyPath: '/' }).catch(async (err: unknown) => {
    await rapport.stop();
    throw err;
  });
  return [rapport, hello];
}

async function seedAndMeasure(s: Omit<Setup, 'seeded' | 'rep'>, engineUri: string, dataDir: string): Promise<void> {
  const seeded = await seed({ http: s.http, engineUri, dbName: DB_NAME, contacts: s.config.contacts, probe: 1_000, apiBudgetSeconds: 180 }, (line) => console.log(line));
  const how = seeded.viaDriver
    ? `${seeded.viaApi.toLocaleString('en-US')} contacts through bulk-create and ${seeded.viaDriver.toLocaleString('en-US')} through the driver at ${Math.round(seeded.driverPerSec)}/s ` +
      "(the pipeline's prepareCreate run in this process: the documents and audit entries the server would store)"
    : `all ${seeded.viaApi.toLocaleString('en-US')} contacts through bulk-create`;
  console.log(`seeded ${seeded.accountIds.length.toLocaleString('en-US')} accounts (bulk-create) and ${how} in ${seeded.seconds.toFixed(1)} s; data dir ${await directorySize(dataDir)}`);
  // The seeding's journal is folded into a snapshot now, so no measured row pays for that checkpoint.
  await s.db.admin().command({ fsync: 1 });
  const rep = await setUpRep(s.http, s.db, CLIENTS);
  console.log(`rep: role ${REP_ROLE.name} reads contacts through a sharing rule (status = their status attribute), notes hidden: ${(rep.share * 100).toFixed(1)}% of the contacts`);
  const setup: Setup = { ...s, seeded, rep };
  try {
    await checkSeededShape(setup);
    console.log(`list check: ${await checkList(setup)}`);
    console.log(`rep check: ${await checkRep(rep, listPath(CITIES[0]!), seeded.contactIds)}\n`);
    const rows: Row[] = [];
    for (const phase of PHASES) rows.push(await runPhase(setup, phase));
    printResults(rows, await addFields(setup));
  } finally {
    rep.http.close();
  }
}

export const benchmark: Benchmark = {
  description: 'records API over HTTP (server child, embedded engine) vs an Express hello-world: GET by id, create, list, add a field',
  async run() {
    const config = readConfig(process.env);
    console.log(`contacts ${config.contacts.toLocaleString('en-US')}, ~${config.seconds} s a measured run, ${CLIENTS} clients at most, seed ${config.seed}, node ${process.version}, ${cpus().length} cores`);
    console.log('knobs: BENCH_CONTACTS, BENCH_SECONDS, BENCH_FIELD_CHANGES, BENCH_SEED, BENCH_CPU_PROF=<dir> (--cpu-prof of the Rapport server)\n');
    const dataDir = await mkdtemp(join(tmpdir(), 'rapport-bench-records-'));
    const enginePort = await getFreePort();
    const engineUri = `mongodb://127.0.0.1:${enginePort}/?directConnection=true`;
    const [rapport, hello] = await startServers(config, dataDir, enginePort);
    const http = await clientFor(rapport.base, CLIENTS, BENCH_ADMIN, ['admin']);
    const helloHttp = createHttpClient(hello.base, CLIENTS);
    // For the checks only (list against the driver's answer, audit lag); idle while a row is measured.
    const client = new MongoClient(engineUri, { maxPoolSize: 2 });
    try {
      await client.connect();
      await seedAndMeasure({ rapport, http, hello, helloHttp, db: client.db(DB_NAME), config }, engineUri, dataDir);
    } finally {
      http.close();
      helloHttp.close();
      await client.close();
      await Promise.all([rapport.stop(), hello.stop()]);
      if (config.cpuProfDir) console.log(`\ncpu profiles of the Rapport server (one per thread): ${config.cpuProfDir}`);
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
