import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCrashRunner, type CrashRunner } from '../bench/crash-cycle.ts';
import type { LoadReport } from '../bench/crash-load.ts';
import type { VerifyReport } from '../bench/crash-verify.ts';
import { pickSeed } from '../bench/seeded-random.ts';

// Issue 2, item 7: SIGKILL the standalone engine mid-load, restart it on the same dbpath, and check
// that acknowledged writes survived whole and the unique index held. BENCH_SEED replays a run.

const CYCLES = 3;

/** Everything that must be zero, true or false after a crash, in one object for a readable diff. */
function damage(verify: VerifyReport, load?: LoadReport) {
  return {
    acknowledgedWritesLost: verify.lostAcks,
    olderThanAcknowledged: verify.verdicts.lost,
    halfWrittenOrUnknownContent: verify.verdicts.corrupt,
    refusedWriteVisible: verify.verdicts['rejected-applied'],
    changedSincePreviousRecovery: verify.verdicts.regressed,
    phantomDocuments: verify.phantoms,
    duplicateEmails: verify.duplicateEmails,
    uniqueIndexPresent: verify.uniqueIndexPresent,
    duplicateInsertFailsWith11000: verify.duplicateInsertRejected,
    emailLookupsWrong: verify.indexMismatches,
    ...(load && {
      duplicatesAcknowledged: load.duplicatesAccepted,
      errorsBeforeKill: load.unexpectedErrors,
      engineDiedBeforeKill: load.stoppedBeforeKill,
    }),
  };
}

const UNDAMAGED = {
  acknowledgedWritesLost: 0,
  olderThanAcknowledged: 0,
  halfWrittenOrUnknownContent: 0,
  refusedWriteVisible: 0,
  changedSincePreviousRecovery: 0,
  phantomDocuments: 0,
  duplicateEmails: 0,
  uniqueIndexPresent: true,
  duplicateInsertFailsWith11000: true,
  emailLookupsWrong: 0,
};

describe('embedded engine killed mid-load (standalone process, SIGKILL)', () => {
  const seed = pickSeed();
  let dbPath: string;
  let runner: CrashRunner | undefined;

  beforeAll(async () => {
    dbPath = await mkdtemp(join(tmpdir(), 'rapport-crash-'));
    runner = await startCrashRunner({ dbPath, seed, clients: 4, lanesPerClient: 6 });
  });

  afterAll(async () => {
    await runner?.dispose();
    await rm(dbPath, { recursive: true, force: true });
  });

  it('keeps every acknowledged write whole, and emails unique, across repeated crashes', async () => {
    for (let i = 0; i < CYCLES; i++) {
      const { cycle, killAfterMs, load, verify } = await runner!.runCycle();
      const context = `seed ${seed}, cycle ${cycle}, killed ${killAfterMs} ms after the first acknowledged write (${load.acked} acknowledged, ${load.inFlightAtKill} in flight)` +
        (load.firstUnexpectedError ? `\nfirst error before the kill: ${load.firstUnexpectedError}` : '') +
        (verify.problems.length ? `\n${verify.problems.join('\n')}` : '');
      expect(load.acked, context).toBeGreaterThan(0);
      expect(damage(verify, load), context).toEqual({ ...UNDAMAGED, duplicatesAcknowledged: 0, errorsBeforeKill: 0, engineDiedBeforeKill: false });
    }
  });

  it('stops cleanly on SIGTERM and serves the same data after a restart', async () => {
    const { exit, verify } = await runner!.stopCleanlyAndVerify();
    expect(exit, `seed ${seed}`).toEqual({ code: 0, signal: null, forced: false });
    expect(damage(verify), `seed ${seed}\n${verify.problems.join('\n')}`).toEqual(UNDAMAGED);
  });
});
