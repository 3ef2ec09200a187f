import { calculateObjectSize } from 'bson';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './benchmark.types.ts';
import { ACTIVITY_SPAN_MS, ACTIVITY_START_MS, contactEmail, contactId, makeContact } from './contact-fixture.ts';
import { createCannedStore, createEngineStore, createNedbStore, POOL_SIZE, type ContactStore } from './contact-stores.ts';
import { directorySize } from './directory-size.ts';
import { formatMs, formatOps, formatRatio, formatTable } from './format-table.ts';
import { measure, type Measurement } from './measure.ts';
import { createRandom, pickSeed } from './seeded-random.ts';

// Issue 2, item 6: the embedded engine through the driver, next to NeDB measured in the same run.

type Config = { docs: number; reads: number; concurrency: number; seed: number };
type Phase = {
  name: string;
  count: (config: Config) => number;
  run: (store: ContactStore, config: Config, keys: Int32Array) => Promise<Measurement>;
  target: string;
  meets: (m: Measurement) => boolean;
};

const WEEK_MS = 7 * 24 * 3600 * 1000;
const NOT_MEASURED: Measurement = { ops: 0, errors: 0, seconds: 0, opsPerSec: Number.NaN, p50Ms: Number.NaN, p95Ms: Number.NaN };
const STATUSES = ['lead', 'prospect', 'customer', 'churned'];

function readConfig(env: NodeJS.ProcessEnv): Config {
  const positive = (value: string | undefined, fallback: number): number => (Number(value) > 0 ? Math.floor(Number(value)) : fallback);
  const docs = positive(env.BENCH_DOCS, 100_000);
  return { docs, reads: positive(env.BENCH_READS, Math.min(docs, 20_000)), concurrency: POOL_SIZE, seed: pickSeed(env) };
}

/** A week of recent activity, newest first, 50 rows: `share` sets the count as reads / share. */
function rangePhase(o: { clients: number; share: number; target: string; meets: Phase['meets'] }): Phase {
  const count = (c: Config) => Math.ceil(c.reads / o.share);
  return {
    name: `range, sort, limit 50 (${o.clients} client${o.clients > 1 ? 's' : ''})`,
    count,
    run: (store, c, keys) =>
      measure({
        count: count(c),
        concurrency: o.clients,
        prepare: (i) => new Date(ACTIVITY_START_MS + ((keys[i]! * 7919) % (ACTIVITY_SPAN_MS / WEEK_MS - 1)) * WEEK_MS),
        op: (from) => store.recentActivity(from, new Date(from.getTime() + WEEK_MS)),
      }),
    target: o.target,
    meets: o.meets,
  };
}

const PHASES: Phase[] = [
  {
    name: 'insertOne (durable)',
    count: (c) => c.docs,
    run: (store, c) => measure({ count: c.docs, concurrency: c.concurrency, prepare: makeContact, op: (doc) => store.insert(doc) }),
    target: '>= 5,000 ops/s',
    meets: (m) => m.errors === 0 && m.opsPerSec >= 5_000,
  },
  {
    name: 'find by _id',
    count: (c) => c.reads,
    run: (store, c, keys) => measure({ count: c.reads, concurrency: c.concurrency, prepare: (i) => contactId(keys[i]!), op: (id) => store.findById(id) }),
    target: '>= 15,000 ops/s',
    meets: (m) => m.errors === 0 && m.opsPerSec >= 15_000,
  },
  {
    name: 'find by email (unique)',
    count: (c) => c.reads,
    run: (store, c, keys) => measure({ count: c.reads, concurrency: c.concurrency, prepare: (i) => contactEmail(keys[i]!), op: (email) => store.findByEmail(email) }),
    target: '>= 15,000 ops/s',
    meets: (m) => m.errors === 0 && m.opsPerSec >= 15_000,
  },
  // The latency target is a property of one query, so it is measured without queueing behind
  // nine others; the 10-client row shows throughput under contention.
  rangePhase({ clients: 1, share: 10, target: 'p95 <= 10 ms', meets: (m) => m.errors === 0 && m.p95Ms <= 10 }),
  rangePhase({ clients: 10, share: 4, target: '', meets: () => true }),
  {
    name: 'updateOne (durable)',
    count: (c) => Math.ceil(c.reads / 2),
    run: (store, c, keys) =>
      measure({
        count: Math.ceil(c.reads / 2),
        concurrency: c.concurrency,
        prepare: (i) => ({ id: contactId(keys[i]!), status: STATUSES[i % STATUSES.length]!, lastActivityAt: new Date(ACTIVITY_START_MS + ACTIVITY_SPAN_MS - i) }),
        op: ({ id, ...change }) => store.touch(id, change),
      }),
    target: '',
    meets: () => true,
  },
  {
    // Context for every row above: what the driver and the wire cost when the engine does nothing.
    name: 'ping (round-trip floor)',
    count: (c) => c.reads,
    run: async (store, c) => {
      const ping = store.ping?.bind(store);
      if (!ping) return NOT_MEASURED;
      return measure({ count: c.reads, concurrency: c.concurrency, prepare: () => undefined, op: () => ping() });
    },
    target: '',
    meets: () => true,
  },
];

