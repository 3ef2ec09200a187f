/** Forgotten passwords and brute force over HTTP: reset links by mail, one-time tokens, sign-in and reset rate limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, expectProblem, waitFor } from '../support/crm-fixture.ts';
import { accessLog, asBrowser, createUser, problemType, resetMailFor, sessionStatus, signInAs, tokenOfUrl } from '../support/auth-fixture.ts';

const PASSWORD = 'correct horse battery staple';
const signIn = (s: AppServer, email: string, password: string) => s.call('POST', '/api/auth/sign-in', { email, password }, {}, { anonymous: true });

describe('password reset', () => {
  let s: AppServer;
  const requestReset = (email: string) => s.call('POST', '/api/auth/password-reset', { email }, {}, { anonymous: true });
  const confirm = (token: string, password: string) => s.call('POST', '/api/auth/password-reset/confirm', { token, password }, {}, { anonymous: true });

  beforeAll(async () => {
    s = await startAppServer();
  });
  afterAll(async () => s.stop());

  it('answers 202 with the same body for known and unknown emails, and mails only the real account', async () => {
    await createUser(s, { email: 'dora@example.org', password: PASSWORD });
    const unknown = await requestReset('nobody@example.org');
    const known = await requestReset('Dora@Example.org');
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const [mail] = await resetMailFor(s, 'dora@example.org');
    // The link is built from the configured public URL, not from the request.
    expect(mail!.data.url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/reset-password#token=[A-Za-z0-9_-]{43}$/);
    await waitFor(async () => (await accessLog(s, { kind: 'password-reset-requested' })).some((e) => e.detail?.email === 'nobody@example.org'));
    expect(await collection(s, 'mail_outbox').countDocuments({ to: 'nobody@example.org' })).toBe(0);
  });

  it('sends no link to a deactivated account', async () => {
    await createUser(s, { email: 'idle@example.org', password: PASSWORD, active: false });
    const res = await requestReset('idle@example.org');
    expect(res.status).toBe(202);
    await waitFor(async () => (await accessLog(s, { kind: 'password-reset-requested' })).some((e) => e.detail?.email === 'idle@example.org'));
    expect(await collection(s, 'mail_outbox').countDocuments({ to: 'idle@example.org' })).toBe(0);
  });

  it('the mailed token sets a new password once, ends the old sessions, and is refused the second time', async () => {
    const who = { email: 'dora@example.org', password: PASSWORD };
    const before = await signInAs(s, who);
    const [mail] = await resetMailFor(s, who.email);
    const token = tokenOfUrl(mail!.data.url);
    // A weak password is refused without using up the link.
    expectProblem(await confirm(token, 'short'), 422, ['/password']);
    const done = await confirm(token, 'my recovered passphrase');
    expect(done.status, JSON.stringify(done.body)).toBe(204);
    expect(await sessionStatus(s, before.cookie)).toBe(401);
    expectProblem(await signIn(s, who.email, PASSWORD), 401);
    expect((await signIn(s, who.email, 'my recovered passphrase')).status).toBe(200);
    const again = await confirm(token, 'another new passphrase');
    expect(expectProblem(again, 400).type).toBe(problemType('invalid-token'));
    expect((await signIn(s, who.email, 'another new passphrase')).status).toBe(401);
  });

  it('refuses a made-up token', async () => {
    expect(expectProblem(await confirm('A'.repeat(43), 'a perfectly fine password'), 400).type).toBe(problemType('invalid-token'));
    expect(expectProblem(await confirm('', 'a perfectly fine password'), 400).type).toBe(problemType('invalid-token'));
  });

  it('a used link makes the other pending links of the account useless', async () => {
    await createUser(s, { email: 'eve@example.org', password: PASSWORD });
    await requestReset('eve@example.org');
    await requestReset('eve@example.org');
    const [first, second] = (await resetMailFor(s, 'eve@example.org', 2)).map((m) => tokenOfUrl(m.data.url));
    expect(first).not.toBe(second);
    expect((await confirm(second!, 'eve chose this password')).status).toBe(204);
    expectProblem(await confirm(first!, 'eve chose another one'), 400);
    expect((await signIn(s, 'eve@example.org', 'eve chose this password')).status).toBe(200);
  });

  it('an administrator can issue a one-time set-password link; changing the password by hand retires it', async () => {
    const user = await createUser(s, { email: 'fred@example.org' });
    const link = await s.call('POST', `/api/users/${user.id}/password-link`);
    expect(link.status).toBe(201);
    expect(link.body.path).toBe(`/reset-password#token=${link.body.token}`);
    expect((await confirm(link.body.token, 'fred sets his password')).status).toBe(204);
    expect((await signIn(s, 'fred@example.org', 'fred sets his password')).status).toBe(200);

    const pending = await s.call('POST', `/api/users/${user.id}/password-link`);
    const b = await signInAs(s, { email: 'fred@example.org', password: 'fred sets his password' });
    expect((await asBrowser(s, b)('POST', '/api/auth/password', { currentPassword: 'fred sets his password', newPassword: 'fred changed it himself' })).status).toBe(200);
    expectProblem(await confirm(pending.body.token, 'someone else sets it'), 400);
  });
});

describe('sign-in rate limits', () => {
  let s: AppServer;
  const who = { email: 'gina@example.org', password: PASSWORD };

  beforeAll(async () => {
    s = await startAppServer({ auth: { limits: { signInPerAccount: { points: 3, durationSec: 60 }, resetPerAccount: { points: 2, durationSec: 60 } } } });
    await createUser(s, who);
  });
  afterAll(async () => s.stop());

  it('after repeated wrong passwords for one account answers 429 with Retry-After, even for the right password', async () => {
    for (let i = 0; i < 3; i++) expectProblem(await signIn(s, who.email, `wrong password ${i}`), 401);
    const blocked = await signIn(s, who.email, 'wrong password 4');
    expect(expectProblem(blocked, 429).type).toBe(problemType('rate-limited'));
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const right = await signIn(s, who.email, PASSWORD);
    expectProblem(right, 429);
    expect(right.headers.get('set-cookie')).toBeNull();
    // The same address in another spelling is the same account.
    expectProblem(await signIn(s, ' GINA@example.org ', PASSWORD), 429);
  });

  it('limits only the attacked account: others still sign in', async () => {
    expect((await signIn(s, ADMIN.email, ADMIN.password)).status).toBe(200);
  });

  it('a successful sign-in clears the count of wrong passwords', async () => {
    await createUser(s, { email: 'hugo@example.org', password: PASSWORD });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expectProblem(await signIn(s, 'hugo@example.org', `wrong ${i} in round ${round}`), 401);
      expect((await signIn(s, 'hugo@example.org', PASSWORD)).status).toBe(200);
    }
  });

  it('limits reset requests per email, known or not, with the same 429', async () => {
    for (const email of ['hugo@example.org', 'nobody@example.org']) {
      for (let i = 0; i < 2; i++) expect((await s.call('POST', '/api/auth/password-reset', { email }, {}, { anonymous: true })).status).toBe(202);
      const blocked = await s.call('POST', '/api/auth/password-reset', { email }, {}, { anonymous: true });
      expectProblem(blocked, 429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('sign-in rate limit per IP address', () => {
  let s: AppServer;

  beforeAll(async () => {
    // Starting the server signs the administrator in once (for its API token): one attempt used.
    s = await startAppServer({ auth: { limits: { signInPerIp: { points: 5, durationSec: 60 } } } });
  });
  afterAll(async () => s.stop());

  it('refuses every account from the address once it has made too many attempts', async () => {
    for (let i = 0; i < 4; i++) expectProblem(await signIn(s, `guess-${i}@example.org`, PASSWORD), 401);
    const blocked = await signIn(s, 'guess-5@example.org', PASSWORD);
    expectProblem(blocked, 429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expectProblem(await signIn(s, ADMIN.email, ADMIN.password), 429);
    // API tokens are not sign-ins: scripts keep working.
    expect((await s.call('GET', '/api/auth/session')).status).toBe(200);
  });
});
