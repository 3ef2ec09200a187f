/** Plugin actions on records, and outbound fetch that never reaches inside: loopback, metadata, private ranges, redirects. */
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem, waitFor } from '../support/crm-fixture.ts';

let s: AppServer;
let dir: string;
let target: Server;
let port: number;
const hits: string[] = [];

const FETCHER = `module.exports = {
  async probe({ input }) {
    try { const res = await rapport.http.fetch(input.url, { headers: { authorization: 'Bearer secret' } }); return { message: 'status ' + res.status + ' ' + res.body }; }
    catch (e) { return { message: 'refused: ' + e.message }; }
  },
  async mark({ record, input }) { return { message: 'marked ' + record.number, set: { status: input.status } }; },
};`;

async function plugin(id: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(join(dir, id), { recursive: true });
  await writeFile(join(dir, id, 'plugin.json'), JSON.stringify({ id, version: '1.0.0', name: id, entry: 'index.js', ...manifest }));
  await writeFile(join(dir, id, 'index.js'), FETCHER);
  expect((await s.call('POST', '/api/plugins', { id })).status).toBe(201);
  expect((await s.call('PUT', `/api/plugins/${id}/grants`, { grants: manifest.capabilities ?? [] })).status).toBe(200);
  expect((await s.call('POST', `/api/plugins/${id}/enable`)).status).toBe(200);
}

const probe = async (id: string, url: string) => (await s.call('POST', `/api/entities/invoice/records/${invoiceId}/actions/${id}/probe`, { input: { url } })).body;
let invoiceId: string;

