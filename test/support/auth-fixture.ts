/** Helpers for HTTP tests of sign-in, sessions and API tokens: users, browsers, the access log. */
import { expect } from 'vitest';
import type { AppServer, JsonResponse } from './app-server.ts';
import { collection, waitFor } from './crm-fixture.ts';

/** What a browser holds after signing in: the session cookie (`name=value`) and the CSRF token. */
export type Browser = { cookie: string; csrf: string };

export const problemType = (slug: string) => `https://rapport.dev/problems/${slug}`;

/** POST /api/users as the bootstrap administrator; returns the new user's view. */
export async function createUser(s: AppServer, input: { email: string; password?: string; roles?: string[]; name?: string; active?: boolean }) {
  const res = await s.call('POST', '/api/users', { name: input.email.split('@')[0], roles: [], ...input });
  if (res.status !== 201) throw new Error(`creating ${input.email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; email: string; active: boolean; roles: string[] };
}

/** The `rapport_session=...` pair of a response's Set-Cookie, or '' when it sets none. */
export function sessionCookieOf(res: JsonResponse): string {
  const header = res.headers.get('set-cookie') ?? '';
  return /^rapport_session=[^;]*/.exec(header)?.[0] ?? '';
}

/** Signs in and fails the test unless it worked. */
export async function signInAs(s: AppServer, who: { email: string; password: string }, cookie?: Browser): Promise<Browser> {
  const headers: Record<string, string> = cookie ? { cookie: cookie.cookie, 'x-csrf-token': cookie.csrf } : {};
  const res = await s.call('POST', '/api/auth/sign-in', who, headers, { anonymous: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const browser = { cookie: sessionCookieOf(res), csrf: res.body.csrfToken as string };
  expect(browser.cookie).toMatch(/^rapport_session=.{20,}/);
  return browser;
}

/** A request as a browser would send it: the cookie, and the CSRF token on writes. */
export function asBrowser(s: AppServer, b: Browser) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    s.call(method, path, body, { cookie: b.cookie, 'x-csrf-token': b.csrf, ...headers });
}

/** A request with this API token. */
export function asToken(s: AppServer, token: string) {
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    s.call(method, path, body, { authorization: `Bearer ${token}`, ...headers });
}

/** Whether a cookie still signs anyone in. */
export async function sessionStatus(s: AppServer, cookie: string): Promise<number> {
  return (await s.call('GET', '/api/auth/session', undefined, { cookie })).status;
}

/** Creates an API token with a session of `who`; returns the secret and the token's id. */
export async function makeToken(s: AppServer, b: Browser, scopes: string[], name = 'script'): Promise<{ token: string; id: string }> {
  const res = await asBrowser(s, b)('POST', '/api/auth/tokens', { name, scopes });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { token: res.body.token, id: res.body.id };
}

export type AccessEntry = { id: string; kind: string; userId: string | null; actorId: string | null; ip: string | null; at: string; detail?: Record<string, unknown> };

/** Every access-log entry (newest first) matching the query, all pages, as the administrator. */
export async function accessLog(s: AppServer, query: Record<string, string> = {}): Promise<AccessEntry[]> {
  const all: AccessEntry[] = [];
  let before: string | null = null;
  do {
    const params: URLSearchParams = new URLSearchParams({ ...query, limit: '200', ...(before ? { before } : {}) });
    const res: JsonResponse<{ data: AccessEntry[]; nextBefore: string | null }> = await s.call('GET', `/api/access-log?${params.toString()}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    all.push(...res.body.data);
    before = res.body.nextBefore;
  } while (before);
  return all;
}

/** Credentials are cached in memory; after editing them in the database, tell every instance, as a revocation does. */
export async function bumpRevocations(s: AppServer): Promise<void> {
  await collection(s, 'auth_state').updateOne({ _id: 'revocations' as never }, { $inc: { version: 1 } }, { upsert: true });
}

/** The reset mail queued for `email` (written after the 202, so polled). */
export async function resetMailFor(s: AppServer, email: string, count = 1): Promise<Array<{ to: string; data: { url: string } }>> {
  return waitFor(async () => {
    const mails = await collection(s, 'mail_outbox').find({ to: email, template: 'password-reset' }).sort({ createdAt: 1 }).toArray();
    return mails.length >= count ? (mails as unknown as Array<{ to: string; data: { url: string } }>) : null;
  });
}

export const tokenOfUrl = (url: string): string => {
  const token = /#token=([A-Za-z0-9_-]+)$/.exec(url)?.[1];
  if (!token) throw new Error(`no token in ${url}`);
  return token;
};

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let userCount = 0;

/**
 * A new user holding these roles (each created with PUT /api/roles/:name), signed in, with an
 * API token scoped for records: a quick way to act as someone who is not an administrator.
 */
export async function issueUserToken(s: AppServer, spec: { roles: Array<Record<string, unknown> & { name: string }>; scopes?: string[] }): Promise<string> {
  for (const role of spec.roles) {
    const res = await s.call('PUT', `/api/roles/${role.name}`, role);
    if (res.status !== 200 && res.status !== 201) throw new Error(`saving role ${role.name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const who = { email: `user${++userCount}-${Date.now()}@fixture.test`, password: 'a long enough password' };
  await createUser(s, { ...who, roles: spec.roles.map((r) => r.name) });
  const browser = await signInAs(s, who);
  return (await makeToken(s, browser, spec.scopes ?? ['records:read', 'records:write'])).token;
}
