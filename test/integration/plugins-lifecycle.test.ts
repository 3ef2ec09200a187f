/** Plugins end to end over HTTP: install, grant, enable, hooks in the write pipeline, the SDK's checks, a crashed worker. */
import { mkdtemp, mkdir, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem } from '../support/crm-fixture.ts';

let s: AppServer;
let dir: string;
const contacts = '/api/entities/contact/records';

async function writePlugin(id: string, manifest: Record<string, unknown>, code: string): Promise<void> {
  await mkdir(join(dir, id), { recursive: true });
  await writeFile(join(dir, id, 'plugin.json'), JSON.stringify({ id, version: '1.0.0', name: id, entry: 'index.js', ...manifest }));
  await writeFile(join(dir, id, 'index.js'), code);
}

async function installAndEnable(id: string, grants: string[] = []): Promise<void> {
  expect((await s.call('POST', '/api/plugins', { id })).status).toBeLessThan(300);
  expect((await s.call('PUT', `/api/plugins/${id}/grants`, { grants })).status).toBe(200);
  const enabled = await s.call('POST', `/api/plugins/${id}/enable`);
  expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-plugins-'));
  await cp(new URL('../../plugins/duplicate-contact-warning', import.meta.url), join(dir, 'duplicate-contact-warning'), { recursive: true });
  s = await startAppServer({ pluginsDir: dir });
  await defineEntity(s, { name: 'contact', label: 'Contact', pluralLabel: 'Contacts', fields: [{ name: 'name', type: 'text', required: true }, { name: 'email', type: 'email' }, { name: 'code', type: 'text' }] });
  await defineEntity(s, { name: 'secret', label: 'Secret', pluralLabel: 'Secrets', fields: [{ name: 'value', type: 'text' }] });
}, 60_000);
afterAll(async () => {
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the duplicate-contact-warning example plugin', () => {
  it('refuses a second contact with the same email, naming the first, and lets others through', async () => {
    await installAndEnable('duplicate-contact-warning', ['records:read:contact']);
    const first = await createRecord(s, 'contact', { name: 'Ada', email: 'ada@example.org' });
    const dup = await s.call('POST', contacts, { name: 'Ada again', email: 'ADA@example.org' });
    expect(expectProblem(dup, 422, ['/email']).errors![0]!.detail).toContain(first._id);
    expect((await s.call('POST', contacts, { name: 'Grace', email: 'grace@example.org' })).status).toBe(201);
    expect((await s.call('PATCH', `${contacts}/${first._id}`, { name: 'Ada L.' })).status).toBe(200);
    const logs = await s.call('GET', '/api/plugins/duplicate-contact-warning/logs');
    expect(logs.body.data.some((l: { logs: Array<{ text: string }> }) => l.logs.some((line) => line.text.includes('refused a duplicate email')))).toBe(true);
  });
});

describe('before-save hooks', () => {
  it('may change values, which are validated again like client input', async () => {
    await writePlugin('upper-code', { hooks: [{ event: 'beforeSave', entity: 'contact', handler: 'fix' }] },
      `module.exports = { fix: ({ values }) => values.code === 'bad' ? { set: { code: 12 } } : values.code ? { set: { code: String(values.code).toUpperCase() } } : undefined };`);
    await installAndEnable('upper-code');
    const made = await createRecord(s, 'contact', { name: 'Hook', code: 'abc' });
    expect(made.code).toBe('ABC');
    // A hook cannot slip an invalid value past validation.
    expectProblem(await s.call('POST', contacts, { name: 'Bad', code: 'bad' }), 422, ['/code']);
    expect((await s.call('POST', `/api/plugins/upper-code/disable`)).status).toBe(200);
    expect((await createRecord(s, 'contact', { name: 'Plain', code: 'abc' })).code).toBe('abc');
  });

  it('runs the SDK only within the grant: a plugin granted contacts cannot read secrets', async () => {
    await createRecord(s, 'secret', { value: 'the launch codes' });
    await writePlugin('snoop', { capabilities: ['records:read:contact'], hooks: [{ event: 'beforeSave', entity: 'contact', handler: 'snoop' }] },
      `module.exports = { snoop: async ({ values }) => { if (values.name !== 'snoop') return; const found = await rapport.records.find('secret', {}); return { set: { code: JSON.stringify(found) } }; } };`);
    await installAndEnable('snoop', ['records:read:contact']);
    const res = await s.call('POST', contacts, { name: 'snoop' });
    expectProblem(res, 502);
    expect(JSON.stringify(res.body)).toContain('records:read:secret');
    expect(JSON.stringify(res.body)).not.toContain('launch codes');
    await s.call('POST', '/api/plugins/snoop/disable');
  });

  it('refuses the save when the plugin worker dies during the hook, and works again after the restart', async () => {
    // Isolates have no timers: the hook keeps busy with SDK calls, each a round trip to the server.
    await writePlugin('slow', { capabilities: ['records:read:contact'], hooks: [{ event: 'beforeSave', entity: 'contact', handler: 'wait' }] },
      `module.exports = { wait: async ({ values }) => { if (values.name === 'slow') for (let i = 0; i < 90; i++) await rapport.records.count('contact'); } };`);
    await installAndEnable('slow', ['records:read:contact']);
    const before = await s.call('GET', `${contacts}/count`);
    const pending = s.call('POST', contacts, { name: 'slow' });
    await new Promise((r) => setTimeout(r, 50));
    process.kill((await workerPid())!, 'SIGKILL');
    expectProblem(await pending, 503);
    expect((await s.call('GET', `${contacts}/count`)).body.count).toBe(before.body.count);
    let after = await s.call('POST', contacts, { name: 'after restart' });
    for (let i = 0; i < 50 && after.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await s.call('POST', contacts, { name: 'after restart' });
    }
    expect(after.status).toBe(201);
    await s.call('POST', '/api/plugins/slow/disable');
  }, 30_000);
});

