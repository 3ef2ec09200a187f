/**
 * The smoke checks, one function each. Each returns a one-line detail for the report or throws.
 * They run on whatever Node is on PATH; .ci/smoke-node24.sh runs them on Node 24.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { serverNodeFlags } from '../../server/cli/server-flags.ts';
import { ISOLATED_VM_NODE_FLAGS } from '../../server/plugins/index.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { connect } from '../../server/storage/index.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';

const execFileAsync = promisify(execFile);

const repoRootUrl = new URL('../../', import.meta.url);
const repoRoot = fileURLToPath(repoRootUrl);

/** Every temp dir the checks made, so the runner can remove them (or keep them to inspect). */
export const tempDirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `rapport-smoke-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** SMOKE_EXPECT_NODE_MAJOR guards against a PATH that quietly fell back to the machine's Node. */
export async function checkNodeVersion(expectedMajor: string | undefined): Promise<string> {
  const major = process.versions.node.split('.')[0];
  assert(!expectedMajor || major === expectedMajor, `expected Node ${expectedMajor}, running ${process.version}`);
  return `${process.version} (${process.execPath})`;
}

/** isolated-vm needs --no-node-snapshot in the loading process, so the isolate runs in a child. */
export async function checkIsolate(): Promise<string> {
  const script = `
    import { loadIsolatedVmWithSource, runInIsolate } from '${new URL('server/plugins/index.ts', repoRootUrl).href}';
    const value = await runInIsolate('[1, 2, 3].reduce((a, b) => a + b, 0) * 7');
    const timeout = await runInIsolate('for (;;) {}', { timeoutMs: 50 }).then(() => 'no timeout', (e) => e.message);
    const { name, version } = loadIsolatedVmWithSource();
    console.log(JSON.stringify({ value, timeout, name, version }));
  `;
  const { stdout } = await execFileAsync(
    process.execPath,
    [...ISOLATED_VM_NODE_FLAGS, '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, timeout: 30_000 },
  );
  const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  assert(out.value === 42, `isolate returned ${JSON.stringify(out.value)}, expected 42`);
  assert(/timed out/i.test(String(out.timeout)), `endless loop was not stopped: ${String(out.timeout)}`);
  return `${String(out.name)} (isolated-vm@${String(out.version)}) evaluated 42; endless loop timed out`;
}

type SmokeContact = { _id: string; name: string; tags: string[]; at: Date };

/** A document written through connect() survives closing and reopening the embedded engine. */
export async function checkConnectRoundTrip(): Promise<string> {
  const dataDir = await tempDir('connect');
  const config = { dataDir, dbName: 'smoke', embeddedPort: 0, embeddedMode: 'in-process' as const };
  const logger = createLogger({ level: 'warn' });
  const doc: SmokeContact = { _id: 'smoke-1', name: 'Ada Lovelace', tags: ['smoke'], at: new Date() };
  const first = await connect(config, logger);
  try {
    await first.db.collection<SmokeContact>('contacts').insertOne(doc);
    const same = await first.db.collection<SmokeContact>('contacts').findOne({ _id: doc._id });
    assert(same?.name === doc.name, `read back ${JSON.stringify(same)} before restart`);
  } finally {
    await first.close();
  }
  const second = await connect(config, logger);
  try {
    const after = await second.db.collection<SmokeContact>('contacts').findOne({ _id: doc._id });
    assert(after?.name === doc.name, `read back ${JSON.stringify(after)} after restart`);
    assert(after.at instanceof Date && after.at.getTime() === doc.at.getTime(), 'date field changed on the way back');
  } finally {
    await second.close();
  }
  return `wrote and read back ${doc._id} in ${dataDir}, also after reopening`;
}

export const SMOKE_ADMIN = { email: 'smoke@rapport.test', password: 'smoke test password' };

/** Signs in as the smoke administrator: a `send(method, path, body?)` with the session cookie and CSRF token. */
export async function signedIn(base: string): Promise<(method: string, path: string, body?: unknown) => Promise<Response>> {
  const signIn = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SMOKE_ADMIN), signal: AbortSignal.timeout(10_000) });
  const session = (await signIn.json()) as { csrfToken?: string };
  assert(signIn.status === 200 && session.csrfToken, `signing in answered ${signIn.status}: ${JSON.stringify(session)}`);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  return (method, path, body) =>
    fetch(base + path, {
      method, signal: AbortSignal.timeout(30_000),
      headers: { cookie, 'x-csrf-token': session.csrfToken!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
}

/** `npm start`, as an operator runs it, with its data in a temp dir and a first administrator from the environment. */
export async function startServerWithNpm(): Promise<ServerProcess> {
  return startServer({
    command: process.platform === 'win32' ? 'npm.cmd' : 'npm',
    args: ['start', '--silent'],
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', RAPPORT_DATA_DIR: await tempDir('server'), RAPPORT_ADMIN_EMAIL: SMOKE_ADMIN.email, RAPPORT_ADMIN_PASSWORD: SMOKE_ADMIN.password },
    startTimeoutMs: 60_000,
  });
}

export async function checkHttp200(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  assert(res.status === 200, `${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return `200 ${text.slice(0, 80)}`;
}

