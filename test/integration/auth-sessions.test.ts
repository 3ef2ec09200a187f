/** Signing in and out over HTTP: uniform failures, the session cookie, rotation, CSRF, password change, security headers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { ADMIN, startAppServer, type AppServer } from '../support/app-server.ts';
import { expectProblem } from '../support/crm-fixture.ts';
import { asBrowser, createUser, median, problemType, sessionCookieOf, sessionStatus, signInAs } from '../support/auth-fixture.ts';

let s: AppServer;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  s = await startAppServer();
});
afterAll(async () => s.stop());

const signIn = (email: string, password: string, headers: Record<string, string> = {}) => s.call('POST', '/api/auth/sign-in', { email, password }, headers, { anonymous: true });

describe('signing in', () => {
  it('answers with the user and a CSRF token, and sets an httpOnly SameSite=Lax session cookie', async () => {
    const user = await createUser(s, { email: 'ada@example.org', password: PASSWORD });
    const res = await signIn('Ada@Example.org', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, email: 'ada@example.org', active: true });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    expect(res.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^rapport_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(setCookie).toMatch(/;\s*Path=\/(;|$)/i);
    expect(setCookie).not.toMatch(/;\s*Secure/i); // served over plain http here
    const session = await s.call('GET', '/api/auth/session', undefined, { cookie: sessionCookieOf(res) });
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ user: { id: user.id }, via: 'session', admin: false, csrfToken: res.body.csrfToken });
  });

  it('gives the same 401 for a wrong password, an unknown email and a deactivated account', async () => {
    await createUser(s, { email: 'bea@example.org', password: PASSWORD });
    await createUser(s, { email: 'gone@example.org', password: PASSWORD, active: false });
    const answers = [await signIn('bea@example.org', 'not the password at all'), await signIn('nobody@example.org', PASSWORD), await signIn('gone@example.org', PASSWORD)];
    const bodies = answers.map((res) => {
      const p = expectProblem(res, 401);
      expect(res.headers.get('set-cookie')).toBeNull();
      return { type: p.type, title: p.title, detail: p.detail, errors: p.errors };
    });
    expect(bodies[0]!.type).toBe(problemType('invalid-credentials'));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
  });

  it('takes comparable time for an unknown email and a wrong password', async () => {
    await createUser(s, { email: 'timing@example.org', password: PASSWORD });
    await signIn('warm-up@example.org', PASSWORD);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t = performance.now();
      expect((await signIn(`nobody-${i}@example.org`, PASSWORD)).status).toBe(401);
      unknown.push(performance.now() - t);
      t = performance.now();
      expect((await signIn('timing@example.org', `wrong password ${i}`)).status).toBe(401);
      wrong.push(performance.now() - t);
    }
    const [a, b] = [median(unknown), median(wrong)];
    expect(Math.max(a, b) / Math.min(a, b), `unknown ${a.toFixed(1)} ms, wrong password ${b.toFixed(1)} ms`).toBeLessThan(3);
  });

  it('checks the body: a missing password is a 422 naming the field', async () => {
    expectProblem(await s.call('POST', '/api/auth/sign-in', { email: 'ada@example.org' }, {}, { anonymous: true }), 422, ['/password']);
  });

  it('gives a new session id when the same browser signs in again, and the old cookie stops working', async () => {
    const first = await signInAs(s, { email: 'ada@example.org', password: PASSWORD });
    const second = await signInAs(s, { email: 'ada@example.org', password: PASSWORD }, first);
    expect(second.cookie).not.toBe(first.cookie);
    expect(second.csrf).not.toBe(first.csrf);
    expect(await sessionStatus(s, first.cookie)).toBe(401);
    expect(await sessionStatus(s, second.cookie)).toBe(200);
  });

  it('signing out ends the session: the cookie is cleared and no longer signs in', async () => {
    const b = await signInAs(s, { email: 'ada@example.org', password: PASSWORD });
    const out = await asBrowser(s, b)('POST', '/api/auth/sign-out');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^rapport_session=;.*Expires=Thu, 01 Jan 1970/i);
    expect(await sessionStatus(s, b.cookie)).toBe(401);
    expectProblem(await asBrowser(s, b)('POST', '/api/auth/tokens', { name: 'x', scopes: ['records:read'] }), 401);
  });

  it('asks an anonymous caller to sign in', async () => {
    const res = await s.call('GET', '/api/auth/session', undefined, {}, { anonymous: true });
    expect(expectProblem(res, 401).type).toBe(problemType('unauthenticated'));
    expect(await sessionStatus(s, 'rapport_session=made-up-session-id')).toBe(401);
  });

  it('first-run setup is closed once an administrator exists', async () => {
    expect((await s.call('GET', '/api/auth/setup', undefined, {}, { anonymous: true })).body).toEqual({ needed: false });
    const res = await s.call('POST', '/api/auth/setup', { token: 'x'.repeat(43), email: 'boss@example.org', name: 'Boss', password: PASSWORD }, {}, { anonymous: true });
    expect(expectProblem(res, 409).type).toBe(problemType('setup-done'));
  });
});

describe('cross-site request forgery', () => {
  let admin: ReturnType<typeof asBrowser>;
  let browser: { cookie: string; csrf: string };
  const newUser = (email: string) => ({ email, name: 'Forged', roles: ['admin'], password: PASSWORD });
  const exists = async (email: string) => ((await s.call('GET', '/api/users')).body.data as Array<{ email: string }>).some((u) => u.email === email);

  beforeAll(async () => {
    browser = await signInAs(s, ADMIN);
    admin = asBrowser(s, browser);
  });

  it('refuses a cookie-authenticated write without the X-CSRF-Token header, or with a wrong one', async () => {
    const none = await s.call('POST', '/api/users', newUser('csrf1@example.org'), { cookie: browser.cookie });
    expect(expectProblem(none, 403).type).toBe(problemType('csrf-rejected'));
    const wrong = await admin('POST', '/api/users', newUser('csrf2@example.org'), { 'x-csrf-token': `${browser.csrf.slice(0, -1)}${browser.csrf.endsWith('A') ? 'B' : 'A'}` });
    expect(expectProblem(wrong, 403).type).toBe(problemType('csrf-rejected'));
    expect(await exists('csrf1@example.org')).toBe(false);
    expect(await exists('csrf2@example.org')).toBe(false);
  });

  it('accepts the write with the session CSRF token, also with this site as Origin', async () => {
    expect((await admin('POST', '/api/users', newUser('csrf3@example.org'))).status).toBe(201);
    expect((await admin('POST', '/api/users', newUser('csrf4@example.org'), { origin: s.base })).status).toBe(201);
    expect(await exists('csrf3@example.org')).toBe(true);
  });

  it('refuses a cross-site form post carrying the session cookie, and writes nothing', async () => {
    const form = new URLSearchParams({ email: 'evil@example.org', name: 'Evil', password: PASSWORD }).toString();
    const res = await s.call('POST', '/api/users', form, { cookie: browser.cookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' });
    expect(expectProblem(res, 403).type).toBe(problemType('csrf-rejected'));
    // Even with the right token (say, leaked), another site's Origin is refused.
    expectProblem(await admin('POST', '/api/users', newUser('evil2@example.org'), { origin: 'http://evil.example' }), 403);
    expect(await exists('evil@example.org')).toBe(false);
    expect(await exists('evil2@example.org')).toBe(false);
  });

  it('refuses a sign-in form posted from another site', async () => {
    const res = await signIn('ada@example.org', PASSWORD, { origin: 'http://evil.example' });
    expect(expectProblem(res, 403).type).toBe(problemType('csrf-rejected'));
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('needs no CSRF token for a request with a Bearer API token', async () => {
    expect((await s.call('POST', '/api/users', newUser('bearer@example.org'))).status).toBe(201);
    expect((await s.call('POST', '/api/users', newUser('bearer2@example.org'), { origin: 'http://scripts.example' })).status).toBe(201);
  });
});

describe('changing the password', () => {
  const who = { email: 'carl@example.org', password: PASSWORD };
  const NEW = 'a brand new passphrase';

  it('refuses a wrong current password (422 at /currentPassword) and a weak new one (422 at /newPassword)', async () => {
    await createUser(s, who);
    const b = asBrowser(s, await signInAs(s, who));
    expectProblem(await b('POST', '/api/auth/password', { currentPassword: 'not my password!', newPassword: NEW }), 422, ['/currentPassword']);
    expectProblem(await b('POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: 'short' }), 422, ['/newPassword']);
    expectProblem(await b('POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: who.email }), 422, ['/newPassword']);
    expect((await signIn(who.email, PASSWORD)).status).toBe(200);
  });

  it('ends every other session, gives the caller a new working session, and retires the old password', async () => {
    const mine = await signInAs(s, who);
    const other = await signInAs(s, who);
    const res = await asBrowser(s, mine)('POST', '/api/auth/password', { currentPassword: PASSWORD, newPassword: NEW });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const fresh = { cookie: sessionCookieOf(res), csrf: res.body.csrfToken as string };
    expect(fresh.cookie).toMatch(/^rapport_session=.+/);
    expect(fresh.cookie).not.toBe(mine.cookie);
    expect(fresh.csrf).not.toBe(mine.csrf);
    expect(await sessionStatus(s, other.cookie)).toBe(401);
    expect(await sessionStatus(s, mine.cookie)).toBe(401);
    const session = await s.call('GET', '/api/auth/session', undefined, { cookie: fresh.cookie });
    expect(session.body).toMatchObject({ user: { email: who.email }, csrfToken: fresh.csrf });
    expect((await asBrowser(s, fresh)('POST', '/api/auth/tokens', { name: 'after change', scopes: ['records:read'] })).status).toBe(201);
    expectProblem(await signIn(who.email, PASSWORD), 401);
    expect((await signIn(who.email, NEW)).status).toBe(200);
  });
});

describe('security headers', () => {
  it('sends helmet headers on API responses, successful or not', async () => {
    for (const res of [await s.call('GET', '/api/auth/session'), await s.call('GET', '/api/auth/session', undefined, {}, { anonymous: true })]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