beforeAll(async () => {
  target = createServer((req, res) => {
    hits.push(`${req.url} ${req.headers.authorization ?? '-'}`);
    const redirect = /^\/to\/(.+)$/.exec(req.url ?? '')?.[1];
    if (redirect) res.writeHead(302, { location: decodeURIComponent(redirect) }).end();
    else res.end('ok');
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  port = (target.address() as { port: number }).port;
  dir = await mkdtemp(join(tmpdir(), 'rapport-plugin-actions-'));
  // This deployment trusts its own loopback server (RAPPORT_PLUGIN_FETCH_ALLOW); nothing else private.
  s = await startAppServer({ pluginsDir: dir, pluginFetch: { allowAddresses: ['127.0.0.1/32'] } });
  await defineEntity(s, { name: 'invoice', label: 'Invoice', pluralLabel: 'Invoices', audit: true, fields: [{ name: 'number', type: 'text' }, { name: 'status', type: 'select', options: [{ value: 'draft', label: 'Draft' }, { value: 'sent', label: 'Sent' }] }] });
  invoiceId = (await createRecord(s, 'invoice', { number: 'INV-1', status: 'draft' }))._id;
  const input = { type: 'object', additionalProperties: false, required: ['status'], properties: { status: { type: 'string' } } };
  await plugin('fetcher', {
    capabilities: ['http:fetch:127.0.0.1', 'http:fetch:localhost', 'http:fetch:169.254.169.254', 'http:fetch:10.1.2.3', 'http:fetch:metadata.google.internal'],
    actions: [{ name: 'probe', label: 'Probe', entity: 'invoice', handler: 'probe' }, { name: 'mark', label: 'Mark', entity: 'invoice', handler: 'mark', input }],
  });
}, 60_000);
afterAll(async () => {
  await s.stop();
  await new Promise((resolve) => target.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('plugin actions', () => {
  it('are listed for the entity and run on a record, saving what they set through the pipeline', async () => {
    const listed = await s.call('GET', '/api/entities/invoice/actions');
    expect(listed.body.data.map((a: { name: string }) => a.name).sort()).toEqual(['mark', 'probe']);
    const ran = await s.call('POST', `/api/entities/invoice/records/${invoiceId}/actions/fetcher/mark`, { input: { status: 'sent' } });
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body).toMatchObject({ message: 'marked INV-1', record: { status: 'sent' } });
    // What a plugin sets is validated like any input.
    expectProblem(await s.call('POST', `/api/entities/invoice/records/${invoiceId}/actions/fetcher/mark`, { input: { status: 'nonsense' } }), 422, ['/status']);
  });

  it("checks the action's input and the user's access to the record", async () => {
    expectProblem(await s.call('POST', `/api/entities/invoice/records/${invoiceId}/actions/fetcher/mark`, { input: {} }), 422, ['/input/status']);
    expectProblem(await s.call('POST', `/api/entities/invoice/records/${'0'.repeat(24)}/actions/fetcher/mark`, { input: { status: 'sent' } }), 404);
    expectProblem(await s.call('POST', `/api/entities/invoice/records/${invoiceId}/actions/fetcher/nope`, {}), 404);
    await s.call('POST', '/api/users', { email: 'norole@example.org', name: 'No role', password: 'no role password 1' });
    const token = await issueToken(s.call, { email: 'norole@example.org', password: 'no role password 1' });
    expectProblem(await s.call('POST', `/api/entities/invoice/records/${invoiceId}/actions/fetcher/mark`, { input: { status: 'draft' } }, { authorization: `Bearer ${token}` }), 404);
  });
});

describe('plugin actions as workflow steps', () => {
  it('are offered to the workflow designer, checked when a workflow is saved, and run by the workflow', async () => {
    expect((await s.call('GET', '/api/workflow-step-types?entity=invoice')).body.plugins).toEqual(expect.arrayContaining([{ plugin: 'fetcher', action: 'mark', label: 'Mark' }]));
    const bad = await s.call('POST', '/api/workflows', { name: 'badStep', label: 'Bad', entity: 'invoice', trigger: { kind: 'manual' }, steps: [{ id: 'p', type: 'plugin', plugin: 'fetcher', action: 'nope' }] });
    expectProblem(bad, 422, ['/steps/0/action']);
    const saved = await s.call('POST', '/api/workflows', { name: 'markSent', label: 'Mark sent', entity: 'invoice', trigger: { kind: 'manual' }, steps: [{ id: 'mark', type: 'plugin', plugin: 'fetcher', action: 'mark', input: { status: 'sent' } }] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const invoice = await createRecord(s, 'invoice', { number: 'INV-9', status: 'draft' });
    await s.call('POST', '/api/workflows/markSent/run', { recordIds: [invoice._id] });
    await waitFor(async () => (await s.call('GET', `/api/entities/invoice/records/${invoice._id}`)).body.status === 'sent', 5000);
    const [run] = (await s.call('GET', '/api/workflows/markSent/runs')).body.data;
    expect(run).toMatchObject({ status: 'done', outputs: { mark: { message: 'marked INV-9' } } });
  });
});

describe('plugin fetch', () => {
  it('reaches a granted host the deployment trusts', async () => {
    expect((await probe('fetcher', `http://127.0.0.1:${port}/hello`)).message).toBe('status 200 ok');
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', 'http://10.1.2.3/'],
    ['a host that is not granted', 'http://example.org/'],
    ['a non-http scheme', 'file:///etc/passwd'],
  ])('refuses %s, even when granted', async (_what, url) => {
    const before = hits.length;
    expect((await probe('fetcher', url)).message).toMatch(/^refused: /);
    expect(hits.length).toBe(before);
  });

  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', 'http://10.1.2.3/admin'],
    ['a host that is not granted', 'http://example.com/'],
  ])('refuses a redirect to %s', async (_what, to) => {
    const message = (await probe('fetcher', `http://127.0.0.1:${port}/to/${encodeURIComponent(to)}`)).message as string;
    expect(message).toMatch(/^refused: /);
  });

  it('follows a redirect within the grants, and never carries credentials to another host', async () => {
    expect((await probe('fetcher', `http://127.0.0.1:${port}/to/${encodeURIComponent(`http://127.0.0.1:${port}/landed`)}`)).message).toBe('status 200 ok');
    expect(hits.at(-1)).toBe('/landed Bearer secret');
    expect((await probe('fetcher', `http://127.0.0.1:${port}/to/${encodeURIComponent(`http://localhost:${port}/elsewhere`)}`)).message).toBe('status 200 ok');
    expect(hits.at(-1)).toBe('/elsewhere -');
  });
});