/** Tools (mongosh, Compass, the driver) reach the server's embedded engine at the logged URI. */
export async function checkServerEngine(server: ServerProcess): Promise<string> {
  const connected = await server.waitForLog('database connected');
  const uri = connected.engineUri;
  assert(typeof uri === 'string', `'database connected' log line has no engineUri: ${JSON.stringify(connected)}`);
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const coll = client.db('smoke').collection<{ _id: string; text: string }>('notes');
    await coll.insertOne({ _id: 'via-engine', text: 'hello' });
    const back = await coll.findOne({ _id: 'via-engine' });
    assert(back?.text === 'hello', `read back ${JSON.stringify(back)}`);
  } finally {
    await client.close();
  }
  return `driver wrote and read a document at ${uri}`;
}

/**
 * Issues 3 and 4's main path: sign in as the administrator (session cookie + CSRF token), define
 * an entity over HTTP, then create and read a record of it.
 */
export async function checkCustomObject(base: string): Promise<string> {
  const send = await signedIn(base);
  const post = (path: string, body: unknown) => send('POST', path, body);
  const entity = await post('/api/metadata/entities', {
    name: 'smoke_case', label: 'Case', pluralLabel: 'Cases', titleField: 'ref',
    fields: [{ name: 'ref', type: 'autonumber', pattern: 'SMK-{000}' }, { name: 'subject', type: 'text', required: true }],
  });
  assert(entity.status === 201, `defining the entity answered ${entity.status}: ${await entity.text()}`);
  const created = await post('/api/entities/smoke_case/records', { subject: 'Smoke' });
  const record = (await created.json()) as { _id?: string; ref?: string };
  assert(created.status === 201 && record.ref === 'SMK-001', `creating a record answered ${created.status}: ${JSON.stringify(record)}`);
  const read = await send('GET', `/api/entities/smoke_case/records/${record._id}`);
  const back = (await read.json()) as { subject?: string };
  assert(read.status === 200 && back.subject === 'Smoke', `reading it back answered ${read.status}: ${JSON.stringify(back)}`);
  return `signed in, defined smoke_case, created and read back ${record.ref}`;
}

/** `npm start` gives the server process the flags server-flags.ts names (read from /proc on Linux). */
export async function checkServerFlags(server: ServerProcess): Promise<string> {
  const cmdline = `/proc/${server.serverPid}/cmdline`;
  if (!existsSync(cmdline)) return 'no /proc here: not checked';
  const args = (await readFile(cmdline, 'utf8')).split('\0');
  const missing = serverNodeFlags().filter((flag) => !args.includes(flag));
  assert(!missing.length, `server pid ${server.serverPid} runs without ${missing.join(' ')}: ${args.join(' ')}`);
  return `server pid ${server.serverPid} runs with ${serverNodeFlags().join(' ')}`;
}

/**
 * SIGTERM to `rapport start` (what `npm start` runs, and what a process manager runs and signals)
 * reaches the server, which stops cleanly; the exit code checked is npm's, passed on from the
 * server's. Where /proc cannot name the launcher, the server is signalled itself.
 */
export async function checkSigterm(server: ServerProcess): Promise<string> {
  const launcher = await parentOf(server.serverPid);
  const timer = setTimeout(() => void server.stop('SIGKILL'), 20_000);
  const exit = await (launcher ? (process.kill(launcher.pid, 'SIGTERM'), server.exited) : server.stop('SIGTERM'));
  clearTimeout(timer);
  assert(exit.code === 0, `exited with code ${exit.code} signal ${exit.signal}\n${server.stderr().trim()}`);
  assert(server.logs.some((l) => l.msg === 'stopped'), "exited 0 but never logged 'stopped'");
  return `${launcher ? `rapport start (pid ${launcher.pid}) passed SIGTERM on; ` : ''}server pid ${server.serverPid} logged stopped; npm start exited 0`;
}

/** The `rapport start` process that started `pid`, read from /proc; undefined elsewhere or if it is not one. */
async function parentOf(pid: number): Promise<{ pid: number } | undefined> {
  if (!existsSync(`/proc/${pid}/stat`)) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  const args = (await readFile(`/proc/${ppid}/cmdline`, 'utf8').catch(() => '')).split('\0');
  assert(args.some((a) => a.endsWith('rapport.mjs')) && args.includes('start'), `the server's parent (pid ${ppid}) is not rapport start: ${args.join(' ')}`);
  return { pid: ppid };
}
