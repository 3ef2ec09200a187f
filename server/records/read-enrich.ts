/**
 * What a read adds to stored documents: rollups (computed now, so never stale), formulas that
 * read parent records (recomputed, so a renamed account shows on its deals at once) and expand=
 * (related records inlined, two levels deep).
 */
import type { Document, ObjectId } from 'mongodb';
import type { Actor } from '../shared/actor.ts';
import { scopeFilter, visibleNames, withScope } from './access.ts';
import type { CompiledEntity, Field } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import { toApiRecord, type ApiRecord } from './record-view.ts';
import { titleReader } from './title-access.ts';
import { loadParents, parentKey, type ParentCache, type ReadContext } from './parents.ts';
import { computeFormulas } from './computed-values.ts';
import { translateFilter } from './query/index.ts';
import { aggregateValue, moneyAccumulators, valuePath } from './aggregate-values.ts';

/** Which fields to return (null: all), which relations to inline, and for whom. */
export type ReadShape = { only: ReadonlySet<string> | null; expand: string[][]; actor: Actor };

/**
 * `expand=account,account.owner` → [['account'], ['account','owner']], each step a relation the
 * actor can see, to an entity they can read.
 */
export function parseExpand(ctx: ReadContext, entity: CompiledEntity, expand: string | undefined, actor: Actor): string[][] {
  if (!expand) return [];
  const paths = expand.split(',').map((p) => p.trim()).filter(Boolean);
  if (paths.length > 10) throw recordProblems.invalidQuery.create({ detail: 'expand takes at most 10 paths', errors: [{ pointer: '/expand', detail: 'at most 10 paths' }] });
  return paths.map((path) => {
    const steps = path.split('.');
    let current: CompiledEntity | undefined = entity;
    if (steps.length > 2) throw invalidExpand(path, 'goes deeper than two levels');
    for (const step of steps) {
      const field: Field | undefined = current?.fields.get(step);
      const visible = current && (visibleNames(current, actor.permissions(current.name))?.has(step) ?? true);
      if (field?.type !== 'relation' || !visible) throw invalidExpand(path, `"${step}" is not a relation field`);
      current = ctx.registry.get(field.target);
      if (current && !actor.permissions(current.name).operations.read) throw invalidExpand(path, `"${step}" leads to records you cannot read`);
    }
    return steps;
  });
}

const invalidExpand = (path: string, detail: string) => recordProblems.invalidQuery.create({ detail: `expand=${path} ${detail}`, errors: [{ pointer: '/expand', detail: `${path} ${detail}` }] });

export async function toApiRecords(ctx: ReadContext, entity: CompiledEntity, docs: Document[], shape: ReadShape): Promise<ApiRecord[]> {
  if (!docs.length) return [];
  const wants = (name: string) => !shape.only || shape.only.has(name);
  const parentFormulas = entity.formulas.filter((f) => f.readsParents && wants(f.field.name));
  const formulaPaths = parentFormulas.flatMap((f) => f.formula.references.filter((r) => r.length > 1).map((r) => r.slice(0, -1)));
  const cache = await loadParents(ctx, entity, docs, [...formulaPaths, ...shape.expand]);
  if (parentFormulas.length) for (const doc of docs) await computeFormulas(ctx, entity, doc, cache);
  const rollups = await computeRollups(ctx, entity, docs, entity.rollups.filter((f) => wants(f.name)));
  const readable = shape.expand.length ? await readableParents(ctx, cache, shape.actor) : new Set<string>();
  const inline: Inline = { ctx, cache, readable, actor: shape.actor };
  const titleFor = titleReader(ctx.registry.get, entity, shape.actor);
  return docs.map((doc) => {
    const record = withTitle(toApiRecord(entity, { ...doc, ...rollups.get(String(doc._id)) }, shape.only), titleFor(doc));
    inlineParents(inline, entity, doc, record, shape.expand);
    return record;
  });
}

/** The title its entity's title template gave (issue 7), for a reader who may see it: comes with the record, like its id. */
function withTitle(record: ApiRecord, title: string | undefined): ApiRecord {
  if (title !== undefined) record._title = title;
  return record;
}

type Inline = { ctx: ReadContext; cache: ParentCache; readable: ReadonlySet<string>; actor: Actor };

