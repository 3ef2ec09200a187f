/**
 * The server as an operator runs it (`npm start`): a real process, configured by environment,
 * reporting through its log and exit code, and stopping cleanly on SIGTERM.
 */
import { execFile } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/server-process.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const serverArgs = ['--import', 'tsx', 'server/main.ts'];

let dataRoot: string;

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), 'rapport-lifecycle-'));
});

afterAll(async () => {
  await rm(dataRoot, { recursive: true, force: true });
});

function start(name: string): Promise<ServerProcess> {
  return startServer({
    command: process.execPath,
    args: serverArgs,
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', RAPPORT_DATA_DIR: join(dataRoot, name) },
  });
}

describe('a running server', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await start('running');
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('answers /healthz and /readyz with 200 JSON', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(server.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toHaveProperty('status');
    }
  });

  it('answers an unknown route with a 404 problem carrying the request id', async () => {
    const res = await fetch(`${server.url}/no/such/route`, { headers: { 'X-Request-Id': 'lifecycle-404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 404, instance: '/no/such/route', requestId: 'lifecycle-404' });
    expect(body.type).toEqual(expect.any(String));
    expect(body.title).toEqual(expect.any(String));
  });
});

describe('a bad configuration', () => {
  it('exits non-zero with one message naming every bad variable', async () => {
    const env = { ...process.env, PORT: 'abc', LOG_LEVEL: 'loud', RAPPORT_DATA_DIR: join(dataRoot, 'bad-config') };
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, serverArgs, { cwd: repoRoot, env, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      });
    });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('LOG_LEVEL');
    expect(result.stdout).not.toContain('rapport listening');
  });
});

describe('SIGTERM', () => {
  it('lets an in-flight request finish, then exits 0', async () => {
    const server = await start('sigterm');
    try {
      const body = JSON.stringify({ note: 'sent in two halves, around the signal' });
      const half = Math.floor(body.length / 2);
      const { url } = server;
      const req = request(`${url}/shutdown-probe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: new Agent({ keepAlive: true }),
      });
      const response = new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res
            .on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }))
            .on('error', reject);
        });
        req.on('error', reject);
      });
      req.write(body.slice(0, half));
      // Give the server time to parse the headers: from then on the request is in flight, and
      // only an unclean shutdown would drop it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exiting = server.stop('SIGTERM');
      await server.waitForLog('shutting down');
      req.end(body.slice(half));

      const res = await response;
      const answeredAt = Date.now();
      expect(res.status).toBe(404);
      expect(JSON.parse(res.text)).toMatchObject({ status: 404, instance: '/shutdown-probe' });
      // The client keeps its connection alive; the server must not wait out the keep-alive timeout.
      expect(res.connection).toBe('close');
      const exit = await exiting;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(Date.now() - answeredAt).toBeLessThan(4000);
      expect(server.logs.some((l) => l.msg === 'stopped')).toBe(true);
    } finally {
      await server.stop('SIGKILL');
    }
  });
});
