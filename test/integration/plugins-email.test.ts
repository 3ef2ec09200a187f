/**
 * Issue 6, the email:send capability: a plugin queues mail from a template through the outbox,
 * only when granted, only about records the acting user can read, and its dedupe keys are its own.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueToken, startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity } from '../support/crm-fixture.ts';

let s: AppServer;
let dir: string;
let donorId: string;

const MAILER = `module.exports = {
  async thank({ record, input }) {
    try {
      const sent = await rapport.email.send({ to: record.email, template: 'thanks', record: { entity: 'donor', id: input.about || record._id }, dedupeKey: input.key });
      return { message: (sent.created ? 'queued ' : 'already queued ') + sent.id };
    } catch (e) { return { message: 'refused: ' + e.message }; }
  },
};`;

async function install(id: string, capabilities: string[]): Promise<void> {
  await mkdir(join(dir, id), { recursive: true });
  const input = { type: 'object', additionalProperties: false, properties: { key: { type: 'string' }, about: { type: 'string' } } };
  await writeFile(join(dir, id, 'plugin.json'), JSON.stringify({ id, version: '1.0.0', name: id, entry: 'index.js', capabilities, actions: [{ name: 'thank', label: 'Thank', entity: 'donor', handler: 'thank', input }] }));
  await writeFile(join(dir, id, 'index.js'), MAILER);
  expect((await s.call('POST', '/api/plugins', { id })).status).toBe(201);
  expect((await s.call('PUT', `/api/plugins/${id}/grants`, { grants: capabilities })).status).toBe(200);
  expect((await s.call('POST', `/api/plugins/${id}/enable`)).status).toBe(200);
}
const thank = async (plugin: string, input: Record<string, string> = {}) => (await s.call('POST', `/api/entities/donor/records/${donorId}/actions/${plugin}/thank`, { input })).body.message as string;
const outbox = async () => (await s.call('GET', '/api/mail/outbox')).body.data as Array<{ to: string; template: string; record: { id: string } | null; dedupeKey: string | null }>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-plugin-email-'));
  s = await startAppServer({ pluginsDir: dir });
  await defineEntity(s, { name: 'donor', label: 'Donor', pluralLabel: 'Donors', titleField: 'name', fields: [{ name: 'name', type: 'text' }, { name: 'email', type: 'email' }] });
  expect((await s.call('PUT', '/api/templates/thanks', { kind: 'email', parts: { subject: 'Thank you {{{name}}}', text: 'Dear {{{name}}}, thank you.' } })).status).toBe(201);
  donorId = (await createRecord(s, 'donor', { name: 'Ada', email: 'ada@donors.example' }))._id;
  await install('mailer', ['email:send', 'records:read:donor']);
  await install('nomail', ['records:read:donor']);
}, 60_000);
afterAll(async () => {
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

it('queues a mail from a template about the record, once per dedupe key, under the plugin\'s own key', async () => {
  expect(await thank('mailer', { key: 'gift-1' })).toMatch(/^queued [0-9a-f]{24}$/);
  expect(await thank('mailer', { key: 'gift-1' })).toMatch(/^already queued /);
  const mails = await outbox();
  expect(mails.map((m) => [m.to, m.template, m.record?.id, m.dedupeKey])).toEqual([['ada@donors.example', 'thanks', donorId, 'plugin:mailer:gift-1']]);
});

it('is refused without the email:send grant, and nothing is queued', async () => {
  const before = (await outbox()).length;
  expect(await thank('nomail')).toBe('refused: Plugin nomail was not granted email:send');
  expect((await outbox()).length).toBe(before);
});

it('cannot name a record the acting user cannot read as the merge record', async () => {
  const before = (await outbox()).length;
  expect(await thank('mailer', { about: 'f'.repeat(24) })).toMatch(/^refused: /);
  expect((await outbox()).length).toBe(before);
});

it("lists a record's mails for whoever can read the record, and for nobody else", async () => {
  const mails = await s.call('GET', `/api/entities/donor/records/${donorId}/mails`);
  expect(mails.status).toBe(200);
  expect(mails.body.data.map((m: { to: string; template: string }) => [m.to, m.template])).toEqual([['ada@donors.example', 'thanks']]);
  expect((await s.call('GET', `/api/entities/donor/records/${'f'.repeat(24)}/mails`)).status).toBe(404);
  await s.call('POST', '/api/users', { email: 'nobody@donors.example', name: 'No role', password: 'no role password 1' });
  const token = await issueToken(s.call, { email: 'nobody@donors.example', password: 'no role password 1' });
  expect((await s.call('GET', `/api/entities/donor/records/${donorId}/mails`, undefined, { authorization: `Bearer ${token}` })).status).toBe(404);
});
