/**
 * Loading the records that relation fields point at, a level at a time with one `$in` query per
 * target entity: for expand=, for formulas that read parents, and for relation integrity.
 */
import { ObjectId, type Db, type Document } from 'mongodb';
import type { CompiledEntity, MetadataRegistry } from '../metadata/index.ts';

export type ReadContext = { db: Db; registry: MetadataRegistry };

/** Loaded parents, keyed `${entity}:${hexId}`. */
export type ParentCache = Map<string, Document>;

export const parentKey = (entity: string, id: ObjectId): string => `${entity}:${id.toHexString()}`;

/** Follows each path of relation field names (e.g. ['account', 'owner']) from `docs`. */
export async function loadParents(ctx: ReadContext, entity: CompiledEntity, docs: Document[], paths: string[][], cache: ParentCache = new Map()): Promise<ParentCache> {
  const byHead = new Map<string, string[][]>();
  for (const [head, ...rest] of paths) {
    if (!head) continue;
    const tails = byHead.get(head) ?? [];
    if (rest.length) tails.push(rest);
    byHead.set(head, tails);
  }
  for (const [fieldName, tails] of byHead) {
    const field = entity.fields.get(fieldName);
    if (field?.type !== 'relation') continue;
    const target = ctx.registry.get(field.target);
    if (!target) continue;
    const ids = docs.map((d) => d[fieldName]).filter((v): v is ObjectId => v instanceof ObjectId);
    const parents = await fetchByIds(ctx.db, target, ids, cache);
    if (tails.length && parents.length) await loadParents(ctx, target, parents, tails, cache);
  }
  return cache;
}

async function fetchByIds(db: Db, target: CompiledEntity, ids: ObjectId[], cache: ParentCache): Promise<Document[]> {
  const missing = [...new Map(ids.map((id) => [id.toHexString(), id])).values()].filter((id) => !cache.has(parentKey(target.name, id)));
  if (missing.length) {
    const found = await db.collection(target.collection).find({ _id: { $in: missing } }, { projection: { _search: 0, _outbox: 0 } }).toArray();
    for (const doc of found) cache.set(parentKey(target.name, doc._id as ObjectId), doc);
  }
  return ids.map((id) => cache.get(parentKey(target.name, id))).filter((d): d is Document => d !== undefined);
}

/** Ids among `ids` with no record in `target` (within `scope`, a filter, when given). */
export async function missingIds(db: Db, target: CompiledEntity, ids: ObjectId[], scope: Document | null = null): Promise<ObjectId[]> {
  if (!ids.length) return [];
  const byId = { _id: { $in: ids } };
  const found = await db.collection(target.collection).find(scope ? { $and: [byId, scope] } : byId, { projection: { _id: 1 } }).toArray();
  const present = new Set(found.map((d) => (d._id as ObjectId).toHexString()));
  return ids.filter((id) => !present.has(id.toHexString()));
}
