/**
 * Issue 7: outgoing webhooks (signed, retried with backoff, refused inside the network), inbound
 * email routed by sender and subject, and two runner instances on one database never running a
 * step twice.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem, waitFor } from '../support/crm-fixture.ts';
import { startTestEngine, type TestEngine } from '../support/test-engine.ts';

type Delivery = { path: string; delivery: string; signature: string; body: string; at: number };
let receiver: Server;
let receiverUrl = '';
const deliveries: Delivery[] = [];
/** Per path: the statuses to answer, in turn (then 200). */
const script = new Map<string, number[]>();

const bodyOf = (req: IncomingMessage) => new Promise<string>((resolve) => {
  let data = '';
  req.on('data', (c: Buffer) => (data += c.toString()));
  req.on('end', () => resolve(data));
});

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const body = await bodyOf(req);
    deliveries.push({ path: req.url ?? '', delivery: String(req.headers['x-rapport-delivery']), signature: String(req.headers['x-rapport-signature'] ?? ''), body, at: Date.now() });
    const statuses = script.get(req.url ?? '') ?? [];
    res.statusCode = statuses.shift() ?? 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => receiver.close(resolve)));

const SECRET = 'a webhook signing secret';
const ticket = { name: 'ticket', label: 'Ticket', pluralLabel: 'Tickets', fields: [{ name: 'subject', type: 'text' }, { name: 'queue', type: 'text' }, { name: 'sender', type: 'email' }] };
const runsOf = async (s: AppServer, name: string) => (await s.call('GET', `/api/workflows/${name}/runs?limit=200`)).body.data as Array<{ id: string; status: string; error?: string; log: Array<{ step: string; status: string; attempt: number }> }>;

describe('outgoing webhooks', () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ pluginFetch: { allowAddresses: ['127.0.0.1/32'] }, workflows: { pollMs: 50, retry: { baseMs: 100, maxAttempts: 4 } } });
    await defineEntity(server, ticket);
  });
  afterAll(() => server?.stop());

  async function hook(name: string, url: string) {
    const res = await server.call('POST', '/api/workflows', { name, label: name, entity: 'ticket', trigger: { kind: 'manual' }, steps: [{ id: 'notify', type: 'webhook', url, secret: SECRET }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const start = async (name: string) => {
    const t = await createRecord(server, 'ticket', { subject: `for ${name}` });
    await server.call('POST', `/api/workflows/${name}/run`, { recordIds: [t._id] });
    return waitFor(async () => (await runsOf(server, name)).find((r) => r.status === 'done' || r.status === 'failed'), 8000);
  };

  it('signs the body, and retries a failing receiver with backoff under one delivery id', async () => {
    script.set('/flaky', [500, 503]);
    await hook('flaky', `${receiverUrl}/flaky`);
    const run = await start('flaky');
    expect(run.status).toBe('done');
    const got = deliveries.filter((d) => d.path === '/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((d) => d.delivery)).size).toBe(1);
    for (const d of got) expect(d.signature).toBe(`sha256=${createHmac('sha256', SECRET).update(d.body).digest('hex')}`);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ workflow: 'flaky', step: 'notify', entity: 'ticket', record: { subject: 'for flaky' } });
    // Backoff: 100 ms, then 200 ms.
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(90);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(190);
    expect(run.log.map((l) => [l.status, l.attempt])).toEqual([['retrying', 1], ['retrying', 2], ['done', 3]]);
  });

  it('gives up after the last attempt, and at once on a refusal', async () => {
    script.set('/down', [500, 500, 500, 500, 500]);
    await hook('down', `${receiverUrl}/down`);
    const down = await start('down');
    expect(down.status).toBe('failed');
    expect(down.error).toMatch(/after 4 attempts/);
    const notices = (await server.call('GET', '/api/notifications')).body.data;
    expect(notices).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'workflow-failed', title: 'Workflow down failed', detail: expect.stringMatching(/notify: .*after 4 attempts/) })]));
    script.set('/gone', [410]);
    await hook('gone', `${receiverUrl}/gone`);
    const gone = await start('gone');
    expect(gone.status).toBe('failed');
    expect(deliveries.filter((d) => d.path === '/gone')).toHaveLength(1);
  });

  it('refuses destinations inside the network, as plugins are refused', async () => {
    await hook('metadata', 'http://169.254.169.254/latest/meta-data/');
    const run = await start('metadata');
    expect(run.status).toBe('failed');
    expect(run.log).toHaveLength(1);
  });
});