/** The keys of the loaded parents the actor may read: expand= never shows a record outside their scope. */
async function readableParents(ctx: ReadContext, cache: ParentCache, actor: Actor): Promise<Set<string>> {
  const byEntity = new Map<string, ObjectId[]>();
  for (const [key, doc] of cache) {
    const name = key.slice(0, key.indexOf(':'));
    byEntity.set(name, [...(byEntity.get(name) ?? []), doc._id as ObjectId]);
  }
  const readable = new Set<string>();
  for (const [name, ids] of byEntity) {
    const target = ctx.registry.get(name);
    const perms = actor.permissions(name);
    if (!target || !perms.operations.read) continue;
    const scope = scopeFilter(target, perms.read);
    const found = scope ? await ctx.db.collection(target.collection).find(withScope({ _id: { $in: ids } }, scope), { projection: { _id: 1 } }).toArray() : ids.map((_id) => ({ _id }));
    for (const doc of found) readable.add(parentKey(name, doc._id as ObjectId));
  }
  return readable;
}

function inlineParents(inline: Inline, entity: CompiledEntity, doc: Document, record: ApiRecord, paths: string[][]): void {
  for (const [head, ...rest] of paths) {
    const field = entity.fields.get(head!);
    if (field?.type !== 'relation') continue;
    const target = inline.ctx.registry.get(field.target);
    const key = target && doc[head!] ? parentKey(target.name, doc[head!] as ObjectId) : '';
    const parentDoc = inline.readable.has(key) ? inline.cache.get(key) : undefined;
    if (!target || !parentDoc) continue;
    const existing = record[head!];
    const parent = existing && typeof existing === 'object' ? (existing as ApiRecord) : withTitle(toApiRecord(target, parentDoc, visibleNames(target, inline.actor.permissions(target.name))), titleReader(inline.ctx.registry.get, target, inline.actor)(parentDoc));
    if (rest.length) inlineParents(inline, target, parentDoc, parent, [rest]);
    record[head!] = parent;
  }
}

type Rollup = CompiledEntity['rollups'][number];
const ACCUMULATORS = { count: '$sum', sum: '$sum', min: '$min', max: '$max', avg: '$avg' } as const;

/**
 * The rollups over one child entity and relation come from one aggregation (a $facet branch per
 * rollup), so they agree with each other: a leave balance's allocated, taken and remaining days
 * are sums over one state of its ledger, even while an entry is being written.
 */
async function computeRollups(ctx: ReadContext, entity: CompiledEntity, docs: Document[], rollups: Rollup[]): Promise<Map<string, Document>> {
  const out = new Map<string, Document>();
  const ids = docs.map((d) => d._id);
  const byChild = new Map<string, Rollup[]>();
  for (const rollup of rollups) {
    if (!ctx.registry.get(rollup.entity)) continue;
    const key = JSON.stringify([rollup.entity, rollup.relationField]);
    byChild.set(key, [...(byChild.get(key) ?? []), rollup]);
  }
  for (const group of byChild.values()) {
    const child = ctx.registry.get(group[0]!.entity)!;
    const branches = Object.fromEntries(group.map((rollup, i) => [`r${i}`, rollupBranch(child, rollup)]));
    const [facets] = await ctx.db
      .collection(child.collection)
      .aggregate([{ $match: { [group[0]!.relationField]: { $in: ids } } }, { $facet: branches }])
      .toArray();
    group.forEach((rollup, i) => {
      const values = new Map(((facets?.[`r${i}`] ?? []) as Document[]).map((g) => [String(g._id), aggregateValue(g, 'v')]));
      for (const doc of docs) {
        const key = String(doc._id);
        const entry = out.get(key) ?? {};
        entry[rollup.name] = values.get(key) ?? (rollup.function === 'count' || rollup.function === 'sum' ? 0 : null);
        out.set(key, entry);
      }
    });
  }
  return out;
}

/** One rollup's branch: its filter, then its accumulator per parent. */
function rollupBranch(child: CompiledEntity, rollup: Rollup): Document[] {
  const summarised = rollup.field ? child.fields.get(rollup.field) : undefined;
  const path = summarised ? valuePath(summarised) : null;
  return [
    ...(rollup.filter ? [{ $match: translateFilter(child.definition, rollup.filter) }] : []),
    { $group: { _id: `$${rollup.relationField}`, v: { [ACCUMULATORS[rollup.function]]: rollup.function === 'count' ? 1 : path }, ...moneyAccumulators(summarised, 'v') } },
  ];
}