describe('a plugin that keeps failing', () => {
  it('is disabled after 5 failed calls in a row, with the reason shown to admins, and saves go through again', async () => {
    await writePlugin('broken', { hooks: [{ event: 'beforeSave', entity: 'secret', handler: 'explode' }] }, `module.exports = { explode: () => { throw new Error('kaboom'); } };`);
    await installAndEnable('broken');
    for (let i = 0; i < 5; i++) expectProblem(await s.call('POST', '/api/entities/secret/records', { value: `try ${i}` }), 502);
    let plugin = (await s.call('GET', '/api/plugins/broken')).body;
    for (let i = 0; i < 50 && plugin.status !== 'disabled'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      plugin = (await s.call('GET', '/api/plugins/broken')).body;
    }
    expect(plugin).toMatchObject({ status: 'disabled', failures: 5 });
    expect(plugin.disabledReason).toContain('kaboom');
    // Administrators are told, once, however often it failed.
    const notices = (await s.call('GET', '/api/notifications?unread=true')).body.data;
    expect(notices).toEqual([expect.objectContaining({ kind: 'plugin-disabled', title: 'Plugin broken was disabled', count: 1, read: false })]);
    expect((await s.call('POST', `/api/notifications/${notices[0].id}/read`)).status).toBe(204);
    expect((await s.call('GET', '/api/notifications?unread=true')).body.data).toEqual([]);
    expect((await s.call('POST', '/api/entities/secret/records', { value: 'after' })).status).toBe(201);
    // Enabling it again starts the count afresh.
    expect((await s.call('POST', '/api/plugins/broken/enable')).body).toMatchObject({ status: 'enabled', failures: 0, disabledReason: null });
    await s.call('POST', '/api/plugins/broken/disable');
  });
});

describe('field validators and computed values', () => {
  it('refuse a written field with the plugin\'s message, and fill a field on every save', async () => {
    await writePlugin('fields', { validators: [{ entity: 'contact', field: 'email', handler: 'orgOnly' }], computed: [{ entity: 'contact', field: 'code', handler: 'code' }] },
      `module.exports = {
        orgOnly: ({ value }) => (String(value).endsWith('.org') ? null : 'must be an .org address'),
        code: ({ values, record }) => 'C-' + String(values.name ?? record.name).length,
      };`);
    await installAndEnable('fields');
    const res = await s.call('POST', contacts, { name: 'Val', email: 'val@example.com' });
    expect(expectProblem(res, 422, ['/email']).errors![0]!.detail).toBe('must be an .org address');
    const made = await createRecord(s, 'contact', { name: 'Valerie', email: 'val@example.org', code: 'typed by hand' });
    expect(made.code).toBe('C-7');
    // An update that does not write the validated field is not checked; the computed one follows.
    const changed = await s.call('PATCH', `${contacts}/${made._id}`, { name: 'Val' });
    expect(changed.body.code).toBe('C-3');
    await s.call('POST', '/api/plugins/fields/disable');
  });
});

describe('after-save hooks', () => {
  it('run once the change is stored, as the user who made it, and stop at the depth cap when they write their own entity', async () => {
    await defineEntity(s, { name: 'journal', label: 'Journal', pluralLabel: 'Journals', fields: [{ name: 'text', type: 'text' }] });
    await writePlugin('journaler', { capabilities: ['records:write:journal'], hooks: [{ event: 'afterSave', entity: 'journal', handler: 'again' }, { event: 'afterSave', entity: 'contact', handler: 'note' }] },
      `module.exports = {
        note: async ({ operation, recordId, changes }) => { await rapport.records.create('journal', { text: operation + ' ' + recordId + ' ' + (changes || []).map((c) => c.field).join(',') }); },
        again: async ({ recordId }) => { await rapport.records.create('journal', { text: 'echo of ' + recordId }); },
      };`);
    await installAndEnable('journaler', ['records:write:journal']);
    const contact = await createRecord(s, 'contact', { name: 'Journaled' });
    const me = (await s.call('GET', '/api/auth/session')).body.user.id as string;
    let journal: Array<{ text: string; createdBy: string }> = [];
    for (let i = 0; i < 100 && journal.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      journal = (await s.call('GET', '/api/entities/journal/records?sort=createdAt')).body.data;
    }
    // The contact's hook wrote one entry (depth 1); each entry's own hook echoes it, to depth 3, then stops.
    await new Promise((r) => setTimeout(r, 500));
    journal = (await s.call('GET', '/api/entities/journal/records?sort=createdAt')).body.data;
    expect(journal[0]).toMatchObject({ text: `create ${contact._id} name`, createdBy: me });
    expect(journal.map((j) => j.text.startsWith('echo of'))).toEqual([false, true, true]);
    await s.call('POST', '/api/plugins/journaler/disable');
  }, 30_000);
});

/** The worker is found as an operator would find it: the child process running plugin-worker. */
async function workerPid(): Promise<number | undefined> {
  const { execSync } = await import('node:child_process');
  const out = execSync(`ps -o pid=,args= --ppid ${process.pid}`).toString();
  const line = out.split('\n').find((l) => l.includes('plugin-worker'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}
