/** Helpers for HTTP tests of the metadata and records APIs: define entities, write records, check problems. */
import { expect } from 'vitest';
import type { Document } from 'mongodb';
import type { AppServer, JsonResponse } from './app-server.ts';

export type ApiRecord = Record<string, unknown> & { _id: string; _version: number };

/** POST /api/metadata/entities; fails the test with the server's problem if it is refused. */
export async function defineEntity(server: AppServer, definition: Record<string, unknown>): Promise<void> {
  const res = await server.call('POST', '/api/metadata/entities', definition);
  if (res.status !== 201) throw new Error(`defining ${String(definition.name)} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** POST /api/metadata/entities/:entity/fields. */
export async function addField(server: AppServer, entity: string, field: Record<string, unknown>): Promise<void> {
  const res = await server.call('POST', `/api/metadata/entities/${entity}/fields`, field);
  if (res.status !== 201) throw new Error(`adding ${entity}.${String(field.name)} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** POST a record and return it; fails with the server's problem if it is not created. */
export async function createRecord(server: AppServer, entity: string, body: Record<string, unknown>): Promise<ApiRecord> {
  const res = await server.call<ApiRecord>('POST', `/api/entities/${entity}/records`, body);
  if (res.status !== 201) throw new Error(`creating a ${entity} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getRecord(server: AppServer, entity: string, id: string, query = ''): Promise<ApiRecord> {
  const res = await server.call<ApiRecord>('GET', `/api/entities/${entity}/records/${id}${query}`);
  if (res.status !== 200) throw new Error(`reading ${entity} ${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export type ProblemBody = { type: string; title: string; status: number; detail?: string; errors?: Array<{ pointer: string; detail: string }> };

/**
 * Asserts a problem+json response with `status`; when `pointers` are given, each must be among
 * the response's error pointers. Returns the problem for further checks.
 */
export function expectProblem(res: JsonResponse, status: number, pointers: string[] = []): ProblemBody {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.body as ProblemBody;
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  if (pointers.length) expect((body.errors ?? []).map((e) => e.pointer)).toEqual(expect.arrayContaining(pointers));
  return body;
}

/**
 * The stored documents of an entity, in _id order: compare before and after to prove nothing was
 * written. `_outbox` is left out: the dispatcher empties it in the background after earlier writes.
 */
export function storedRecords(server: AppServer, entity: string): Promise<Document[]> {
  return collection(server, `rec_${entity}`).find({}, { projection: { _outbox: 0 } }).sort({ _id: 1 }).toArray();
}

export function collection(server: AppServer, name: string) {
  return server.engine.client.db('rapport').collection(name);
}

/** Waits until the outbox dispatcher has moved every pending event out of these entities' records. */
export async function settled(server: AppServer, entities: string[]): Promise<void> {
  await waitFor(async () => {
    for (const entity of entities) {
      if (await collection(server, `rec_${entity}`).countDocuments({ '_outbox.0': { $exists: true } })) return false;
    }
    // Records created many at a time keep their events in a batch document until delivered (audit/outbox-batches.ts).
    return (await collection(server, 'outbox_batches').countDocuments()) === 0;
  });
}

/** Polls `probe` until it returns a truthy value, at most `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `?a=1&b=2` with every value URL-encoded. */
export function qs(params: Record<string, string>): string {
  return `?${new URLSearchParams(params).toString()}`;
}
