/**
 * A record's title from its entity's title template (issue 7), computed in step 4 of the write
 * pipeline and stored as `_title`, so lists, links, search and relations read it like any other
 * value. The template sees the record and, one level down, the records its relations point at.
 * With the title the record keeps the fields it read (`_titleUses`: a reader who cannot see one
 * of them is not shown it, see title-access.ts) and which version of the template rendered it
 * (`_titleKey`). A title that cannot be rendered never stops a save.
 *
 * When a title template changes, `retitle` renders the titles of the entity's existing records
 * again, without touching their version: a title is derived, never a user's change.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectId, type AnyBulkWriteOperation, type Document } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import { computeSearch, type WriteContext } from './computed-values.ts';
import { loadParents, parentKey, type ParentCache, type ReadContext } from './parents.ts';
import { toApiRecord } from './record-view.ts';

/**
 * A title template in force: `key` names this version of its source, `uses` the fields it reads
 * (see server/records/title-access.ts); `render` gives the title from the merge fields
 * `{ record }`, null when there is nothing to show, and throws when it cannot be rendered.
 */
export type TitleTemplate = { key: string; uses: string[]; render(record: Record<string, unknown>): Promise<string | null> };

/**
 * The title templates in force (the templates capability): null for an entity without one; each
 * instance sees a change within `cacheMs`. `cachedFor` answers without waiting when it can
 * (undefined when the templates must be read first).
 */
export type RecordTitles = { renderFor(entity: string): Promise<TitleTemplate | null>; cachedFor?(entity: string): TitleTemplate | null | undefined; cacheMs: number };

/** Internal fields that hold a title: the text, the fields it read, the template version that rendered it. */
const TITLE_FIELDS = ['_title', '_titleUses', '_titleKey'] as const;
const RETITLE_BATCH = 200;
/** Passes after the first, each once caches have turned over and renders under way have ended. */
const FOLLOW_UPS = 3;
const RENDER_GRACE_MS = 1_500;
/** Failures, outnumbering successes, after which a retitle gives up (the renderer is down, or the template fails on most records). */
const GIVE_UP = 20;

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

async function titleOf(ctx: ReadContext, entity: CompiledEntity, doc: Document, template: TitleTemplate, parents?: ParentCache): Promise<string | null> {
  const loaded = parents ?? (entity.relations.length ? await loadParents(ctx, entity, [doc], entity.relations.map((f) => [f.name])) : new Map());
  return template.render(mergeRecord(ctx, entity, doc, loaded));
}

/** `doc`'s title fields as `template` gives them (none without a template). */
function setTitle(doc: Document, template: TitleTemplate | null, title: string | null): void {
  for (const name of TITLE_FIELDS) delete doc[name];
  if (!template) return;
  if (title) Object.assign(doc, { _title: title, _titleUses: template.uses });
  doc._titleKey = template.key;
}

/**
 * Sets `doc`'s title (call before `computeSearch`, which reads it). A title that cannot be
 * rendered never stops a save: the record keeps the title it had (`before`'s), marked for the
 * next retitle, unless this save changed a field that title was made from: then it has none.
 * A promise only when there is something to wait for (a template to read or render): an import
 * calls this for every row.
 */
export function computeTitle(ctx: WriteContext, entity: CompiledEntity, doc: Document, before?: Document): Promise<void> | undefined {
  const cached = ctx.titles ? ctx.titles.cachedFor?.(entity.name) : null;
  if (!ctx.titles || cached === null) {
    setTitle(doc, null, null);
    return undefined;
  }
  return renderTitle(ctx, ctx.titles, entity, doc, cached, before);
}

async function renderTitle(ctx: WriteContext, titles: RecordTitles, entity: CompiledEntity, doc: Document, cached: TitleTemplate | undefined, before?: Document): Promise<void> {
  try {
    const template = cached ?? (await titles.renderFor(entity.name));
    setTitle(doc, template, template ? await titleOf(ctx, entity, doc, template) : null);
  } catch {
    const uses = Array.isArray(doc._titleUses) ? (doc._titleUses as string[]) : ['*'];
    const changed = !before || uses.some((use) => use === '*' || JSON.stringify(doc[use.split('.')[0]!]) !== JSON.stringify(before[use.split('.')[0]!]));
    if (changed) setTitle(doc, null, null);
    delete doc._titleKey;
  }
}

/** A retitle of an entity stops when a newer one starts. */
const generations = new WeakMap<WriteContext, Map<string, number>>();

