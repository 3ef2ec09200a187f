/**
 * Bulk create / update / delete: each item goes through the same pipeline as a single write and
 * gets its own result (status, and the record or the problem), so one bad row never hides or
 * blocks the others.
 */
import { Problem, sharedProblems } from '../shared/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { recordProblems } from './records.problems.ts';
import type { RecordsService } from './records.service.ts';

export const MAX_BULK = 500;

type ItemResult = { index: number; status: number; record?: unknown; id?: string; problem?: { type: string; title: string; detail?: string; errors?: unknown } };

function items(body: unknown, key: 'records' | 'ids'): unknown[] {
  const list = (body as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_BULK) {
    throw recordProblems.validationFailed.create({ detail: `${key} must be an array of 1 to ${MAX_BULK} items`, errors: [{ pointer: `/${key}`, detail: `must be an array of 1 to ${MAX_BULK} items` }] });
  }
  return list;
}

async function each(list: unknown[], ok: number, run: (item: unknown, index: number) => Promise<unknown>) {
  const results: ItemResult[] = [];
  for (const [index, item] of list.entries()) {
    try {
      const record = await run(item, index);
      results.push({ index, status: ok, ...(record === undefined ? {} : { record }) });
    } catch (err) {
      // An unexpected failure is this item's too: the items before it are written, so the caller needs every result.
      const problem = err instanceof Problem ? err : sharedProblems.internal.create();
      results.push({ index, status: problem.status, problem: { type: problem.type, title: problem.title, detail: problem.detail, ...(problem.errors ? { errors: problem.errors } : {}) } });
    }
  }
  const failed = results.filter((r) => r.status >= 400).length;
  return { succeeded: results.length - failed, failed, results };
}

export function createBulk(records: RecordsService) {
  const req = (actor: Actor, index: number, key: string) => ({ actor, channel: 'api' as const, pointerBase: `/${key}/${index}` });
  // An unknown entity, or one the actor may not write this way, is the request's problem, not each item's: 404 or 403 before any item runs.
  const listOf = (entity: string, body: unknown, key: 'records' | 'ids', actor: Actor, op: 'create' | 'update' | 'delete') => (records.access(entity, actor, op), items(body, key));
  return {
    /** The batch is written with one insertMany after each record went through the pipeline (records.createMany). */
    async create(entity: string, body: unknown, actor: Actor) {
      const list = listOf(entity, body, 'records', actor, 'create');
      const written = await records.createMany(entity, list, (i) => req(actor, i, 'records')).catch(() => list.map(() => ({ error: sharedProblems.internal.create() })));
      return each(written, 201, async (item) => {
        const result = item as (typeof written)[number];
        if ('error' in result) throw result.error;
        return result.record;
      });
    },
    update: (entity: string, body: unknown, actor: Actor) =>
      each(listOf(entity, body, 'records', actor, 'update'), 200, (item, i) => {
        const { _id, _version, ...changes } = (item ?? {}) as Record<string, unknown>;
        if (typeof _id !== 'string') throw recordProblems.validationFailed.create({ detail: 'Each item needs its _id', errors: [{ pointer: `/records/${i}/_id`, detail: 'is required' }] });
        const expectedVersion = typeof _version === 'number' ? _version : undefined;
        return records.update(entity, { ...req(actor, i, 'records'), id: _id, body: changes, expectedVersion });
      }),
    remove: (entity: string, body: unknown, actor: Actor) =>
      each(listOf(entity, body, 'ids', actor, 'delete'), 204, async (id, i) => {
        if (typeof id !== 'string') throw recordProblems.validationFailed.create({ detail: 'ids are strings', errors: [{ pointer: `/ids/${i}`, detail: 'must be a record id' }] });
        await records.remove(entity, { ...req(actor, i, 'ids'), id });
        return undefined;
      }),
  };
}