describe('inbound email', () => {
  let server: AppServer;
  let secret = '';
  beforeAll(async () => {
    server = await startAppServer({ workflows: { pollMs: 50 } });
    await defineEntity(server, ticket);
    const wf = (name: string, trigger: Record<string, unknown>, queue: string) =>
      server.call('POST', '/api/workflows', { name, label: name, trigger: { kind: 'inboundEmail', ...trigger }, steps: [{ id: 'file', type: 'create', entity: 'ticket', values: [{ field: 'subject', formula: 'input.subject' }, { field: 'sender', formula: 'input.from' }, { field: 'queue', value: queue }] }] });
    expect((await wf('billing', { fromPattern: '*@customer.example', subjectContains: 'invoice', priority: 10 }, 'billing')).status).toBe(201);
    expect((await wf('support', { fromPattern: '*@customer.example' }, 'support')).status).toBe(201);
    secret = (await server.call('POST', '/api/workflows-inbound-email/secret')).body.secret;
  });
  afterAll(() => server?.stop());

  const mime = (from: string, subject: string, id: string) => [`From: Someone <${from}>`, 'To: help@rapport.test', `Subject: ${subject}`, `Message-ID: <${id}@mail.example>`, 'Content-Type: text/plain; charset=utf-8', '', 'Hello,', 'please help.'].join('\r\n');
  const post = (body: string, key = secret) => fetch(`${server.base}/hooks/inbound-email`, { method: 'POST', headers: { 'content-type': 'message/rfc822', 'x-rapport-secret': key }, body });
  const tickets = async () => (await server.call('GET', '/api/entities/ticket/records?sort=subject')).body.data as Array<{ subject: string; queue: string; sender: string }>;

  it('routes each message to the first matching workflow by priority, sender and subject', async () => {
    expect(await (await post(mime('Ann@Customer.example', 'Invoice 42 is wrong', 'a1'))).json()).toMatchObject({ routed: 'billing' });
    expect(await (await post(mime('bob@customer.example', 'Printer on fire', 'b1'))).json()).toMatchObject({ routed: 'support' });
    expect(await (await post(mime('eve@elsewhere.example', 'Invoice', 'c1'))).json()).toEqual({ routed: null });
    // The provider delivers the same message again: no second ticket.
    await post(mime('bob@customer.example', 'Printer on fire', 'b1'));
    await waitFor(async () => (await tickets()).length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(await tickets()).toEqual([
      expect.objectContaining({ subject: 'Invoice 42 is wrong', queue: 'billing', sender: 'ann@customer.example' }),
      expect.objectContaining({ subject: 'Printer on fire', queue: 'support', sender: 'bob@customer.example' }),
    ]);
  });

  it('refuses a message without the secret, and a message that is not mail', async () => {
    expect((await post(mime('a@customer.example', 'x', 'd1'), 'wrong')).status).toBe(401);
    const bad = await post('this is not a mime message');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  });
});

describe('two runner instances on one database', () => {
  let engine: TestEngine;
  let one: AppServer;
  let two: AppServer;
  beforeAll(async () => {
    engine = await startTestEngine();
    const options = { engine, pluginFetch: { allowAddresses: ['127.0.0.1/32'] }, workflows: { pollMs: 20, concurrency: 8 } };
    one = await startAppServer(options);
    two = await startAppServer(options);
    await defineEntity(one, ticket);
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await engine?.cleanup();
  });

  it('never run the same step twice', async () => {
    const res = await one.call('POST', '/api/workflows', { name: 'fanout', label: 'Fan-out', entity: 'ticket', trigger: { kind: 'recordCreated' }, steps: [{ id: 'first', type: 'webhook', url: `${receiverUrl}/first` }, { id: 'second', type: 'webhook', url: `${receiverUrl}/second` }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Both instances must know the workflow before the records arrive.
    await waitFor(async () => (await two.call('GET', '/api/workflows/fanout')).status === 200);
    await new Promise((r) => setTimeout(r, 400));
    const created = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? one : two).call('POST', '/api/entities/ticket/records', { subject: `t${i}` })));
    expect(created.every((r) => r.status === 201)).toBe(true);
    await waitFor(async () => deliveries.filter((d) => d.path === '/second').length >= 60, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    for (const path of ['/first', '/second']) {
      const keys = deliveries.filter((d) => d.path === path).map((d) => d.delivery);
      expect(keys).toHaveLength(60);
      expect(new Set(keys).size).toBe(60);
    }
    const runs = await runsOf(one, 'fanout');
    expect(runs.filter((r) => r.status === 'done')).toHaveLength(60);
  }, 40_000);
});

describe('refusals', () => {
  it('a workflow for an unknown endpoint is a 401 problem, never a 500', async () => {
    const server = await startAppServer();
    try {
      const res = await fetch(`${server.base}/hooks/inbound-email`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(401);
      expectProblem({ status: res.status, headers: res.headers, body: await res.json() }, 401);
    } finally {
      await server.stop();
    }
  });
});
