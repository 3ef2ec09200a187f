import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient, type Db } from 'mongodb';
import type { Benchmark } from './benchmark.types.ts';
import { getFreePort, startEngineProcess, type EngineProcess } from './engine-process.ts';
import { formatOps, formatRatio, formatTable } from './format-table.ts';
import { BENCH_ADMIN, tokenFor } from './records-access.ts';
import { createHttpClient, type HttpClient } from './records-http.ts';
import { startServerChild, waitUntilIdle, type ServerChild } from './records-servers.ts';
import { ACCOUNTS, eventsDelivered, historyTimes, insertManyBaseline, peakRss, REGIONS, rssMb, seed, upload, writeCsv } from './import-steps.ts';

// Issue 5, performance: CSV files with two relation columns imported through the API, as shipped
// (`npm start`: the embedded engine in a worker thread of the server process), with the rows/s of
// the 100k-row import next to a baseline measured in the same run (the same documents written
// again with insertMany through the driver). Then the same server against the engine in its own
// process, so that the server's peak memory is the import's alone: it must not grow with the file.

const DB_NAME = 'rapport';
const [SMALL, LARGE] = (process.env.BENCH_ROWS ?? '20000,100000').split(',').map(Number) as [number, number];
/** A V8 heap limit for the server far below what holding a 100k-row file would take. */
const HEAP_CAP_MB = 96;
// An idle server still polls metadata, sweeps the outbox and schedules workflows: a few % of a core.
const IDLE = { busyPct: 15, maxMs: 10_000 };

type Setup = { server: ServerChild; token: string; db: Db; http: HttpClient; close(): Promise<void> };

async function startSetup(dir: string, name: string, engine?: EngineProcess, nodeArgs: string[] = []): Promise<Setup> {
  const enginePort = engine?.port ?? (await getFreePort());
  const server = await startServerChild({
    name, entry: 'server/main.ts', readyPath: '/readyz',
    // BENCH_PROFILE=<dir> writes a CPU profile of the server (every thread) there when it stops.
    nodeArgs: [...nodeArgs, ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [])],
    env: { RAPPORT_DATA_DIR: join(dir, `${name}-data`), RAPPORT_EMBEDDED_PORT: String(enginePort), RAPPORT_DB_NAME: DB_NAME, LOG_LEVEL: 'warn', MONGODB_URI: engine?.uri ?? '', RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email, RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password },
  });
  const token = await tokenFor(server.base, BENCH_ADMIN, ['admin']);
  const http = createHttpClient(server.base, 2, { authorization: `Bearer ${token}` });
  const client = await MongoClient.connect(`mongodb://127.0.0.1:${enginePort}/?directConnection=true`);
  await seed(http);
  return { server, token, db: client.db(DB_NAME), http, close: async () => (http.close(), await client.close(), await server.stop()) };
}

type Run = { rows: number; seconds: number; beforeMb: number; peakMb: number; created: number; eventsSeconds: number; label: string };

