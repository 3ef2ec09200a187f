/**
 * Runs a find over one collection: picks candidates through an index when one helps, applies
 * the full filter with mingo, then sort, skip, limit and projection.
 */
import { Query } from './mingo.ts';
import { cloneDeep } from 'mingo/util';
import { ID_INDEX, type CollectionStore, type Doc } from './collection-store.ts';
import { compareBson, idKeyOf, isPlainObject, valuesAtPath } from './bson-values.ts';
import { asEngineError } from './engine-errors.ts';
import { planQuery, type QueryPlan } from './query-planner.ts';
import { splitFastFilter } from './fast-match.ts';

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

/** ICU locale ids use '_' (en_US); Intl wants '-' (en-US). */
function intlLocale(collation: Doc): string {
  return String(collation.locale).replace(/_/g, '-');
}

export function queryOptions(spec: Pick<FindSpec, 'collation' | 'variables'>) {
  return {
    ...(spec.collation && spec.collation.locale !== 'simple' ? { collation: { ...spec.collation, locale: intlLocale(spec.collation) } as never } : {}),
    ...(spec.variables ? { variables: spec.variables } : {}),
  };
}

export type Matcher = { test(doc: Doc): boolean };

function compileFilter(filter: Doc | undefined, spec: Pick<FindSpec, 'collation' | 'variables'> = {}): Matcher {
  const fold = collationFold(spec.collation);
  try {
    if (!fold) {
      return withFastPath(filter ?? {}, (part) => {
        try {
          return new Query(part, queryOptions(spec));
        } catch (err) {
          throw asEngineError(err);
        }
      });
    }
    const query = new Query(foldStrings(filter ?? {}, fold) as Doc, queryOptions(spec));
    return { test: (doc) => query.test(foldStrings(doc, fold) as Doc) };
  } catch (err) {
    throw asEngineError(err);
  }
}

/**
 * The fast matcher decides the documents it can; mingo the rest (and every filter it cannot
 * compile). When the fast matcher knows only some top-level conditions, a candidate that passes
 * them is checked by mingo against the others alone. mingo's query of the whole filter is built
 * only when first needed: building it costs more than a fast-path find of one record.
 */
function withFastPath(filter: Doc, mingo: (filter: Doc) => Matcher): Matcher {
  const split = splitFastFilter(filter);
  if (!split) return mingo(filter);
  const { fast, rest } = split;
  // Compiling the rest up front keeps a bad operator in it an error of the command, as it was.
  const others = rest ? mingo(rest) : undefined;
  let whole: Matcher | undefined;
  return {
    test(doc) {
      const verdict = fast(doc);
      if (verdict === false) return false;
      if (verdict === undefined) return (whole ??= mingo(filter)).test(doc);
      return others ? others.test(doc) : true;
    },
  };
}

/**
 * mingo honours collation only when sorting; for matching, a case-insensitive (strength 2) or
 * also accent-insensitive (strength 1) collation compares strings folded to one form.
 */
