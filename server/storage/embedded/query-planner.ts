/**
 * Chooses an index for a find: equality, $in and range conditions on an index's leading field,
 * or an index that yields the requested sort order so the scan can stop at the limit.
 * The chosen index narrows the candidates and the full filter runs on them afterwards, unless the
 * plan is `exact`: the index ranges express the whole filter, so every candidate matches.
 */
import { typeRank } from './bson-values.ts';
import type { IndexStore, KeyRange } from './index-store.ts';

export type QueryPlan = {
  index: IndexStore;
  ranges: KeyRange[];
  /** Candidates come out in the order of `sort`, so the caller may stop after skip + limit. */
  providesSort: boolean;
  descending: boolean;
  /** The ranges express the whole filter: every candidate matches, no need to test it. */
  exact: boolean;
};

type Bounds = { ranges: KeyRange[]; score: number; exact: boolean };

const RANGE_OPS = new Set(['$gt', '$gte', '$lt', '$lte']);
const INDEXABLE_RANKS = new Set([3, 4, 8, 9, 10]);
const TYPE_BRACKETS: Record<number, [unknown, unknown]> = {
  3: [-Infinity, Infinity],
  10: [new Date(-8.64e15), new Date(8.64e15)],
};

export function planQuery(
  indexes: Iterable<IndexStore>,
  filter: Record<string, unknown>,
  sort: Record<string, number> | undefined,
): QueryPlan | undefined {
  const sortKeys = sort ? Object.entries(sort) : [];
  const descending = sortKeys[0]?.[1] === -1;
  const conditions = fieldConditions(filter);
  let best: (QueryPlan & { score: number }) | undefined;
  for (const index of indexes) {
    if (!index.queryable && !index.queryableWhenBounded) continue;
    const leading = index.fields[0]!;
    const ordered = orderRelation(index, sortKeys, 0) !== undefined;
    const bounds = Object.hasOwn(conditions, leading) ? boundsFor(conditions[leading]) : undefined;
    // Bounds are scalar values, never null: a document they match has the field, so it is in the index.
    if (!bounds && !index.queryable) continue;
    if (!bounds) {
      if (ordered && !best) {
        const exact = Object.keys(filter).length === 0;
        best = { index, ranges: [{ lowInclusive: true, highInclusive: true }], providesSort: true, descending, exact, score: 0 };
      }
      continue;
    }
    const ranges = index.multikey ? bounds.ranges.map(oneSided) : bounds.ranges;
    // Exact only when the filter is this one condition (not a condition found inside an $and).
    const exact = bounds.exact && ranges === bounds.ranges && Object.keys(filter).length === 1 && Object.hasOwn(filter, leading);
    // An equality on the leading field pins it: the rest of the index then gives the order
    // ({city: 1, createdAt: -1, _id: -1} serves city = X sorted newest first).
    const pinned = !ordered && ranges.length === 1 && isPoint(ranges[0]!) ? orderRelation(index, sortKeys, 1) : undefined;
    const sorted = (ordered || pinned !== undefined) && ranges.length === 1;
    const score = bounds.score + (index.spec.unique && bounds.score === 3 ? 1 : 0) + (sorted ? 0.5 : 0);
    if (!best || score > best.score) {
      best = { index, ranges, providesSort: sorted, descending: pinned === undefined ? descending : scanDescending(index, pinned), exact, score };
    }
  }
  if (!best) return undefined;
  const { score: _score, ...plan } = best;
  return plan;
}

/**
 * The field conditions every match must meet: the filter's own, and those of the clauses of a
 * top-level `$and` (nested too), as `{$and: [clientFilter, accessScope]}` reads put them. The
 * first condition met for a field is enough to choose an index; the whole filter still runs.
 */
function fieldConditions(filter: Record<string, unknown>, into: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (clause && typeof clause === 'object' && !Array.isArray(clause)) fieldConditions(clause as Record<string, unknown>, into);
    } else if (!key.startsWith('$') && !Object.hasOwn(into, key)) {
      into[key] = value;
    }
  }
  return into;
}

/**
 * Whether scanning `index` (forwards or backwards) yields the order `sortKeys` asks for: the sort
 * names the index's fields from `offset` on, in order, each in the index's direction (1) or each
 * reversed (-1); undefined when it does not. A compound sort such as {createdAt: -1, _id: -1} is
 * then served by its compound index.
 */