async function runPhases(open: () => Promise<ContactStore>, config: Config, keys: Int32Array): Promise<Map<string, Measurement>> {
  const results = new Map<string, Measurement>();
  const store = await open();
  try {
    for (const phase of PHASES) {
      const m = await phase.run(store, config, keys);
      if (m === NOT_MEASURED) continue;
      results.set(phase.name, m);
      console.log(`  ${store.name.padEnd(6)} ${phase.name.padEnd(24)} ${formatOps(m.opsPerSec).padStart(8)} ops/s` + (m.errors ? `  (${m.errors} errors, first: ${m.firstError})` : ''));
    }
  } finally {
    await store.close();
  }
  return results;
}

async function runStore(name: string, open: () => Promise<ContactStore>, config: Config, keys: Int32Array): Promise<Map<string, Measurement> | undefined> {
  try {
    return await runPhases(open, config, keys);
  } catch (err) {
    console.log(`  ${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return undefined;
  }
}

type Results = { engine?: Map<string, Measurement>; nedb?: Map<string, Measurement>; canned?: Map<string, Measurement> };

function printTable(config: Config, { engine, nedb, canned }: Results): void {
  const cells = (m?: Measurement): string[] => (m ? [formatOps(m.opsPerSec), formatMs(m.p50Ms), formatMs(m.p95Ms)] : ['n/a', 'n/a', 'n/a']);
  const ratio = (a?: Measurement, b?: Measurement): string => (a && b ? formatRatio(a.opsPerSec, b.opsPerSec) : 'n/a');
  const rows = PHASES.map((phase) => {
    const e = engine?.get(phase.name);
    const n = nedb?.get(phase.name);
    const c = canned?.get(phase.name);
    const meets = phase.target ? (e ? (phase.meets(e) ? 'yes' : 'no') : 'no') : '';
    return [phase.name, phase.count(config).toLocaleString('en-US'), ...cells(e), ...cells(n), ratio(e, n), formatOps(c?.opsPerSec ?? Number.NaN), ratio(e, c), phase.target, meets];
  });
  const columns = ['operation', 'ops', 'engine ops/s', 'p50', 'p95', 'nedb ops/s', 'p50', 'p95', 'engine/nedb', 'wire floor ops/s', 'engine/floor', 'target (engine)', 'meets target'];
  console.log('\n' + formatTable(columns, rows));
  console.log('\nwire floor: the same driver calls against a server on its own thread that answers every command with a prebuilt reply (test/bench/canned-wire.ts).');
  for (const phase of PHASES) {
    const c = canned?.get(phase.name);
    if (phase.target && c && !phase.meets(c)) console.log(`out of reach: ${phase.name} ${phase.target}: the wire floor itself reached ${formatOps(c.opsPerSec)} ops/s, p95 ${formatMs(c.p95Ms)}`);
  }
}

export const benchmark: Benchmark = {
  description: 'embedded engine (worker) via the driver vs NeDB and a wire floor: durable inserts, indexed finds, range+sort, updates',
  async run() {
    const config = readConfig(process.env);
    const avgSize = Array.from({ length: 200 }, (_, i) => calculateObjectSize(makeContact(i))).reduce((a, b) => a + b) / 200;
    console.log(`docs ${config.docs.toLocaleString('en-US')} (~${Math.round(avgSize)} B BSON each), reads ${config.reads.toLocaleString('en-US')}, concurrency ${config.concurrency}, pool ${POOL_SIZE}, seed ${config.seed}`);
    console.log('knobs: BENCH_DOCS, BENCH_READS, BENCH_SEED. NeDB appends without fsync, so its "durable" rows are not durable.\n');
    const random = createRandom(config.seed);
    const keys = Int32Array.from({ length: config.reads }, () => random.int(config.docs));
    const root = await mkdtemp(join(tmpdir(), 'rapport-bench-storage-'));
    try {
      const engine = await runStore('engine', () => createEngineStore({ dataDir: join(root, 'engine') }), config, keys);
      // The floor right after the engine, before NeDB's 100k in-memory documents weigh on this process's heap.
      const canned = await runStore('canned', () => createCannedStore(), config, keys);
      const nedb = await runStore('nedb', () => createNedbStore({ dataDir: join(root, 'nedb') }), config, keys);
      printTable(config, { engine, nedb, canned });
      console.log(`\non disk after the run: engine ${await directorySize(join(root, 'engine'))}, nedb ${await directorySize(join(root, 'nedb'))}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
