/**
 * A record's title as a person reads it: what its entity's title template gave (issue 7), else its
 * entity's title field (a full name's display form), else its id. Titles of records looked up by id go through the records list, so a reader gets
 * titles only of records in their read scope and only from a title field they may see.
 */
import type { CompiledEntity } from '../metadata/index.ts';
import { createRecordsQuery, readAccess, visibleNames, type ApiRecord, type ReadContext } from '../records/index.ts';
import type { Actor } from '../shared/actor.ts';

const MAX_LOOKUP = 200;

export function titleOf(entity: CompiledEntity, record: ApiRecord): string {
  if (typeof record._title === 'string' && record._title) return record._title;
  const name = entity.definition.titleField;
  const value = name ? record[name] : undefined;
  const shown = value && typeof value === 'object' ? (value as { display?: unknown }).display : value;
  return shown === undefined || shown === null || shown === '' ? String(record._id) : String(shown);
}

/** id → title of those of `ids` the actor may read (at most 200). */
export async function titlesOf(ctx: ReadContext, input: { entity: CompiledEntity; actor: Actor; ids: string[] }): Promise<Map<string, string>> {
  const { entity, actor } = input;
  const ids = [...new Set(input.ids)].filter((id) => /^[0-9a-f]{24}$/.test(id)).slice(0, MAX_LOOKUP);
  if (!ids.length || !actor.permissions(entity.name).operations.read) return new Map();
  const title = entity.definition.titleField;
  const a = readAccess(entity, actor);
  const fields = title && (visibleNames(a.entity, a.perms)?.has(title) ?? true) ? title : undefined;
  const page = await createRecordsQuery(ctx).list(a, { filter: { field: '_id', op: 'in', value: ids }, limit: ids.length, ...(fields ? { fields } : {}) });
  return new Map(page.data.map((r) => [String(r._id), titleOf(entity, r)]));
}