function orderRelation(index: IndexStore, sortKeys: Array<[string, number]>, offset: number): 1 | -1 | undefined {
  if (!sortKeys.length || index.multikey || sortKeys.length + offset > index.fields.length) return undefined;
  let relation: 1 | -1 | undefined;
  for (const [i, [field, direction]] of sortKeys.entries()) {
    const indexField = index.fields[i + offset]!;
    const indexDirection = index.spec.key[indexField];
    if (field !== indexField || (direction !== 1 && direction !== -1) || (indexDirection !== 1 && indexDirection !== -1)) return undefined;
    const same = (direction * indexDirection) as 1 | -1;
    if (relation !== undefined && same !== relation) return undefined;
    relation = same;
  }
  return relation;
}

const isPoint = (r: KeyRange): boolean => r.low !== undefined && r.low === r.high && r.lowInclusive && r.highInclusive;

/**
 * The `descending` to scan a pinned leading value with, so that the entries come in the index's
 * own order of the next fields (relation 1) or reversed (-1): `scan` reads `descending` as the
 * order of the leading field, which the tree stores in its own direction.
 */
function scanDescending(index: IndexStore, relation: 1 | -1): boolean {
  const leadingAscending = index.spec.key[index.fields[0]!] !== -1;
  return relation === 1 ? !leadingAscending : leadingAscending;
}

/**
 * On a multikey index, {$gt: 5, $lt: 10} matches an array with one element above 5 and another
 * below 10, which no single key range holds: only one bound can narrow the scan.
 */
function oneSided(range: KeyRange): KeyRange {
  if (range.low === undefined || range.high === undefined || range.low === range.high) return range;
  return { low: range.low, lowInclusive: range.lowInclusive, highInclusive: true };
}

function isScalar(v: unknown): boolean {
  return INDEXABLE_RANKS.has(typeRank(v)) && !(v instanceof RegExp);
}

function boundsFor(condition: unknown): Bounds | undefined {
  if (condition === undefined) return undefined;
  if (isScalar(condition)) return { ranges: [point(condition)], score: 3, exact: true };
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const ops = condition as Record<string, unknown>;
  const keys = Object.keys(ops);
  if (!keys.every((k) => k.startsWith('$'))) return undefined;
  const only = keys.length === 1;
  if ('$eq' in ops && isScalar(ops.$eq)) return { ranges: [point(ops.$eq)], score: 3, exact: only };
  if (Array.isArray(ops.$in) && ops.$in.length > 0 && ops.$in.every(isScalar)) {
    return { ranges: ops.$in.map(point), score: 2.5, exact: only };
  }
  const range = rangeBounds(ops);
  return range && { ...range, exact: range.exact && keys.every((k) => RANGE_OPS.has(k)) };
}

function point(v: unknown): KeyRange {
  return { low: v, high: v, lowInclusive: true, highInclusive: true };
}

function rangeBounds(ops: Record<string, unknown>): Bounds | undefined {
  if (('$gt' in ops && '$gte' in ops) || ('$lt' in ops && '$lte' in ops)) return undefined;
  const low = '$gt' in ops ? ops.$gt : ops.$gte;
  const high = '$lt' in ops ? ops.$lt : ops.$lte;
  const lowOk = low !== undefined && isScalar(low);
  const highOk = high !== undefined && isScalar(high);
  if (!lowOk && !highOk) return undefined;
  // Type bracketing: {$gt: 5} only matches numbers, so the scan need not run into strings.
  const rank = typeRank(lowOk ? low : high);
  const bracket = TYPE_BRACKETS[rank];
  // Exact when the bounds keep the scan inside one type: both given and of one type, or one
  // given and its type bracketed.
  const allUsed = (low === undefined || lowOk) && (high === undefined || highOk);
  const exact = allUsed && (lowOk && highOk ? typeRank(low) === typeRank(high) : bracket !== undefined);
  const range: KeyRange = {
    low: lowOk ? low : bracket?.[0],
    high: highOk ? high : bracket?.[1],
    lowInclusive: lowOk ? !('$gt' in ops) : true,
    highInclusive: highOk ? !('$lt' in ops) : true,
  };
  return { ranges: [range], score: lowOk && highOk ? 2 : 1, exact };
}
