/**
 * Group-by summaries for reports: group by one or two fields (dates by day, month or year), with
 * count and sum/avg/min/max of numeric fields, over the same filter lists use.
 * `by=stage,closeDate:month&metrics=sum:amount,avg:amount`.
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
const BUCKETS = { day: 10, month: 7, year: 4 } as const;
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
    if (bucket !== undefined && (!Object.hasOwn(BUCKETS, bucket) || (field.type !== 'date' && field.type !== 'datetime'))) throw invalid('/by', `${spec}: only date fields take :day, :month or :year`);
    return { field, bucket: bucket as Key['bucket'] };
  });
  const parsed = (metrics ?? '').split(',').map((s) => s.trim()).filter((s) => s && s !== 'count').map((spec) => {
    const [fn, name] = spec.split(':') as [string, string | undefined];
    const field = name ? entity.fields.get(name) : undefined;
    if (!['sum', 'avg', 'min', 'max'].includes(fn) || !field || !NUMERIC.has(field.type)) throw invalid('/metrics', `${spec}: use count, or sum/avg/min/max:<numeric field>`);
    return { fn: fn as Metric['fn'], field };
  });
  if (parsed.length > 8) throw invalid('/metrics', 'at most 8 metrics');
  return { keys, metrics: parsed };
}

/** parseGroupBy looks fields up by name: a hidden field is not found. */
function visibleEntity({ entity, perms }: Access): CompiledEntity {
  const visible = visibleNames(entity, perms);
  return visible ? { ...entity, fields: new Map([...entity.fields].filter(([name]) => visible.has(name))) } : entity;
}

function keyExpression({ field, bucket }: Key): unknown {
  if (!bucket) return `$${field.name}`;
  if (field.type === 'date') return { $substrCP: [`$${field.name}`, 0, BUCKETS[bucket]] };
  return { $substrCP: [{ $dateToString: { format: '%Y-%m-%d', date: `$${field.name}` } }, 0, BUCKETS[bucket]] };
}

/** Groups only over fields the actor can see, and only the records in their scope (readFilter). */
export async function groupBy(ctx: ReadContext, a: Access, query: Pick<ListQuery, 'filter' | 'q'> & { by?: string; metrics?: string }) {
  const { entity } = a;
  const { keys, metrics } = parseGroupBy(visibleEntity(a), query.by, query.metrics);
  const group: Document = { _id: Object.fromEntries(keys.map((k, i) => [`k${i}`, keyExpression(k)])), count: { $sum: 1 } };
  metrics.forEach((m, i) => {
    Object.assign(group, { [`m${i}`]: { [`$${m.fn}`]: valuePath(m.field) } }, moneyAccumulators(m.field, `m${i}`));
  });
  const unwind = keys.filter((k) => k.field.type === 'multiSelect').map((k) => ({ $unwind: { path: `$${k.field.name}`, preserveNullAndEmptyArrays: true } }));
  const rows = await ctx.db
    .collection(entity.collection)
    .aggregate([{ $match: readFilter(a, query) }, ...unwind, { $group: group }, { $sort: { count: -1 } }, { $limit: MAX_GROUPS + 1 }])
    .toArray();
  return {
    truncated: rows.length > MAX_GROUPS,
    groups: rows.slice(0, MAX_GROUPS).map((row) => ({
      key: Object.fromEntries(keys.map((k, i) => [k.bucket ? `${k.field.name}:${k.bucket}` : k.field.name, keyValue(k, row._id[`k${i}`])])),
      count: row.count as number,
      ...Object.fromEntries(metrics.map((m, i) => [`${m.fn}:${m.field.name}`, aggregateValue(row, `m${i}`)])),
    })),
  };
}

function keyValue(key: Key, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (key.bucket || key.field.type === 'multiSelect') return value;
  return fieldTypeOf(key.field).toApi(value, key.field);
}
