import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient, type Db } from 'mongodb';
import type { Benchmark } from './benchmark.types.ts';
import { getFreePort } from './engine-process.ts';
import { formatMs, formatOps, formatRatio, formatTable } from './format-table.ts';
import { BENCH_ADMIN, clientFor } from './records-access.ts';
import { expectStatus, type HttpClient } from './records-http.ts';
import { measure, percentileOf, type Measurement } from './measure.ts';
import { startServerChild, waitUntilIdle } from './records-servers.ts';

// Issue 7, performance: 10k record updates each triggering a two-step workflow (update the record,
// create a related task): how long until every run is done and at what rate, next to the same
// updates with no workflow (the baseline, measured in the same run); and the scheduler's lag
// (a planned run's first step minus its due time) for date-relative runs falling due during the load.

const UPDATES = Number(process.env.BENCH_UPDATES) > 0 ? Math.floor(Number(process.env.BENCH_UPDATES)) : 10_000;
const PLANNED = 500;
const CLIENTS = 10;
const DB_NAME = 'rapport';

const TICKET = {
  name: 'ticket', label: 'Ticket', pluralLabel: 'Tickets',
  fields: [
    { name: 'subject', type: 'text' }, { name: 'status', type: 'select', options: ['new', 'pending', 'closed'].map((value) => ({ value, label: value })) },
    { name: 'note', type: 'text' }, { name: 'reviewAt', type: 'datetime' },
  ],
};
const TASK = { name: 'task', label: 'Task', pluralLabel: 'Tasks', fields: [{ name: 'subject', type: 'text' }, { name: 'ticket', type: 'relation', target: 'ticket', onDelete: 'cascade' }] };
const ON_CLOSE = {
  name: 'onClose', label: 'On close', entity: 'ticket', trigger: { kind: 'fieldChanged', field: 'status', to: 'closed' },
  steps: [
    { id: 'stamp', type: 'update', set: [{ field: 'note', formula: '"closed: " & subject' }] },
    { id: 'survey', type: 'create', entity: 'task', linkField: 'ticket', values: [{ field: 'subject', formula: '"Survey for " & subject' }] },
  ],
};
const REVIEW = { name: 'review', label: 'Review', entity: 'ticket', trigger: { kind: 'dateRelative', field: 'reviewAt', offsetMinutes: 0 }, steps: [{ id: 'flag', type: 'update', set: [{ field: 'note', value: 'reviewed' }] }] };

async function seed(http: HttpClient): Promise<string[]> {
  const ids: string[] = [];
  for (let from = 0; from < UPDATES; from += 500) {
    const records = Array.from({ length: Math.min(500, UPDATES - from) }, (_, i) => ({ subject: `ticket ${from + i}`, status: 'new' }));
    const made = await http.json<{ results: Array<{ record: { _id: string } }> }>('POST', '/api/entities/ticket/records/bulk-create', { records });
    ids.push(...made.results.map((r) => r.record._id));
  }
  return ids;
}

const patchAll = (http: HttpClient, ids: string[], status: string): Promise<Measurement> =>
  measure({ count: ids.length, concurrency: CLIENTS, prepare: (i) => ids[i]!, op: async (id) => expectStatus(await http.send('PATCH', `/api/entities/ticket/records/${id}`, { status }), 200, 'update') });

/**
 * Polls until `count` is reached, cheaply (a scan of every run document ten times a second would
 * itself load the engine it measures): the two-step runs by the tasks they create, the planned
 * runs by their own (few) documents.
 */
