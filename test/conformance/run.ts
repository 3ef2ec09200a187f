// npm run conformance -- [dir]
// Runs MongoDB's unified CRUD tests in `dir` (default ../shared/conformance/mongodb-crud, from the
// repository root) against MONGODB_URI, or against a freshly started embedded engine.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestResult } from './unified-format.types.ts';
import { runConformance } from './run-conformance.ts';
import { startEmbeddedTarget, type EmbeddedTarget } from './embedded-target.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_DIR = resolve(repoRoot, '../shared/conformance/mongodb-crud');

function formatResult(result: TestResult): string {
  const label = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' }[result.status];
  const reason = result.reason ? `: ${result.reason.replace(/\s+/g, ' ')}` : '';
  return `${label} ${result.file} > ${result.test}${reason}`;
}

async function main(): Promise<void> {
  const dirArg = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
  const dir = dirArg ? resolve(dirArg) : DEFAULT_DIR;
  const externalUri = process.env.MONGODB_URI;
  let embedded: EmbeddedTarget | undefined;
  try {
    if (!externalUri) embedded = await startEmbeddedTarget();
    const uri = externalUri ?? embedded!.uri;
    const report = await runConformance({
      dir,
      uri,
      onResult: (result) => console.log(formatResult(result)),
    });
    console.log(`conformance: ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
  } finally {
    await embedded?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`conformance runner could not run: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exit(1);
  },
);