/** Imports a new file of `rows` rows and measures it. */
async function importFile(s: Setup, dir: string, rows: number, tag: string, dryRun: boolean, waitForEvents = true): Promise<Run> {
  const file = join(dir, `${tag}-${rows}.csv`);
  await writeCsv(file, rows, tag);
  await waitUntilIdle(s.server, IDLE);
  const beforeMb = rssMb(s.server.pid);
  const started = performance.now();
  const { result, peakMb } = await peakRss(s.server.pid, () => upload(s.server.base, s.token, file, dryRun));
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 201 || result.body.failed) throw new Error(`import of ${rows} rows: ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
  const eventsSeconds = dryRun || !waitForEvents ? seconds : await eventsDelivered(s.db, started);
  const label = `${dryRun ? 'dry run, ' : ''}${rows.toLocaleString('en-US')} rows (${((await stat(file)).size / 1e6).toFixed(1)} MB)`;
  return { rows, seconds, beforeMb, peakMb, created: result.body.created ?? 0, eventsSeconds, label };
}

const row = (r: Run, extra: string[] = []): string[] => [r.label, formatOps(r.rows / r.seconds), `${r.seconds.toFixed(1)} s`, `${r.eventsSeconds.toFixed(1)} s`, `${r.peakMb.toFixed(0)} MB`, ...extra];

export const benchmark: Benchmark = {
  description: 'CSV import: 100k rows with two relation columns, rows/s vs insertMany of the same documents; server peak memory for 20k and 100k rows',
  async run() {
    console.log(`files of ${SMALL.toLocaleString('en-US')} and ${LARGE.toLocaleString('en-US')} rows, 7 columns, 2 of them relations matched by name (${ACCOUNTS} accounts) and by code (${REGIONS} regions); node ${process.version}, ${cpus().length} cores`);
    const dir = await mkdtemp(join(tmpdir(), 'rapport-bench-import-'));
    let engine: EngineProcess | undefined;
    try {
      // 1. As shipped: one server process, the embedded engine in a worker thread of it.
      const shipped = await startSetup(dir, 'embedded');
      let large: Run, baseline: { rows: number; seconds: number }, history: Awaited<ReturnType<typeof historyTimes>>;
      let checkpointSeconds = 0;
      try {
        large = await importFile(shipped, dir, LARGE, 'e', false);
        // The engine snapshots its journal once writes pause (checkpoint-trigger.ts): done now, and
        // timed, so that the history and the baseline below do not run beside it.
        const checkpointStarted = performance.now();
        await shipped.db.admin().command({ fsync: 1 });
        checkpointSeconds = (performance.now() - checkpointStarted) / 1000;
        await waitUntilIdle(shipped.server, IDLE);
        history = await historyTimes(shipped.http, shipped.db);
        baseline = await insertManyBaseline(shipped.db);
      } finally {
        await shipped.close();
      }
      const baseRate = baseline.rows / baseline.seconds;
      console.log('\n' + formatTable(['as shipped (engine inside the server process)', 'rows/s', 'response', 'events delivered', 'server peak RSS', 'vs baseline'], [
        row(large, [formatRatio(large.rows / large.seconds, baseRate)]),
        [`baseline: insertMany of the same ${baseline.rows.toLocaleString('en-US')} documents, 500 a call, same indexes`, formatOps(baseRate), `${baseline.seconds.toFixed(1)} s`, '', '', '1.00x'],
      ]));
      console.log(`the snapshot of the journal the import left, written once it ended: ${checkpointSeconds.toFixed(1)} s`);
      console.log(`field history of one imported contact, ${history.auditDocuments.toLocaleString('en-US')} documents in the audit log (one per 100 imported rows): ${history.historyMs.toFixed(1)} ms a request (median), ${formatRatio(history.historyMs, history.getMs)} a GET of the record (${history.getMs.toFixed(1)} ms)`);

      // 2. The engine in its own process: the server's memory is the import's own. A new server
      // (and engine) for each file, so that nothing an earlier import left behind counts. The last
      // two cap the server's heap far below what the file would take if it were held: they
      // finish, at the same speed, only if memory does not grow with the file.
      const plan: Array<{ rows: number; dryRun: boolean; cap?: number }> = [{ rows: SMALL, dryRun: false }, { rows: LARGE, dryRun: false }, { rows: LARGE, dryRun: true }, { rows: SMALL, dryRun: false, cap: HEAP_CAP_MB }, { rows: LARGE, dryRun: false, cap: HEAP_CAP_MB }];
      const runs: Array<Run & { engineMb: number; cap?: number }> = [];
      for (const [n, p] of plan.entries()) {
        engine = await startEngineProcess({ dbPath: join(dir, `engine-${n}`) });
        const apart = await startSetup(dir, `apart-${n}`, engine, p.cap ? [`--max-old-space-size=${p.cap}`] : []);
        try {
          runs.push({ ...(await importFile(apart, dir, p.rows, `a${n}x`, p.dryRun, false)), engineMb: rssMb(engine.pid), cap: p.cap });
        } finally {
          await apart.close();
          await engine.stop();
          engine = undefined;
        }
      }
      const label = (r: (typeof runs)[number]) => `${r.label}${r.cap ? `, heap capped at ${r.cap} MB` : ''}`;
      console.log('\n' + formatTable(['engine in its own process (a new one per file)', 'rows/s', 'response', 'server peak RSS', 'server RSS before', 'vs baseline', 'engine RSS after'], runs.map((r) => [label(r), formatOps(r.rows / r.seconds), `${r.seconds.toFixed(1)} s`, `${r.peakMb.toFixed(0)} MB`, `${r.beforeMb.toFixed(0)} MB`, formatRatio(r.rows / r.seconds, baseRate), `${r.engineMb.toFixed(0)} MB`])));
      const [small, big] = [runs[3]!, runs[4]!];
      console.log(`targets:\n  >= 10,000 rows/s: ${large.rows / large.seconds >= 10_000 ? 'met' : 'not met'} (${formatOps(large.rows / large.seconds)} rows/s for ${LARGE.toLocaleString('en-US')} rows as shipped; baseline ${formatOps(baseRate)} rows/s)`);
      console.log(`  memory that does not grow with the file: with the heap capped at ${HEAP_CAP_MB} MB, server peak ${small.peakMb.toFixed(0)} MB for ${SMALL.toLocaleString('en-US')} rows and ${big.peakMb.toFixed(0)} MB for ${LARGE.toLocaleString('en-US')} rows (${formatRatio(big.peakMb, small.peakMb)} for ${formatRatio(LARGE, SMALL)} the rows); uncapped, V8 lets garbage pile up before collecting it: ${runs[0]!.peakMb.toFixed(0)} and ${runs[1]!.peakMb.toFixed(0)} MB`);
    } finally {
      await engine?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
