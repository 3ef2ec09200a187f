/**
 * `npm run smoke`: does this checkout work on the Node on PATH? Runs each check, prints one line
 * per step, and exits non-zero if any failed. .ci/smoke-node24.sh runs it on Node 24.
 */
import { rm } from 'node:fs/promises';
import type { ServerProcess } from '../support/server-process.ts';
import { checkPluginHook } from './plugin-check.ts';
import {
  checkConnectRoundTrip,
  checkCustomObject,
  checkHttp200,
  checkIsolate,
  checkNodeVersion,
  checkServerEngine,
  checkServerFlags,
  checkSigterm,
  startServerWithNpm,
  tempDirs,
} from './smoke-checks.ts';

type Outcome = 'ok' | 'FAIL' | 'skip';
const results: Outcome[] = [];

async function step(name: string, check: () => Promise<string>): Promise<boolean> {
  const started = performance.now();
  try {
    const detail = await check();
    report('ok', name, started, detail);
    return true;
  } catch (err) {
    report('FAIL', name, started, err instanceof Error ? err.message : String(err));
    return false;
  }
}

function skip(name: string, reason: string): void {
  report('skip', name, performance.now(), reason);
}

function report(outcome: Outcome, name: string, started: number, detail: string): void {
  results.push(outcome);
  const ms = Math.round(performance.now() - started);
  const [first, ...rest] = detail.split('\n');
  console.log(`${outcome.padEnd(4)} ${name} (${ms} ms): ${first}`);
  for (const line of rest) console.log(`       ${line}`);
}

async function main(): Promise<number> {
  console.log(`rapport smoke on Node ${process.version}`);
  await step('node version', () => checkNodeVersion(process.env.SMOKE_EXPECT_NODE_MAJOR));
  await step('isolated-vm runs code in an isolate', checkIsolate);
  await step('connect() writes a document that reads back', checkConnectRoundTrip);

  let server: ServerProcess | undefined;
  const started = await step('npm start logs rapport listening', async () => {
    server = await startServerWithNpm();
    return server.url;
  });
  const serverSteps = ['GET /healthz', 'GET /readyz', 'the server runs with its Node flags', "driver reaches the server's engine", 'SIGTERM exits 0'];
  if (!started || !server) {
    for (const name of serverSteps) skip(name, 'server did not start');
  } else {
    const s = server;
    try {
      await step('GET /healthz', () => checkHttp200(`${s.url}/healthz`));
      await step('GET /readyz', () => checkHttp200(`${s.url}/readyz`));
      await step('the server runs with its Node flags', () => checkServerFlags(s));
      await step("driver reaches the server's engine", () => checkServerEngine(s));
      await step('signed in, an entity defined over HTTP takes records', () => checkCustomObject(s.url));
      await step("an example plugin's before-save hook runs in its isolate", () => checkPluginHook(s.url));
      await step('SIGTERM exits 0', () => checkSigterm(s));
    } finally {
      await s.stop('SIGKILL');
    }
  }

  const failed = results.filter((r) => r === 'FAIL').length;
  const passed = results.filter((r) => r === 'ok').length;
  const skipped = results.filter((r) => r === 'skip').length;
  console.log(`smoke: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed + skipped === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    // Kept on failure, so the journal and lock files can be inspected.
    if (code === 0) await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    else if (tempDirs.length) console.log(`data dirs kept for inspection: ${tempDirs.join(' ')}`);
    process.exit(code);
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