async function waitUntil(what: string, count: number, probe: () => Promise<number>, timeoutMs = 900_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const done = await probe();
    if (done >= count) return performance.now();
    if (Date.now() > deadline) throw new Error(`${what}: ${done} of ${count} finished in time`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** First step's start minus when the run was due (planned runs) or created (event runs), in ms. */
async function lags(db: Db, workflow: string, from: 'dueAt' | 'createdAt'): Promise<number[]> {
  const runs = await db.collection('workflow_runs').find({ workflow, status: 'done' }, { projection: { dueAt: 1, createdAt: 1, 'log.at': 1, 'log.ms': 1 } }).toArray();
  return runs.map((r) => (r.log[0].at as Date).getTime() - (r.log[0].ms as number) - (r[from] as Date).getTime());
}

export const benchmark: Benchmark = {
  description: 'workflows: 10k updates each triggering a two-step workflow (throughput, completion) vs the same updates with none; scheduler lag',
  async run() {
    console.log(`${UPDATES} updates, ${CLIENTS} clients, ${PLANNED} date-relative runs due during the load, node ${process.version}, ${cpus().length} cores`);
    const dataDir = await mkdtemp(join(tmpdir(), 'rapport-bench-workflows-'));
    const enginePort = await getFreePort();
    const server = await startServerChild({
      name: 'rapport', entry: 'server/main.ts', readyPath: '/readyz',
      // BENCH_PROFILE=<dir> writes a CPU profile of the server there when it stops.
      ...(process.env.BENCH_PROFILE ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] } : {}),
      env: { RAPPORT_DATA_DIR: dataDir, RAPPORT_EMBEDDED_PORT: String(enginePort), RAPPORT_DB_NAME: DB_NAME, LOG_LEVEL: 'warn', MONGODB_URI: '', RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email, RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password, ...(process.env.RAPPORT_WORKFLOW_CONCURRENCY ? { RAPPORT_WORKFLOW_CONCURRENCY: process.env.RAPPORT_WORKFLOW_CONCURRENCY } : {}) },
    });
    const http = await clientFor(server.base, CLIENTS, BENCH_ADMIN, ['admin']);
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${enginePort}/?directConnection=true`);
    const db = client.db(DB_NAME);
    try {
      for (const definition of [TICKET, TASK]) await http.json('POST', '/api/metadata/entities', definition, 201);
      const ids = await seed(http);
      await waitUntilIdle(server, { busyPct: 10 });
      const baseline = await patchAll(http, ids, 'pending');
      await waitUntilIdle(server, { busyPct: 10 });

      await http.json('POST', '/api/workflows', ON_CLOSE, 201);
      await http.json('POST', '/api/workflows', REVIEW, 201);
      // Planned runs falling due over the next seconds, while the load runs.
      const dueFrom = Date.now() + 3_000;
      const spreadMs = Math.max(5_000, (UPDATES / Math.max(baseline.opsPerSec, 1)) * 1000);
      await Promise.all(ids.slice(0, PLANNED).map((id, i) => http.json('PATCH', `/api/entities/ticket/records/${id}`, { reviewAt: new Date(dueFrom + (i * spreadMs) / PLANNED).toISOString() })));
      await new Promise((r) => setTimeout(r, 500));

      const started = performance.now();
      const load = await patchAll(http, ids, 'closed');
      const updatesDone = performance.now();
      const finished = await waitUntil('two-step runs', UPDATES, () => db.collection('rec_task').countDocuments({}));
      await waitUntil('planned runs', PLANNED, () => db.collection('workflow_runs').countDocuments({ workflow: 'review', status: 'done' }));
      await waitUntil('two-step runs to be recorded', UPDATES, () => db.collection('workflow_runs').countDocuments({ workflow: 'onClose', status: 'done' }), 60_000);
      const failed = await db.collection('workflow_runs').countDocuments({ status: 'failed' });
      const tasks = await db.collection('rec_task').countDocuments({});
      const eventLag = (await lags(db, 'onClose', 'createdAt')).sort((a, b) => a - b);
      const schedulerLag = (await lags(db, 'review', 'dueAt')).sort((a, b) => a - b);
      const completion = (finished - started) / 1000;
      const stepMs = async (step: string) => (await db.collection('workflow_runs').aggregate<{ ms: number }>([{ $match: { workflow: 'onClose' } }, { $unwind: '$log' }, { $match: { 'log.step': step } }, { $project: { ms: '$log.ms' } }]).toArray()).map((r) => r.ms).sort((a, b) => a - b);
      const durations = (await db.collection('workflow_runs').find({ workflow: 'onClose' }, { projection: { finishedAt: 1, createdAt: 1, 'log.at': 1, 'log.ms': 1 } }).toArray()).map((r) => (r.finishedAt as Date).getTime() - ((r.log[0].at as Date).getTime() - (r.log[0].ms as number))).sort((a, b) => a - b);

      console.log('\n' + formatTable(['updates (10 clients)', 'updates', 'updates/s', 'p50', 'p95', 'errors', 'vs baseline'], [
        ['no workflow (baseline)', String(baseline.ops), formatOps(baseline.opsPerSec), formatMs(baseline.p50Ms), formatMs(baseline.p95Ms), String(baseline.errors), '1.00x'],
        ['each starting a two-step workflow', String(load.ops), formatOps(load.opsPerSec), formatMs(load.p50Ms), formatMs(load.p95Ms), String(load.errors), formatRatio(load.opsPerSec, baseline.opsPerSec)],
      ]));
      console.log('\n' + formatTable(['workflow runs', 'value'], [
        ['runs done (two steps each)', `${UPDATES} (${failed} failed, ${tasks} tasks created)`],
        ['completion: first update to last run done', `${completion.toFixed(1)} s`],
        ['runs/s over that time', formatOps(UPDATES / completion)],
        ['backlog after the last update', `${((finished - updatesDone) / 1000).toFixed(1)} s`],
        ['step time p50 / p95: update / create', `${formatMs(percentileOf(await stepMs('stamp'), 0.5))} / ${formatMs(percentileOf(await stepMs('stamp'), 0.95))}; ${formatMs(percentileOf(await stepMs('survey'), 0.5))} / ${formatMs(percentileOf(await stepMs('survey'), 0.95))}`],
        ['run time (first step to done), p50 / p95', `${formatMs(percentileOf(durations, 0.5))} / ${formatMs(percentileOf(durations, 0.95))}`],
        ['event run: created to first step, p50 / p95', `${formatMs(percentileOf(eventLag, 0.5))} / ${formatMs(percentileOf(eventLag, 0.95))}`],
        ['scheduler lag (due to first step), p50 / p95 / max', `${formatMs(percentileOf(schedulerLag, 0.5))} / ${formatMs(percentileOf(schedulerLag, 0.95))} / ${formatMs(schedulerLag[schedulerLag.length - 1] ?? NaN)}`],
      ]));
      const p95 = percentileOf(schedulerLag, 0.95);
      console.log(`\ntargets:\n  scheduler lag p95 <= 1 s: ${p95 <= 1000 ? 'met' : 'not met'} (${formatMs(p95)} over ${schedulerLag.length} planned runs due during the load)`);
    } finally {
      await client.close();
      http.close();
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
