/** Every error leaves the HTTP server as application/problem+json, with the right status. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';

let app: AppServer;
let base: string;

beforeAll(async () => {
  app = await startAppServer();
  base = app.base;
});
afterAll(async () => app.stop());

async function problem(path: string, init?: RequestInit) {
  const res = await fetch(base + path, init);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, requestId: res.headers.get('x-request-id') };
}

describe('problem+json responses', () => {
  it('answers health and readiness', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('reports an unknown route as 404 with the request id', async () => {
    const { status, body, requestId } = await problem('/nowhere');
    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, title: 'Not found', instance: '/nowhere', requestId });
  });

  it('reports malformed JSON as 400', async () => {
    const { status, body } = await problem('/nowhere', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(status).toBe(400);
    expect(body.type).toMatch(/bad-request$/);
  });

  it('reports a body over the limit as 413', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) });
    const { status, body } = await problem('/nowhere', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(status).toBe(413);
    expect(body.type).toMatch(/payload-too-large$/);
  });

  it('keeps a sane incoming request id and replaces a hostile one', async () => {
    expect((await problem('/x', { headers: { 'x-request-id': 'abc-123' } })).requestId).toBe('abc-123');
    const replaced = (await problem('/x', { headers: { 'x-request-id': 'bad id\twith spaces' } })).requestId;
    expect(replaced).not.toBe('bad id\twith spaces');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
  });
});