function collationFold(collation: Doc | undefined): ((s: string) => string) | undefined {
  if (!collation || collation.locale === 'simple') return undefined;
  const strength = Number(collation.strength ?? 3);
  const locale = intlLocale(collation);
  if (strength >= 3) return undefined;
  if (strength === 2) return (s) => s.toLocaleLowerCase(locale);
  return (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase(locale);
}

function foldStrings(value: unknown, fold: (s: string) => string): unknown {
  if (typeof value === 'string') return fold(value);
  if (Array.isArray(value)) return value.map((v) => foldStrings(v, fold));
  if (!isPlainObject(value)) return value;
  const out: Doc = {};
  for (const [k, v] of Object.entries(value)) out[k] = foldStrings(v, fold);
  return out;
}

/** Documents matching the filter, narrowed by an index where possible (unsorted, unlimited). */
export function* matching(store: CollectionStore, spec: FindSpec): Generator<Doc> {
  const plan = spec.collation ? undefined : planQuery(store.indexes.values(), spec.filter ?? {}, undefined);
  const query = filterFor(plan, spec);
  for (const doc of candidates(store, plan)) if (query.test(doc)) yield doc;
}

const MATCH_ALL: Matcher = { test: () => true };

/** No filter to run when the index ranges already are the whole filter. */
function filterFor(plan: QueryPlan | undefined, spec: FindSpec): Matcher {
  return plan?.exact ? MATCH_ALL : compileFilter(spec.filter, spec);
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
  if (plan.index.spec.name === ID_INDEX.name && plan.ranges.every((r) => r.low === r.high && r.low !== undefined)) {
    yield* byId(store, plan, stats);
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

/** _id equality goes straight to the document map; ids are unique, so no duplicates to drop. */
function* byId(store: CollectionStore, plan: QueryPlan, stats?: FindStats): Generator<Doc> {
  const ids = new Set(plan.ranges.map((r) => idKeyOf(r.low)));
  const ordered = [...ids].map((id) => store.get(id)).filter((d): d is Doc => d !== undefined);
  if (plan.providesSort) ordered.sort((a, b) => compareBson(a._id, b._id) * (plan.descending ? -1 : 1));
  for (const doc of ordered) {
    if (stats) stats.docsExamined++;
    yield doc;
  }
}

export function runFind(store: CollectionStore | undefined, spec: FindSpec, stats?: FindStats): Doc[] {
  if (!store) return [];
  try {
    const sort = spec.sort && Object.keys(spec.sort).length ? spec.sort : undefined;
    const plan = spec.collation ? undefined : planQuery(store.indexes.values(), spec.filter ?? {}, sort);
    const query = filterFor(plan, spec);
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
      return project(out, spec);
    }
    const matched: Doc[] = [];
    for (const doc of candidates(store, plan, stats)) if (query.test(doc)) matched.push(doc);
    if (!spec.collation && isPlainSort(sort)) {
      const sorted = sortDocs(matched, sort);
      return project(sorted.slice(skip, Number.isFinite(limit) ? skip + limit : undefined), spec);
    }
    let cursor = new Query({}, queryOptions(spec)).find<Doc>(matched).sort(sort as never).skip(skip);
    if (Number.isFinite(limit)) cursor = cursor.limit(limit);
    return project(cursor.all(), spec);
  } catch (err) {
    throw asEngineError(err);
  }
}

const isPlainSort = (sort: Record<string, unknown>): sort is Record<string, 1 | -1> => Object.values(sort).every((d) => d === 1 || d === -1);

/**
 * An in-memory sort with the index's own key order (compareBson over valuesAtPath: an array sorts
 * by its smallest element ascending, its largest descending): the same order an index scan gives,
 * and much cheaper than mingo's hashing $sort when a filter's index does not provide the order.
 */
export function sortDocs(docs: Doc[], sort: Record<string, 1 | -1>): Doc[] {
  const keys = Object.entries(sort);
  const decorated = docs.map((doc) => ({ doc, k: keys.map(([path, dir]) => sortKey(doc, path, dir)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareBson(a.k[i], b.k[i]) * keys[i]![1];
      if (c !== 0) return c;
    }
    return 0;
  });
  return decorated.map((d) => d.doc);
}

function sortKey(doc: Doc, path: string, dir: 1 | -1): unknown {
  const values = valuesAtPath(doc, path);
  let best = values[0];
  for (let i = 1; i < values.length; i++) if (compareBson(values[i], best) * dir < 0) best = values[i];
  return best;
}

/** Projection goes through the filter's query so positional projections (`a.$`) see the match. */
function project(docs: Doc[], spec: FindSpec): Doc[] {
  if (!spec.projection || Object.keys(spec.projection).length === 0) return docs;
  const plain = plainProjection(spec.projection);
  if (plain) return docs.map(plain);
  // Only a positional projection needs the filter; running it again costs a full match per
  // document (an `_id: {$in: [...]}` filter made that quadratic).
  const positional = Object.keys(spec.projection).some((k) => k.endsWith('.$'));
  // mingo removes an excluded nested field from the document it is given (`'a.b': 0` or
  // `{a: {b: 0}}`): those are the stored documents themselves, so they are copied first, or the
  // find would delete data.
  const input = docs.map((d) => cloneDeep(d) as Doc);
  return new Query(positional ? (spec.filter ?? {}) : {}, queryOptions(spec)).find<Doc>(input, spec.projection as never).all();
}

/**
 * A projection of top-level fields only, each 0/1 or false/true (`{_search: 0, _outbox: 0}`, as
 * the records API reads): a shallow copy that leaves out (or keeps) those fields, in document
 * order, `_id` kept unless excluded. Everything else goes to mingo, which clones deeply.
 */
function plainProjection(projection: Record<string, unknown>): ((doc: Doc) => Doc) | undefined {
  const entries = Object.entries(projection);
  if (!entries.every(([k, v]) => !k.includes('.') && !k.startsWith('$') && (v === 0 || v === 1 || v === true || v === false))) return undefined;
  const include = entries.filter(([k, v]) => k !== '_id' && (v === 1 || v === true)).map(([k]) => k);
  const exclude = new Set(entries.filter(([, v]) => v === 0 || v === false).map(([k]) => k));
  if (include.length) {
    // Inclusion: only _id may be excluded alongside.
    if ([...exclude].some((k) => k !== '_id')) return undefined;
    const keep = new Set([...include, ...(exclude.has('_id') ? [] : ['_id'])]);
    return (doc) => {
      const out: Doc = {};
      for (const key of Object.keys(doc)) if (keep.has(key)) out[key] = doc[key];
      return out;
    };
  }
  if (!exclude.size) {
    // Only {_id: 1}: the _id alone.
    return (doc) => ('_id' in doc ? { _id: doc._id } : {});
  }
  return (doc) => {
    const out: Doc = {};
    for (const key of Object.keys(doc)) if (!exclude.has(key)) out[key] = doc[key];
    return out;
  };
}
