import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient, type Db, type Document } from 'mongodb';
import type { Benchmark } from './benchmark.types.ts';
import { getFreePort } from './engine-process.ts';
import { formatOps, formatRatio, formatTable } from './format-table.ts';
import { BENCH_ADMIN, tokenFor } from './records-access.ts';
import { createHttpClient } from './records-http.ts';
import { startServerChild } from './records-servers.ts';

// Issue 9: install a pack and seed 100k sample records through the API (`POST /api/packs/:name/
// install` with sampleRecords), as shipped (`npm start`: the embedded engine in a worker thread of
// the server). Every sample record goes through bulk create, the write pipeline (validation,
// autonumbers, formulas, duplicate rules, hooks), then the outbox (audit, workflow triggers). The
// baseline, measured in the same run: the same stored documents written again with insertMany,
// 500 a call, into collections with the same indexes.

const DB_NAME = 'rapport';
const PACK = process.env.BENCH_PACK ?? 'sales';
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const SEED = Number(process.env.BENCH_SEED ?? 7);

type Sample = { records: number; failed: number; ms: number; byEntity: Record<string, number> };
type Installed = { created: unknown[]; conflicts: unknown[]; sample: Sample };

/** Waits until no record of these collections carries an undelivered event; the seconds since `started`. */
async function eventsDelivered(db: Db, collections: string[], started: number): Promise<number> {
  for (;;) {
    let pending = 0;
    for (const name of collections) pending += await db.collection(name).countDocuments({ '_outbox.0': { $exists: true } }, { limit: 1 });
    if (!pending) return (performance.now() - started) / 1000;
    await sleep(500);
  }
}

/** The stored sample documents written again with insertMany into copies with the same indexes; only the inserts are timed. */
async function insertManyCopy(db: Db, collections: string[]): Promise<{ docs: number; seconds: number }> {
  let docs = 0;
  let ms = 0;
  for (const name of collections) {
    const copy = db.collection(`bench_copy_${name}`);
    await copy.drop().catch(() => undefined);
    for (const { key, name: index, v: _v, ...options } of (await db.collection(name).listIndexes().toArray()) as Document[]) {
      if (index !== '_id_') await copy.createIndex(key as Document, { ...options, name: index as string });
    }
    const cursor = db.collection(name).find({}, { projection: { _outbox: 0 }, batchSize: 500 });
    for (let batch = await cursor.next().then((d) => (d ? [d] : [])); batch.length; ) {
      while (batch.length < 500 && (await cursor.hasNext())) batch.push((await cursor.next())!);
      const started = performance.now();
      await copy.insertMany(batch, { ordered: false });
      ms += performance.now() - started;
      docs += batch.length;
      batch = (await cursor.hasNext()) ? [(await cursor.next())!] : [];
    }
  }
  return { docs, seconds: ms / 1000 };
}

export const benchmark: Benchmark = {
  description: `Solution packs: install the ${PACK} pack with ${RECORDS.toLocaleString('en-US')} sample records through the API, records/s vs insertMany of the same documents`,
  async run() {
    console.log(`pack ${PACK}, ${RECORDS.toLocaleString('en-US')} sample records, seed ${SEED}; node ${process.version}, ${cpus().length} cores`);
    const dir = await mkdtemp(join(tmpdir(), 'rapport-bench-packs-'));
    const enginePort = await getFreePort();
    const server = await startServerChild({
      name: 'packs', entry: 'server/main.ts', readyPath: '/readyz',
      // BENCH_PROFILE=<dir> writes a CPU profile of the server (every thread) there when it stops.
      nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [],
      env: { RAPPORT_DATA_DIR: join(dir, 'data'), RAPPORT_EMBEDDED_PORT: String(enginePort), RAPPORT_DB_NAME: DB_NAME, LOG_LEVEL: 'warn', MONGODB_URI: '', RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email, RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password },
    });
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${enginePort}/?directConnection=true`);
    const http = createHttpClient(server.base, 1, { authorization: `Bearer ${await tokenFor(server.base, BENCH_ADMIN, ['admin'])}` });
    try {
      const db = client.db(DB_NAME);
      const started = performance.now();
      const report = await http.json<Installed>('POST', `/api/packs/${PACK}/install`, { sampleRecords: RECORDS, seed: SEED });
      const seconds = (performance.now() - started) / 1000;
      const collections = Object.keys(report.sample.byEntity).map((e) => `rec_${e}`);
      const eventsSeconds = await eventsDelivered(db, collections, started);
      const cpu = server.cpuSeconds();
      const baseline = await insertManyCopy(db, collections);
      const { sample } = report;
      const rate = sample.records / (sample.ms / 1000);
      const baseRate = baseline.docs / baseline.seconds;
      console.log(`installed: ${report.created.length} items, ${report.conflicts.length} conflicts; sample records by entity: ${Object.entries(sample.byEntity).map(([e, n]) => `${e} ${n.toLocaleString('en-US')}`).join(', ')}${sample.failed ? `; ${sample.failed} refused` : ''}`);
      console.log('\n' + formatTable(['as shipped (engine inside the server process)', 'records/s', 'time', 'events delivered', 'vs baseline'], [
        [`install ${PACK} + ${sample.records.toLocaleString('en-US')} sample records (response)`, formatOps(sample.records / seconds), `${seconds.toFixed(1)} s`, `${eventsSeconds.toFixed(1)} s`, formatRatio(sample.records / seconds, baseRate)],
        ['  of which the sample data (bulk create, the write pipeline)', formatOps(rate), `${(sample.ms / 1000).toFixed(1)} s`, '', formatRatio(rate, baseRate)],
        [`baseline: insertMany of the same ${baseline.docs.toLocaleString('en-US')} documents, 500 a call, same indexes`, formatOps(baseRate), `${baseline.seconds.toFixed(1)} s`, '', '1.00x'],
      ]));
      console.log(`server CPU until the events were delivered: ${cpu.toFixed(1)} s`);
    } finally {
      http.close();
      await client.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
