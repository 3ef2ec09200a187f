import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark } from './benchmark.types.ts';
import { startCrashRunner, type CleanStopReport, type CycleReport } from './crash-cycle.ts';
import { directorySize } from './directory-size.ts';
import { formatMs, formatRatio, formatTable } from './format-table.ts';
import { percentileOf } from './measure.ts';
import { pickSeed } from './seeded-random.ts';

// Issue 2, item 7: 50 SIGKILL/restart/verify cycles on one dbpath, new document keys each cycle.

function sum(reports: CycleReport[], pick: (r: CycleReport) => number): number {
  return reports.reduce((total, r) => total + pick(r), 0);
}

function printCycle(r: CycleReport): void {
  const v = r.verify;
  const bad = v.verdicts.lost + v.verdicts.corrupt + v.verdicts['rejected-applied'] + v.verdicts.regressed + v.phantoms + v.duplicateEmails + v.indexMismatches;
  console.log(
    `cycle ${String(r.cycle).padStart(2)}  kill @${String(r.killAfterMs).padStart(4)} ms  acked ${String(r.load.acked).padStart(5)}  refused ${String(r.load.rejected).padStart(4)}` +
      `  unknown ${String(r.load.unknown).padStart(3)}  recovery ${formatMs(r.recoveryMs).padStart(9)}  docs ${String(v.docs).padStart(6)}  lost ${v.lostAcks}  other damage ${bad}` +
      (v.problems.length ? `\n    ${v.problems.slice(0, 3).join('\n    ')}` : '') +
      (r.load.firstUnexpectedError ? `\n    error before kill: ${r.load.firstUnexpectedError}` : ''),
  );
}

function printSummary(reports: CycleReport[], emptyStartMs: number, clean: CleanStopReport | undefined): void {
  const total = (pick: (r: CycleReport) => number): string => sum(reports, pick).toLocaleString('en-US');
  console.log(`\nacknowledged writes lost: ${sum(reports, (r) => r.verify.lostAcks)}\n`);
  const rows: [string, string][] = [
    ['cycles', String(reports.length)],
    ['acknowledged writes', total((r) => r.load.acked)],
    ['refused writes (11000 expected)', total((r) => r.load.rejected)],
    ['unanswered writes (in flight at kill)', total((r) => r.load.unknown)],
    ['documents at the end', String(reports.at(-1)?.verify.docs ?? 0)],
    ['older than acknowledged', total((r) => r.verify.verdicts.lost)],
    ['half-written / unknown content', total((r) => r.verify.verdicts.corrupt)],
    ['refused write visible', total((r) => r.verify.verdicts['rejected-applied'])],
    ['changed since previous recovery', total((r) => r.verify.verdicts.regressed)],
    ['phantom documents', total((r) => r.verify.phantoms)],
    ['duplicate emails', total((r) => r.verify.duplicateEmails)],
    ['duplicates acknowledged', total((r) => r.load.duplicatesAccepted)],
    ['wrong lookups by email', total((r) => r.verify.indexMismatches)],
    ['cycles without the unique index', String(reports.filter((r) => !r.verify.uniqueIndexPresent).length)],
    ['cycles where a duplicate insert did not fail 11000', String(reports.filter((r) => r.verify.duplicateInsertRejected === false).length)],
    ['errors before the kill (not 11000)', total((r) => r.load.unexpectedErrors)],
  ];
  console.log(formatTable(['total', 'value'], rows));
  const recovery = reports.map((r) => r.recoveryMs);
  const p50 = percentileOf(recovery, 0.5);
  const startRows = [
    ['empty dbpath (baseline)', '1', formatMs(emptyStartMs), '', '1.00x'],
    ['after SIGKILL', String(recovery.length), formatMs(p50), formatMs(percentileOf(recovery, 0.95)), formatRatio(p50, emptyStartMs)],
    ...(clean ? [['after SIGTERM', '1', formatMs(clean.restartMs), '', formatRatio(clean.restartMs, emptyStartMs)]] : []),
  ];
  console.log('\n' + formatTable(['start to "listening"', 'runs', 'p50', 'p95', 'vs empty start'], startRows));
  if (clean) {
    const damaged = clean.verify.lostAcks + clean.verify.verdicts.corrupt + clean.verify.verdicts.regressed + clean.verify.phantoms;
    console.log(`\nSIGTERM: exit code ${clean.exit.code}, signal ${clean.exit.signal}${clean.exit.forced ? ' (did not exit: SIGKILLed)' : ''}, ${formatMs(clean.stopMs)}; after restart: ${damaged} documents differ`);
  }
}

export const benchmark: Benchmark = {
  description: 'SIGKILL the standalone engine mid-load 50 times on one dbpath; acknowledged writes lost, recovery time',
  async run() {
    const cycles = Number(process.env.BENCH_CYCLES) > 0 ? Math.floor(Number(process.env.BENCH_CYCLES)) : 50;
    const seed = pickSeed();
    console.log(`cycles ${cycles}, 4 clients x 6 writers, kill 100-600 ms after the first acknowledged write of each load, seed ${seed} (knobs: BENCH_CYCLES, BENCH_SEED)\n`);
    const dbPath = await mkdtemp(join(tmpdir(), 'rapport-bench-crash-'));
    const runner = await startCrashRunner({ dbPath, seed });
    const reports: CycleReport[] = [];
    let clean: CleanStopReport | undefined;
    try {
      for (let i = 0; i < cycles; i++) {
        reports.push(await runner.runCycle());
        printCycle(reports.at(-1)!);
      }
      clean = await runner.stopCleanlyAndVerify();
    } catch (err) {
      console.log(`\nstopped after ${reports.length} cycles: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      console.log(`dbpath size at the end: ${await directorySize(dbPath)}`);
      await runner.dispose();
      await rm(dbPath, { recursive: true, force: true });
    }
    printSummary(reports, runner.emptyStartMs, clean);
  },
};
