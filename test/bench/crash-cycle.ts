import { MongoClient } from 'mongodb';
import { createLedger, type Ledger } from './crash-ledger.ts';
import { CRASH_COLLECTION, CRASH_DB, runLoadUntilKill, type LoadReport } from './crash-load.ts';
import { verifyRecovered, type VerifyReport } from './crash-verify.ts';
import { startEngineProcess, type EngineProcess, type ExitResult } from './engine-process.ts';
import { createRandom } from './seeded-random.ts';

// One kill/restart/verify cycle, shared by test/integration/crash.test.ts (a few cycles) and
// crash.bench.ts (50 cycles on one dbpath, so recovered data is recovered again). Issue 2, item 7.

export type CrashRunnerOptions = {
  dbPath: string;
  seed: number;
  clients?: number;
  lanesPerClient?: number;
  /** The kill comes at a random moment in this window, in ms after the first acknowledged write. */
  killWindowMs?: readonly [number, number];
};

export type CycleReport = {
  cycle: number;
  killAfterMs: number;
  load: LoadReport;
  /** Spawn to "listening" on the crashed dbpath (journal replay included). */
  recoveryMs: number;
  verify: VerifyReport;
};

export type CleanStopReport = { exit: ExitResult; stopMs: number; restartMs: number; verify: VerifyReport };

export type CrashRunner = {
  /** Spawn to "listening" on the empty dbpath: what a start costs with nothing to recover. */
  emptyStartMs: number;
  ledger: Ledger;
  runCycle(): Promise<CycleReport>;
  /** SIGTERM, restart, verify once more (the clean path must keep everything too), SIGTERM. */
  stopCleanlyAndVerify(): Promise<CleanStopReport>;
  /** Kills whatever engine is still running; safe to call after anything. */
  dispose(): Promise<void>;
};

async function createUniqueIndex(uri: string): Promise<void> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db(CRASH_DB).collection(CRASH_COLLECTION).createIndex({ email: 1 }, { unique: true });
  } finally {
    await client.close();
  }
}

export async function startCrashRunner(options: CrashRunnerOptions): Promise<CrashRunner> {
  const { dbPath, seed, clients = 4, lanesPerClient = 6, killWindowMs = [100, 600] } = options;
  const random = createRandom(seed);
  const ledger = createLedger();
  const ackedEmails: string[] = [];
  let engine: EngineProcess = await startEngineProcess({ dbPath });
  const emptyStartMs = engine.startMs;
  let cycle = 0;
  await createUniqueIndex(engine.uri);
  return {
    emptyStartMs,
    ledger,
    async runCycle() {
      cycle++;
      const killAfterMs = random.between(killWindowMs[0], killWindowMs[1]);
      const crashed = engine;
      const load = await runLoadUntilKill({ uri: crashed.uri, ledger, cycle, clients, lanesPerClient, seed: seed + cycle, ackedEmails, killAfterMs, kill: () => crashed.crash() });
      engine = await startEngineProcess({ dbPath });
      const verify = await verifyRecovered({ uri: engine.uri, ledger, cycle });
      return { cycle, killAfterMs, load, recoveryMs: engine.startMs, verify };
    },
    async stopCleanlyAndVerify() {
      const stopStarted = performance.now();
      const exit = await engine.stop();
      const stopMs = performance.now() - stopStarted;
      engine = await startEngineProcess({ dbPath });
      const verify = await verifyRecovered({ uri: engine.uri, ledger, cycle: cycle + 1 });
      await engine.stop();
      return { exit, stopMs, restartMs: engine.startMs, verify };
    },
    async dispose() {
      await engine.crash();
    },
  };
}
