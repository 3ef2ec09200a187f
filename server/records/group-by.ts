/**
 * Group-by summaries for reports: group by one or two fields (dates by day, week, month or year),
 * with count and sum/avg/min/max of numeric fields, over the same filter lists use.
 * `by=stage,closeDate:month&metrics=sum:amount,avg:amount`. A week is keyed by its Monday
 * (`2024-12-30`): ISO week numbers straddle years, and the embedded engine gets their year wrong.
 * `totals` is the same summary with no grouping (a dashboard's single number).
 */
import type { Document } from 'mongodb';
import { fieldTypeOf, type CompiledEntity, type Field } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import type { ReadContext } from './parents.ts';
import { readFilter, type ListQuery } from './records-query.ts';
import type { Access } from './records.service.ts';
import { visibleNames } from './access.ts';
import { aggregateValue, moneyAccumulators, valuePath } from './aggregate-values.ts';

const GROUPABLE = new Set(['text', 'email', 'phone', 'url', 'integer', 'rating', 'boolean', 'select', 'multiSelect', 'relation', 'user', 'date', 'datetime', 'autonumber']);
const NUMERIC = new Set(['integer', 'number', 'percent', 'currency', 'rating']);
const BUCKETS = { day: 10, week: 10, month: 7, year: 4 } as const;
const MAX_GROUPS = 1000;

type Key = { field: Field; bucket?: keyof typeof BUCKETS };
type Metric = { fn: 'sum' | 'avg' | 'min' | 'max'; field: Field };

const invalid = (pointer: string, detail: string) => recordProblems.invalidQuery.create({ detail, errors: [{ pointer, detail }] });

export function parseGroupBy(entity: CompiledEntity, by: string | undefined, metrics: string | undefined): { keys: Key[]; metrics: Metric[] } {
  const names = (by ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length < 1 || names.length > 2) throw invalid('/by', 'by names one or two fields');
  const keys = names.map((spec) => {
    const [name, bucket] = spec.split(':') as [string, string | undefined];
    const field = entity.fields.get(name);
    if (!field || !GROUPABLE.has(field.type)) throw invalid('/by', `${name} is not a field that can be grouped by`);
    if (bucket !== undefined && (!Object.hasOwn(BUCKETS, bucket) || (field.type !== 'date' && field.type !== 'datetime'))) throw invalid('/by', `${spec}: only date fields take :day, :week, :month or :year`);
    return { field, bucket: bucket as Key['bucket'] };
  });
  return { keys, metrics: parseMetrics(entity, metrics) };
}

/** `metrics=count,sum:amount`: count is always computed; the others need a numeric field. */
export function parseMetrics(entity: CompiledEntity, metrics: string | undefined): Metric[] {
  const parsed = (metrics ?? '').split(',').map((s) => s.trim()).filter((s) => s && s !== 'count').map((spec) => {
    const [fn, name] = spec.split(':') as [string, string | undefined];
    const field = name ? entity.fields.get(name) : undefined;
    if (!['sum', 'avg', 'min', 'max'].includes(fn) || !field || !NUMERIC.has(field.type)) throw invalid('/metrics', `${spec}: use count, or sum/avg/min/max:<numeric field>`);
    return { fn: fn as Metric['fn'], field };
  });
  if (parsed.length > 8) throw invalid('/metrics', 'at most 8 metrics');
  return parsed;
}

/** parseGroupBy looks fields up by name: a hidden field is not found. */
function visibleEntity({ entity, perms }: Access): CompiledEntity {
  const visible = visibleNames(entity, perms);
  return visible ? { ...entity, fields: new Map([...entity.fields].filter(([name]) => visible.has(name))) } : entity;
}

/** A bucketed date that is not set is keyed null, as an unbucketed value is (not as an empty string). */
function keyExpression({ field, bucket }: Key): unknown {
  const value = `$${field.name}`;
  if (!bucket) return value;
  return { $cond: [{ $eq: [{ $ifNull: [value, null] }, null] }, null, bucketExpression(field, bucket)] };
}

function bucketExpression(field: Field, bucket: keyof typeof BUCKETS): unknown {
  const value = `$${field.name}`;
  if (bucket === 'week') {
    const date = field.type === 'date' ? { $dateFromString: { dateString: value } } : value;
    return { $dateToString: { format: '%Y-%m-%d', date: { $dateTrunc: { date, unit: 'week', startOfWeek: 'monday' } } } };
  }
  if (field.type === 'date') return { $substrCP: [value, 0, BUCKETS[bucket]] };
  return { $substrCP: [{ $dateToString: { format: '%Y-%m-%d', date: value } }, 0, BUCKETS[bucket]] };
}

type SummaryQuery = Pick<ListQuery, 'filter' | 'q'>;

/** One $group over the records in the actor's scope (readFilter); no keys: one group of all of them. */
function summarise(ctx: ReadContext, a: Access, keys: Key[], metrics: Metric[], query: SummaryQuery): Promise<Document[]> {
  const group: Document = { _id: Object.fromEntries(keys.map((k, i) => [`k${i}`, keyExpression(k)])), count: { $sum: 1 } };
  metrics.forEach((m, i) => {
    Object.assign(group, { [`m${i}`]: { [`$${m.fn}`]: valuePath(m.field) } }, moneyAccumulators(m.field, `m${i}`));
  });
  const unwind = keys.filter((k) => k.field.type === 'multiSelect').map((k) => ({ $unwind: { path: `$${k.field.name}`, preserveNullAndEmptyArrays: true } }));
  return ctx.db
    .collection(a.entity.collection)
    .aggregate([{ $match: readFilter(a, query) }, ...unwind, { $group: group }, { $sort: { count: -1 } }, { $limit: MAX_GROUPS + 1 }])
    .toArray();
}

const metricValues = (metrics: Metric[], row: Document) => Object.fromEntries(metrics.map((m, i) => [`${m.fn}:${m.field.name}`, aggregateValue(row, `m${i}`)]));

/** Groups only over fields the actor can see, and only the records in their scope. */
export async function groupBy(ctx: ReadContext, a: Access, query: SummaryQuery & { by?: string; metrics?: string }) {
  const { keys, metrics } = parseGroupBy(visibleEntity(a), query.by, query.metrics);
  const rows = await summarise(ctx, a, keys, metrics, query);
  return {
    truncated: rows.length > MAX_GROUPS,
    groups: rows.slice(0, MAX_GROUPS).map((row) => ({
      key: Object.fromEntries(keys.map((k, i) => [k.bucket ? `${k.field.name}:${k.bucket}` : k.field.name, keyValue(k, row._id[`k${i}`])])),
      count: row.count as number,
      ...metricValues(metrics, row),
    })),
  };
}

/** The count and metrics of all the records in the actor's scope matching the query, ungrouped. */
export async function totals(ctx: ReadContext, a: Access, query: SummaryQuery & { metrics?: string }): Promise<{ count: number } & Record<string, number | string | null>> {
  const metrics = parseMetrics(visibleEntity(a), query.metrics);
  const [row] = await summarise(ctx, a, [], metrics, query);
  return { ...metricValues(metrics, row ?? {}), count: (row?.count as number | undefined) ?? 0 };
}

function keyValue(key: Key, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (key.bucket || key.field.type === 'multiSelect') return value;
  return fieldTypeOf(key.field).toApi(value, key.field);
}
