/**
 * Runs a find over one collection: picks candidates through an index when one helps, applies
 * the full filter with mingo, then sort, skip, limit and projection.
 */
import { Query } from 'mingo';
import type { CollectionStore, Doc } from './collection-store.ts';
import { asEngineError } from './engine-errors.ts';
import { planQuery, type QueryPlan } from './query-planner.ts';

export type FindSpec = {
  filter?: Doc;
  sort?: Record<string, number>;
  projection?: Doc;
  skip?: number;
  limit?: number;
  collation?: Doc;
  variables?: Doc;
};

/** Filled in by runFind when given: how the query ran (for explain and for tests). */
export type FindStats = { indexName?: string; docsExamined: number };

export function queryOptions(spec: Pick<FindSpec, 'collation' | 'variables'>) {
  return {
    ...(spec.collation ? { collation: spec.collation as never } : {}),
    ...(spec.variables ? { variables: spec.variables } : {}),
  };
}

export function compileFilter(filter: Doc | undefined, spec: Pick<FindSpec, 'collation' | 'variables'> = {}): Query {
  try {
    return new Query(filter ?? {}, queryOptions(spec));
  } catch (err) {
    throw asEngineError(err);
  }
}

/** Documents matching the filter, narrowed by an index where possible (unsorted, unlimited). */
export function* matching(store: CollectionStore, spec: FindSpec, query = compileFilter(spec.filter, spec)): Generator<Doc> {
  const plan = spec.collation ? undefined : planQuery(store.indexes.values(), spec.filter ?? {}, undefined);
  for (const doc of candidates(store, plan)) if (query.test(doc)) yield doc;
}

function* candidates(store: CollectionStore, plan: QueryPlan | undefined, stats?: FindStats): Generator<Doc> {
  if (stats) stats.indexName = plan?.index.spec.name;
  if (!plan) {
    for (const doc of store.docs.values()) {
      if (stats) stats.docsExamined++;
      yield doc;
    }
    return;
  }
  const seen = plan.ranges.length > 1 || plan.index.multikey ? new Set<string>() : undefined;
  for (const range of plan.ranges) {
    for (const id of plan.index.scan(range, plan.descending)) {
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const doc = store.get(id);
      if (stats) stats.docsExamined++;
      if (doc) yield doc;
    }
  }
}

export function runFind(store: CollectionStore | undefined, spec: FindSpec, stats?: FindStats): Doc[] {
  if (!store) return [];
  try {
    const query = compileFilter(spec.filter, spec);
    const sort = spec.sort && Object.keys(spec.sort).length ? spec.sort : undefined;
    const plan = spec.collation ? undefined : planQuery(store.indexes.values(), spec.filter ?? {}, sort);
    const skip = spec.skip ?? 0;
    const limit = spec.limit && spec.limit > 0 ? spec.limit : Number.POSITIVE_INFINITY;
    if (plan?.providesSort || !sort) {
      const out: Doc[] = [];
      let skipped = 0;
      for (const doc of candidates(store, plan, stats)) {
        if (!query.test(doc)) continue;
        if (skipped++ < skip) continue;
        out.push(doc);
        if (out.length >= limit) break;
      }
      return project(out, spec, query);
    }
    const matched: Doc[] = [];
    for (const doc of candidates(store, plan, stats)) if (query.test(doc)) matched.push(doc);
    let cursor = new Query({}, queryOptions(spec)).find<Doc>(matched).sort(sort as never).skip(skip);
    if (Number.isFinite(limit)) cursor = cursor.limit(limit);
    return project(cursor.all(), spec, query);
  } catch (err) {
    throw asEngineError(err);
  }
}

/** Projection goes through the filter's query so positional projections (`a.$`) see the match. */
function project(docs: Doc[], spec: FindSpec, query: Query): Doc[] {
  if (!spec.projection || Object.keys(spec.projection).length === 0) return docs;
  return query.find<Doc>(docs, spec.projection as never).all();
}