/**
 * Renders the titles of `entity` again (its title template was saved, changed entity or was
 * deleted; fields were added, removed or renamed), with the search words that include them,
 * without touching versions: a title is derived, never a user's change. `first` is done when
 * every record was rendered again; `all` after FOLLOW_UPS more passes, each once every instance's
 * template cache has turned over, over the records a save titled with another template version
 * meanwhile. A record that cannot be rendered keeps its title and is not tried again; once GIVE_UP
 * failures outnumber the successes the retitle stops with that error. A newer retitle of the
 * entity, or `cancelRetitles`, stops this one. Each resolves to how many records changed.
 */
export function retitle(ctx: WriteContext, entity: CompiledEntity): { first: Promise<number>; all: Promise<number> } {
  const mine = nextGeneration(ctx, entity.name);
  const current = () => generations.get(ctx)?.get(entity.name) === mine;
  const failed = new Set<string>();
  const first = sweep(ctx, entity, { current, all: true, failed });
  const all = first.then(async (changed) => {
    for (let pass = 0; pass < FOLLOW_UPS && ctx.titles; pass++) {
      // A save that read the old template just before its cache turned over may still be rendering.
      const waited = await sleep(ctx.titles.cacheMs + RENDER_GRACE_MS, true, { ref: false, signal: stopSignal(ctx) }).catch(() => false);
      if (!waited || !current()) break;
      changed += await sweep(ctx, entity, { current, all: false, failed });
    }
    return changed;
  });
  return { first, all };
}

/** Stops every retitle running on `ctx` at its next batch (the server is stopping). */
export function cancelRetitles(ctx: WriteContext): void {
  generations.delete(ctx);
  stops.get(ctx)?.abort();
  stops.delete(ctx);
}

const stops = new WeakMap<WriteContext, AbortController>();
function stopSignal(ctx: WriteContext): AbortSignal {
  const controller = stops.get(ctx) ?? new AbortController();
  stops.set(ctx, controller);
  return controller.signal;
}

function nextGeneration(ctx: WriteContext, entity: string): number {
  const byEntity = generations.get(ctx) ?? new Map<string, number>();
  generations.set(ctx, byEntity);
  const next = (byEntity.get(entity) ?? 0) + 1;
  byEntity.set(entity, next);
  return next;
}

/** One pass: every record (`all`), or those another template version titled; records that failed to render in an earlier pass are not tried again. */
async function sweep(ctx: WriteContext, entity: CompiledEntity, pass: { current: () => boolean; all: boolean; failed: Set<string> }): Promise<number> {
  const { current, all, failed } = pass;
  const template = ctx.titles ? await ctx.titles.renderFor(entity.name) : null;
  const collection = ctx.db.collection(entity.collection);
  const stale: Document = !template ? { $or: TITLE_FIELDS.map((name) => ({ [name]: { $exists: true } })) } : all ? {} : { _titleKey: { $ne: template.key } };
  let after: ObjectId | undefined;
  let changed = 0;
  let failures = 0;
  let successes = 0;
  while (current()) {
    const docs = await collection.find(after ? { $and: [stale, { _id: { $gt: after } }] } : stale, { projection: { _outbox: 0 } }).sort({ _id: 1 }).limit(RETITLE_BATCH).toArray();
    if (!docs.length) break;
    after = docs.at(-1)!._id as ObjectId;
    const parents = template && entity.relations.length ? await loadParents(ctx, entity, docs, entity.relations.map((f) => [f.name])) : new Map();
    const ops: AnyBulkWriteOperation[] = [];
    for (const doc of docs) {
      if (!current()) break;
      if (failed.has(String(doc._id))) continue;
      const next = { ...doc };
      try {
        setTitle(next, template, template ? await titleOf(ctx, entity, doc, template, parents) : null);
        successes++;
      } catch (err) {
        failed.add(String(doc._id));
        if (++failures >= GIVE_UP && failures > successes) throw err;
        continue;
      }
      computeSearch(entity, next);
      const update = titleUpdate(doc, next);
      if (Object.keys(update).length) ops.push({ updateOne: { filter: { _id: doc._id, _version: doc._version, _titleKey: doc._titleKey ?? { $exists: false } }, update } });
    }
    if (ops.length && current()) changed += (await collection.bulkWrite(ops, { ordered: false })).modifiedCount;
  }
  return changed;
}

/** The $set/$unset that turns `doc`'s title fields and search words into `next`'s. */
export function titleUpdate(doc: Document, next: Document): Document {
  const $set: Document = {};
  const $unset: Document = {};
  for (const name of [...TITLE_FIELDS, '_search']) {
    if (next[name] === undefined) {
      if (doc[name] !== undefined) $unset[name] = '';
    } else if (name === '_search' || name === '_titleUses' ? !sameWords(next[name], doc[name]) : next[name] !== doc[name]) $set[name] = next[name];
  }
  return { ...(Object.keys($set).length ? { $set } : {}), ...(Object.keys($unset).length ? { $unset } : {}) };
}

function sameWords(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((w, i) => w === b[i]) : a === b;
}
