// The embedded engine against MongoDB's own CRUD spec tests (issue 2, item 5): every file must
// run, and at least 90% of the tests that run (not skipped for version or topology) must pass.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance, type ConformanceReport } from './run-conformance.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from './embedded-target.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CRUD_DIR = resolve(repoRoot, '../shared/conformance/mongodb-crud');

const MISSING = `conformance data not found at ${CRUD_DIR}: the MongoDB CRUD spec tests must be in ../shared/conformance/mongodb-crud`;

describe('embedded engine: MongoDB unified CRUD conformance', () => {
  let target: EmbeddedTarget | undefined;
  let report: ConformanceReport | undefined;

  beforeAll(async () => {
    if (!existsSync(CRUD_DIR)) return; // reported by the tests below, as failures
    target = await startEmbeddedTarget();
    report = await runConformance({ dir: CRUD_DIR, uri: target.uri });
    printFigures(report);
  }, 900_000);

  afterAll(async () => {
    await target?.stop();
  });

  function ranReport(): ConformanceReport {
    if (!existsSync(CRUD_DIR)) throw new Error(MISSING);
    if (!report) throw new Error('the conformance runner produced no report');
    return report;
  }

  it('finds the MongoDB CRUD spec tests', () => {
    expect(existsSync(CRUD_DIR), MISSING).toBe(true);
  });

  it('runs at least one test of every file in the folder', () => {
    const { results } = ranReport();
    const files = readdirSync(CRUD_DIR).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const withRunTests = new Set(results.filter((r) => r.status !== 'skip').map((r) => r.file));
    const notRun = files.filter((file) => !withRunTests.has(file));
    expect(notRun, 'files whose tests were all skipped (or missing)').toEqual([]);
  });

  it('passes at least 90% of the tests that are not skipped', () => {
    const { passed, failed } = ranReport();
    expect(passed + failed).toBeGreaterThan(0);
    expect(passed / (passed + failed)).toBeGreaterThanOrEqual(0.9);
  });
});

function printFigures(report: ConformanceReport): void {
  const { passed, failed, skipped } = report;
  const total = passed + failed + skipped;
  console.log(
    `conformance: ${passed} passed, ${failed} failed, ${skipped} skipped; ` +
      `passed/total = ${passed}/${total} (${percent(passed, total)}), ` +
      `passed/(passed+failed) = ${passed}/${passed + failed} (${percent(passed, passed + failed)})`,
  );
  for (const result of report.results.filter((r) => r.status === 'fail')) {
    console.log(`FAIL ${result.file} > ${result.test}: ${result.reason}`);
  }
}

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`;
}
