/**
 * A record's title from its entity's title template (issue 7), computed in step 4 of the write
 * pipeline and stored as `_title`, so lists, links, search and relations read it like any other
 * value. The template sees the record and, one level down, the records its relations point at.
 * A title is part of the record: anyone who can read the record reads its title, as with a
 * formula. A title that cannot be rendered never stops a save: the record keeps no `_title`, and
 * its title field (or id) stands in.
 *
 * When a title template changes, `retitle` renders the titles of the entity's existing records
 * again, without touching their version: a title is derived, never a user's change.
 */
import { ObjectId, type AnyBulkWriteOperation, type Document } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import { computeSearch, type WriteContext } from './computed-values.ts';
import { loadParents, parentKey, type ParentCache, type ReadContext } from './parents.ts';
import { toApiRecord } from './record-view.ts';

/** Renders a title from the merge fields `{ record }`; null when there is nothing to show. */
export type TitleRender = (record: Record<string, unknown>) => Promise<string | null>;

/** The title templates in force (the templates capability): null for an entity without one. */
export type RecordTitles = { renderFor(entity: string): Promise<TitleRender | null> };

const RETITLE_BATCH = 200;

/** The record as its title template reads it: API values, relations expanded one level. */
function mergeRecord(ctx: ReadContext, entity: CompiledEntity, doc: Document, parents: ParentCache): Record<string, unknown> {
  const record: Record<string, unknown> = toApiRecord(entity, doc);
  for (const field of entity.relations) {
    const target = ctx.registry.get(field.target);
    const id = doc[field.name];
    const parent = target && id instanceof ObjectId ? parents.get(parentKey(target.name, id)) : undefined;
    if (target && parent) record[field.name] = toApiRecord(target, parent);
  }
  return record;
}

async function titleOf(ctx: ReadContext, entity: CompiledEntity, doc: Document, render: TitleRender, parents?: ParentCache): Promise<string | null> {
  const loaded = parents ?? (entity.relations.length ? await loadParents(ctx, entity, [doc], entity.relations.map((f) => [f.name])) : new Map());
  return render(mergeRecord(ctx, entity, doc, loaded));
}

/** Sets or clears `doc._title` (call before `computeSearch`, which reads it). */
export async function computeTitle(ctx: WriteContext, entity: CompiledEntity, doc: Document): Promise<void> {
  const render = ctx.titles ? await ctx.titles.renderFor(entity.name) : null;
  const title = render ? await titleOf(ctx, entity, doc, render) : null;
  if (title) doc._title = title;
  else delete doc._title;
}

/**
 * Renders every title of `entity` again (its title template was saved, changed entity or was
 * deleted), with the search words that include it. A record changed meanwhile keeps the title its
 * own save computed. Returns how many records changed.
 */
export async function retitle(ctx: WriteContext, entity: CompiledEntity): Promise<number> {
  const render = ctx.titles ? await ctx.titles.renderFor(entity.name) : null;
  const collection = ctx.db.collection(entity.collection);
  let after: ObjectId | undefined;
  let changed = 0;
  for (;;) {
    const docs = await collection.find(after ? { _id: { $gt: after } } : {}, { projection: { _outbox: 0 } }).sort({ _id: 1 }).limit(RETITLE_BATCH).toArray();
    if (!docs.length) return changed;
    after = docs.at(-1)!._id as ObjectId;
    const parents = render && entity.relations.length ? await loadParents(ctx, entity, docs, entity.relations.map((f) => [f.name])) : new Map();
    const ops: AnyBulkWriteOperation[] = [];
    for (const doc of docs) {
      const next = { ...doc };
      const title = render ? await titleOf(ctx, entity, doc, render, parents) : null;
      if (title) next._title = title;
      else delete next._title;
      computeSearch(entity, next);
      if (next._title === doc._title && sameWords(next._search, doc._search)) continue;
      const set: Document = { ...(next._title ? { _title: next._title } : {}), ...(next._search ? { _search: next._search } : {}) };
      const unset: Document = { ...(next._title ? {} : { _title: '' }), ...(next._search ? {} : { _search: '' }) };
      ops.push({ updateOne: { filter: { _id: doc._id, _version: doc._version }, update: { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) } } });
    }
    if (ops.length) changed += (await collection.bulkWrite(ops, { ordered: false })).modifiedCount;
  }
}

function sameWords(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((w, i) => w === b[i]) : a === b;
}
