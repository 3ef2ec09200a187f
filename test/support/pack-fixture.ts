/** Helpers for the solution pack tests (issue 9): install a pack, act as people holding its roles. */
import { expect } from 'vitest';
import type { AppServer, JsonResponse } from './app-server.ts';
import { createUser, makeToken, signInAs } from './auth-fixture.ts';
import { waitFor, type ApiRecord } from './crm-fixture.ts';

export type Report = {
  created: Array<{ kind: string; name: string }>;
  updated: unknown[];
  unchanged: Array<{ kind: string; name: string }>;
  conflicts: Array<{ kind: string; name: string; reason: string }>;
  skipped: unknown[];
  sample: { records: number; failed: number; byEntity: Record<string, number>; problems: unknown[] };
};

/** POST /api/packs/:name/install as the administrator; fails the test unless it answers 200. */
export async function installPack(s: AppServer, name: string, body: Record<string, unknown> = {}): Promise<Report> {
  const res = await s.call('POST', `/api/packs/${name}/install`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Report;
}

export type Person = {
  id: string;
  email: string;
  /** A request with this person's API token. */
  as: (method: string, path: string, body?: unknown) => Promise<JsonResponse>;
};

/** A user holding `roles`, signed in, with an API token for records. */
export async function personWith(s: AppServer, email: string, roles: string[]): Promise<Person> {
  const who = { email, password: `password of ${email}` };
  const user = await createUser(s, { ...who, roles });
  const { token } = await makeToken(s, await signInAs(s, who), ['records:read', 'records:write']);
  return { id: user.id, email, as: (method, path, body) => s.call(method, path, body, { authorization: `Bearer ${token}` }) };
}

/** Creates a record as `who` and returns it; fails with the server's problem otherwise. */
export async function createAs(who: Person, entity: string, body: Record<string, unknown>): Promise<ApiRecord> {
  const res = await who.as('POST', `/api/entities/${entity}/records`, body);
  expect(res.status, `${entity}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body as ApiRecord;
}

/** PATCHes a record as `who` and returns the response. */
export const patchAs = (who: Person, entity: string, id: string, body: Record<string, unknown>) => who.as('PATCH', `/api/entities/${entity}/records/${id}`, body);

/** The ids of the records of `entity` that `who` can list (every page). */
export async function visibleIds(who: Person, entity: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res: JsonResponse = await who.as('GET', `/api/entities/${entity}/records?limit=200&fields=_id${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...(res.body.data as Array<{ _id: string }>).map((r) => r._id));
    cursor = res.body.nextCursor;
  } while (cursor);
  return ids;
}

/** Polls a record (as the administrator) until `done` holds for it. */
export function recordWhen(s: AppServer, entity: string, id: string, done: (r: ApiRecord) => boolean, timeoutMs = 15_000): Promise<ApiRecord> {
  return waitFor(async () => {
    const res = await s.call('GET', `/api/entities/${entity}/records/${id}`);
    return res.status === 200 && done(res.body as ApiRecord) ? (res.body as ApiRecord) : null;
  }, timeoutMs);
}
