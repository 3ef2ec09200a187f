/** A plugin uploaded as a bundle, and its HTTP endpoint answering each user with their own permissions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem } from '../support/crm-fixture.ts';

let s: AppServer;
let userToken: string;

const bundle = {
  manifest: {
    id: 'contact-summary', version: '1.0.0', name: 'Contact summary', entry: 'index.js',
    capabilities: ['records:read:contact'],
    endpoints: [{ method: 'GET', path: '/summary', handler: 'summary' }, { method: 'POST', path: '/echo', handler: 'echo' }],
  },
  code: `module.exports = {
    async summary({ user, query }) {
      try { return { body: { user: user.id, contacts: await rapport.records.count('contact'), city: query.city ?? null } }; }
      catch (e) { return { status: 403, body: { error: e.message } }; }
    },
    echo: ({ body }) => ({ status: 201, body }),
  };`,
};

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, { name: 'contact', label: 'Contact', pluralLabel: 'Contacts', fields: [{ name: 'name', type: 'text' }] });
  for (const name of ['A', 'B', 'C']) await createRecord(s, 'contact', { name });
  await s.call('POST', '/api/users', { email: 'plain@example.org', name: 'Plain', password: 'plain user password' });
  userToken = await issueToken(s.call, { email: 'plain@example.org', password: 'plain user password' });
}, 60_000);
afterAll(() => s.stop());

describe('a plugin uploaded as a bundle', () => {
  it('installs from {manifest, code}, and a bad manifest is refused naming the field', async () => {
    expectProblem(await s.call('POST', '/api/plugins', { bundle: { ...bundle, manifest: { ...bundle.manifest, snapshot: 'AAAA' } } }), 422, ['/snapshot']);
    expectProblem(await s.call('POST', '/api/plugins', { bundle: { manifest: bundle.manifest } }), 422, ['/bundle/code']);
    const installed = await s.call('POST', '/api/plugins', { bundle });
    expect(installed.status).toBe(201);
    expect(installed.body).toMatchObject({ id: 'contact-summary', status: 'installed', endpoints: bundle.manifest.endpoints });
  });

  it('is managed by administrators only', async () => {
    expectProblem(await s.call('POST', '/api/plugins/contact-summary/enable', undefined, { authorization: `Bearer ${userToken}` }), 403);
  });
});

describe('plugin endpoints', () => {
  it('answer nothing until the plugin is enabled', async () => {
    expectProblem(await s.call('GET', '/api/plugins/contact-summary/call/summary'), 404);
    await s.call('PUT', '/api/plugins/contact-summary/grants', { grants: ['records:read:contact'] });
    expect((await s.call('POST', '/api/plugins/contact-summary/enable')).status).toBe(200);
  });

  it("run as the caller: the administrator counts every contact, a user who cannot read contacts gets the plugin's refusal", async () => {
    const admin = await s.call('GET', '/api/plugins/contact-summary/call/summary?city=Leeds');
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ contacts: 3, city: 'Leeds' });
    const plain = await s.call('GET', '/api/plugins/contact-summary/call/summary', undefined, { authorization: `Bearer ${userToken}` });
    expect(plain.status).toBe(403);
    expect(plain.body.error).toMatch(/no entity "contact"/);
  });

  it('take a JSON body and choose their status; an unknown path or method is a 404; anonymous callers get 401', async () => {
    const echo = await s.call('POST', '/api/plugins/contact-summary/call/echo', { hello: 'world' });
    expect(echo.status).toBe(201);
    expect(echo.body).toEqual({ hello: 'world' });
    expectProblem(await s.call('GET', '/api/plugins/contact-summary/call/echo'), 404);
    expectProblem(await s.call('GET', '/api/plugins/contact-summary/call/nope'), 404);
    expectProblem(await s.call('GET', '/api/plugins/contact-summary/call/summary', undefined, {}, { anonymous: true }), 401);
  });
});
