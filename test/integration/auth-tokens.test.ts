/** Personal API tokens, deactivating people and the access log over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, waitFor } from '../support/crm-fixture.ts';
import { accessLog, asBrowser, asToken, bumpRevocations, createUser, makeToken, problemType, sessionStatus, signInAs, type Browser } from '../support/auth-fixture.ts';
import { ObjectId } from 'mongodb';

let s: AppServer;
let adminBrowser: Browser;
const PASSWORD = 'correct horse battery staple';
const TOKEN_FORMAT = /^rpt_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, { name: 'note', label: 'Note', pluralLabel: 'Notes', titleField: 'title', fields: [{ name: 'title', type: 'text' }] });
  await createRecord(s, 'note', { title: 'first' });
  adminBrowser = await signInAs(s, ADMIN);
});
afterAll(async () => s.stop());

/** The status a token gets on GET /api/auth/session, checking a refusal is the uniform 401. */
async function tokenStatus(token: string): Promise<number> {
  const res = await asToken(s, token)('GET', '/api/auth/session');
  if (res.status === 401) expect(expectProblem(res, 401).type).toBe(problemType('unauthenticated'));
  return res.status;
}

describe('API tokens', () => {
  it('shows a new token once; the list has it without its secret', async () => {
    const res = await asBrowser(s, adminBrowser)('POST', '/api/auth/tokens', { name: 'nightly export', scopes: ['records:read'], expiresInDays: 7 });
    expect(res.status).toBe(201);
    const [, id, secret] = TOKEN_FORMAT.exec(res.body.token) ?? [];
    expect(id).toBe(res.body.id);
    expect(res.body).toMatchObject({ name: 'nightly export', scopes: ['records:read'], revoked: false, lastUsedAt: null });
    const days = (Date.parse(res.body.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const list = await asBrowser(s, adminBrowser)('GET', '/api/auth/tokens');
    const listed = (list.body.data as Array<Record<string, unknown>>).find((t) => t.id === id);
    expect(listed).toMatchObject({ name: 'nightly export', scopes: ['records:read'], revoked: false });
    expect(listed).not.toHaveProperty('token');
    expect(listed).not.toHaveProperty('hash');
    expect(JSON.stringify(list.body)).not.toContain(secret);
    // Stored as a hash only.
    expect(JSON.stringify(await collection(s, 'auth_tokens').findOne({ _id: new ObjectId(id) }))).not.toContain(secret);
  });

  it('works as a Bearer token, and its use is noted', async () => {
    const { token, id } = await makeToken(s, adminBrowser, ['records:write']);
    const session = await asToken(s, token)('GET', '/api/auth/session');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ user: { email: ADMIN.email }, via: 'token', scopes: ['records:write'], admin: false });
    expect(session.body).not.toHaveProperty('csrfToken');
    expect((await asToken(s, token)('GET', '/api/entities/note/records')).status).toBe(200);
    const listed = await waitFor(async () => ((await asBrowser(s, adminBrowser)('GET', '/api/auth/tokens')).body.data as Array<{ id: string; lastUsedAt: string | null }>).find((t) => t.id === id && t.lastUsedAt));
    expect(Date.parse(listed.lastUsedAt!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a tampered secret, a wrong id, a malformed or non-Bearer Authorization header with 401', async () => {
    const { token } = await makeToken(s, adminBrowser, ['records:read']);
    expect(await tokenStatus(token)).toBe(200);
    const [, id, secret] = TOKEN_FORMAT.exec(token)!;
    const flipped = secret!.slice(0, 20) + (secret![20] === 'A' ? 'B' : 'A') + secret!.slice(21);
    expect(await tokenStatus(`rpt_${id}_${flipped}`)).toBe(401);
    expect(await tokenStatus(`rpt_${new ObjectId().toHexString()}_${secret}`)).toBe(401);
    expect(await tokenStatus(`${token}x`)).toBe(401);
    expect(await tokenStatus('garbage')).toBe(401);
    for (const authorization of ['Basic YWRtaW46YWRtaW4=', 'Bearer', token, `Bearer ${token} extra`]) {
      expectProblem(await s.call('GET', '/api/auth/session', undefined, { authorization }), 401);
    }
    // A bad token is an error even where anonymous callers are welcome.
    expectProblem(await s.call('POST', '/api/auth/sign-in', { email: ADMIN.email, password: ADMIN.password }, { authorization: 'Bearer garbage' }), 401);
  });

  it('a revoked token stops working at once; revoking it again or someone else’s token is 404', async () => {
    const { token, id } = await makeToken(s, adminBrowser, ['records:read']);
    expect(await tokenStatus(token)).toBe(200);
    expect((await asBrowser(s, adminBrowser)('DELETE', `/api/auth/tokens/${id}`)).status).toBe(204);
    expect(await tokenStatus(token)).toBe(401);
    expectProblem(await asBrowser(s, adminBrowser)('DELETE', `/api/auth/tokens/${id}`), 404);
    const list = await asBrowser(s, adminBrowser)('GET', '/api/auth/tokens');
    expect((list.body.data as Array<{ id: string; revoked: boolean }>).find((t) => t.id === id)?.revoked).toBe(true);

    await createUser(s, { email: 'ivy@example.org', password: PASSWORD });
    const ivy = await signInAs(s, { email: 'ivy@example.org', password: PASSWORD });
    const other = await makeToken(s, adminBrowser, ['records:read']);
    expectProblem(await asBrowser(s, ivy)('DELETE', `/api/auth/tokens/${other.id}`), 404);
    expect(await tokenStatus(other.token)).toBe(200);
  });

  it('an expired token is refused, also after it was cached as valid', async () => {
    const unused = await makeToken(s, adminBrowser, ['records:read']);
    await collection(s, 'auth_tokens').updateOne({ _id: new ObjectId(unused.id) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await tokenStatus(unused.token)).toBe(401);

    const used = await makeToken(s, adminBrowser, ['records:read']);
    expect(await tokenStatus(used.token)).toBe(200);
    await collection(s, 'auth_tokens').updateOne({ _id: new ObjectId(used.id) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await bumpRevocations(s);
    await waitFor(async () => (await tokenStatus(used.token)) === 401);
  });

  it('a records:read token can read records but not write them', async () => {
    const { token } = await makeToken(s, adminBrowser, ['records:read']);
    const read = await asToken(s, token)('GET', '/api/entities/note/records');
    expect(read.status).toBe(200);
    expect(read.body.data.length).toBeGreaterThan(0);
    expectProblem(await asToken(s, token)('POST', '/api/entities/note/records', { title: 'from a read-only token' }), 403);
    const id = read.body.data[0]._id as string;
    expectProblem(await asToken(s, token)('PATCH', `/api/entities/note/records/${id}`, { title: 'changed' }), 403);
    expectProblem(await asToken(s, token)('DELETE', `/api/entities/note/records/${id}`), 403);
    // Nor can it mint a wider token for itself.
    expectProblem(await asToken(s, token)('POST', '/api/auth/tokens', { name: 'wider', scopes: ['records:write'] }), 422, ['/scopes']);
  });

  it('admin scope needs an administrator (422), and an administrator’s records:write token is no administrator (403)', async () => {
    await createUser(s, { email: 'jay@example.org', password: PASSWORD });
    const jay = await signInAs(s, { email: 'jay@example.org', password: PASSWORD });
    expectProblem(await asBrowser(s, jay)('POST', '/api/auth/tokens', { name: 'sneaky', scopes: ['admin'] }), 422, ['/scopes']);
    expectProblem(await asBrowser(s, jay)('GET', '/api/users'), 403);

    const { token } = await makeToken(s, adminBrowser, ['records:write']);
    expect(expectProblem(await asToken(s, token)('GET', '/api/users'), 403).type).toBe(problemType('forbidden'));
    expectProblem(await asToken(s, token)('POST', '/api/users', { email: 'x@example.org', name: 'X' }), 403);
    expectProblem(await asToken(s, token)('GET', '/api/access-log'), 403);
    expect((await asToken(s, token)('POST', '/api/entities/note/records', { title: 'by script' })).status).toBe(201);
  });

  it('checks the token request: unknown scope, expiry outside 1..365 days and extra fields are 422', async () => {
    const post = (body: unknown) => asBrowser(s, adminBrowser)('POST', '/api/auth/tokens', body);
    expectProblem(await post({ name: 't', scopes: ['everything'] }), 422, ['/scopes/0']);
    expectProblem(await post({ name: 't', scopes: [] }), 422, ['/scopes']);
    expectProblem(await post({ name: 't', scopes: ['records:read'], expiresInDays: 0 }), 422, ['/expiresInDays']);
    expectProblem(await post({ name: 't', scopes: ['records:read'], expiresInDays: 366 }), 422, ['/expiresInDays']);
    expectProblem(await post({ name: 't', scopes: ['records:read'], owner: 'someone' }), 422, ['/owner']);
  });
});

describe('deactivating a user', () => {
  it('ends their session and API token at once, and their sign-in fails like a wrong password', async () => {
    const who = { email: 'kim@example.org', password: PASSWORD };
    const user = await createUser(s, who);
    const kim = await signInAs(s, who);
    const { token } = await makeToken(s, kim, ['records:read']);
    expect(await sessionStatus(s, kim.cookie)).toBe(200);
    expect(await tokenStatus(token)).toBe(200);

    const res = await s.call('PATCH', `/api/users/${user.id}`, { active: false });
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(await sessionStatus(s, kim.cookie)).toBe(401);
    expect(await tokenStatus(token)).toBe(401);

    const asDeactivated = await s.call('POST', '/api/auth/sign-in', who, {}, { anonymous: true });
    const wrongPassword = await s.call('POST', '/api/auth/sign-in', { email: ADMIN.email, password: 'not the admin password' }, {}, { anonymous: true });
    const strip = (b: Record<string, unknown>) => ({ type: b.type, title: b.title, status: b.status, detail: b.detail });
    expect(strip(expectProblem(asDeactivated, 401))).toEqual(strip(expectProblem(wrongPassword, 401)));

    // Reactivating restores sign-in, not the revoked token.
    expect((await s.call('PATCH', `/api/users/${user.id}`, { active: true })).status).toBe(200);
    expect(await tokenStatus(token)).toBe(401);
    await signInAs(s, who);
  });

  it('refuses to deactivate or demote the last active administrator (409)', async () => {
    const me = (await s.call('GET', '/api/auth/session')).body.user.id as string;
    expect(expectProblem(await s.call('PATCH', `/api/users/${me}`, { active: false }), 409).type).toBe(problemType('conflict'));
    expectProblem(await s.call('PATCH', `/api/users/${me}`, { roles: [] }), 409);
    expect((await s.call('GET', `/api/users/${me}`)).body).toMatchObject({ active: true, roles: ['admin'] });
    expect(await tokenStatus(s.adminToken)).toBe(200);
  });

  // The check is settled against the database after the write, so a race cannot leave no administrator.
  it('keeps an administrator when the last two are deactivated at the same moment', async () => {
    const other = await startAppServer();
    try {
      const me = (await other.call('GET', '/api/auth/session')).body.user.id as string;
      const second = await createUser(other, { email: 'second-admin@example.org', password: PASSWORD, roles: ['admin'] });
      const answers = await Promise.all([other.call('PATCH', `/api/users/${me}`, { active: false }), other.call('PATCH', `/api/users/${second.id}`, { active: false })]);
      const statuses = answers.map((r) => r.status);
      const stillActive = await collection(other, 'auth_users').countDocuments({ active: true, roles: 'admin' });
      expect(statuses).toContain(409);
      expect(stillActive).toBeGreaterThanOrEqual(1);
      // Every 200 really deactivated someone; every 409 left its administrator active.
      expect(stillActive).toBe(statuses.filter((st) => st === 409).length);
    } finally {
      await other.stop();
    }
  });
});

describe('the access log', () => {
  it('records sign-ins, failures, token creation, password change and deactivation with the user, and no secrets', async () => {
    const who = { email: 'lou@example.org', password: 'lou secret passphrase one' };
    const newPassword = 'lou secret passphrase two';
    const user = await createUser(s, who);
    const failed = await s.call('POST', '/api/auth/sign-in', { ...who, password: 'lou wrong passphrase' }, {}, { anonymous: true });
    expect(failed.status).toBe(401);
    const lou = await signInAs(s, who);
    const { token } = await makeToken(s, lou, ['records:read']);
    expect(await tokenStatus(token)).toBe(200);
    const changed = await asBrowser(s, lou)('POST', '/api/auth/password', { currentPassword: who.password, newPassword });
    expect(changed.status).toBe(200);
    expect((await s.call('PATCH', `/api/users/${user.id}`, { active: false })).status).toBe(200);

    const mine = await accessLog(s, { userId: user.id });
    const kinds = mine.map((e) => e.kind);
    for (const kind of ['user-created', 'sign-in-failed', 'sign-in', 'token-created', 'token-used', 'password-changed', 'user-deactivated']) expect(kinds).toContain(kind);
    expect(mine.every((e) => e.userId === user.id)).toBe(true);
    // Newest first: the deactivation comes before the sign-in.
    expect(kinds.indexOf('user-deactivated')).toBeLessThan(kinds.indexOf('sign-in'));
    expect(mine.find((e) => e.kind === 'sign-in')).toMatchObject({ actorId: user.id, ip: expect.stringMatching(/127\.0\.0\.1/) });
    expect(mine.find((e) => e.kind === 'user-deactivated')?.actorId).not.toBe(user.id);
    const failures = await accessLog(s, { kind: 'sign-in-failed', userId: user.id });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.detail).toEqual({ email: who.email });

    const everything = JSON.stringify(await accessLog(s));
    const secretOf = (t: string) => TOKEN_FORMAT.exec(t)![2]!;
    for (const secret of [who.password, newPassword, 'lou wrong passphrase', ADMIN.password, PASSWORD, token, secretOf(token), secretOf(s.adminToken), lou.cookie.split('=')[1]!, lou.csrf, changed.body.csrfToken]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('is for administrators only', async () => {
    await createUser(s, { email: 'max@example.org', password: PASSWORD });
    const max = await signInAs(s, { email: 'max@example.org', password: PASSWORD });
    expectProblem(await asBrowser(s, max)('GET', '/api/access-log'), 403);
    expectProblem(await s.call('GET', '/api/access-log?limit=0'), 422, ['/limit']);
  });
});
