/**
 * A dashboard's numbers (issue 8), each widget computed by the records group-by service in the
 * viewer's read scope and over the fields they may see, all widgets at once. A widget the viewer
 * cannot compute (an entity they cannot read, a filter on a field hidden from them, a field
 * archived since) becomes an error entry for that widget; the others still answer.
 */
import type { Field } from '../metadata/index.ts';
import { groupBy, readAccess, totals, type Access, type ReadContext } from '../records/index.ts';
import { titlesOf } from '../search/index.ts';
import type { Actor } from '../shared/actor.ts';
import { Problem } from '../shared/errors.ts';
import type { DashboardWidget } from './dashboard.types.ts';
import { byOf, metricOf } from './validate-dashboard.ts';

export type Row = { key: unknown; label: string; value: number | string | null };
export type WidgetData = { title: string; chart: DashboardWidget['chart']; rows: Row[] } | { title: string; error: { status: number; detail: string } };
export type DataDeps = { ctx: ReadContext; userLabel?: (id: string) => string | undefined };

const NONE = '(none)';
const isDate = (f: Field | undefined) => f?.type === 'date' || f?.type === 'datetime';

/** What a chart shows for each key: option labels, record titles, user names, Yes/No. */
async function labeller(deps: DataDeps, a: Access, field: Field, keys: unknown[]): Promise<(key: unknown) => string> {
  if (field.type === 'select' || field.type === 'multiSelect') {
    const labels = new Map(field.options.map((o) => [o.value, o.label]));
    return (key) => (key === null ? NONE : (labels.get(String(key)) ?? String(key)));
  }
  if (field.type === 'relation') {
    const target = deps.ctx.registry.get(field.target);
    const titles = target ? await titlesOf(deps.ctx, { entity: target, actor: a.actor, ids: keys.filter((k) => typeof k === 'string') as string[] }) : new Map<string, string>();
    return (key) => (key === null ? NONE : (titles.get(String(key)) ?? String(key)));
  }
  if (field.type === 'user') return (key) => (key === null ? NONE : (deps.userLabel?.(String(key)) ?? String(key)));
  if (field.type === 'boolean') return (key) => (key === null ? NONE : key ? 'Yes' : 'No');
  return (key) => (key === null ? NONE : String(key));
}

async function widgetRows(deps: DataDeps, w: DashboardWidget, actor: Actor): Promise<Row[]> {
  const a = readAccess(deps.ctx.registry.require(w.entity), actor);
  const metric = metricOf(w.measure);
  const valueOf = (g: Record<string, unknown>) => (w.measure.op === 'count' ? (g.count as number) : (g[metric] as Row['value']));
  if (!w.groupBy) return [{ key: null, label: w.title, value: valueOf(await totals(deps.ctx, a, { filter: w.filter, metrics: metric })) }];
  const by = byOf(w);
  const { groups } = await groupBy(deps.ctx, a, { filter: w.filter, by, metrics: metric });
  const field = a.entity.fields.get(w.groupBy)!;
  const keys = groups.map((g) => g.key[by] ?? null);
  const label = await labeller(deps, a, field, keys);
  const rows = groups.map((g, i) => ({ key: keys[i], label: label(keys[i]), value: valueOf(g) }));
  // Dates read left to right in time (line charts); other groups stay largest first.
  if (isDate(field)) rows.sort((x, y) => (x.key === null ? 1 : y.key === null ? -1 : String(x.key).localeCompare(String(y.key))));
  return rows;
}

export async function dashboardData(deps: DataDeps, widgets: DashboardWidget[], actor: Actor): Promise<{ widgets: WidgetData[] }> {
  const computed = widgets.map(async (w): Promise<WidgetData> => {
    try {
      return { title: w.title, chart: w.chart, rows: await widgetRows(deps, w, actor) };
    } catch (err) {
      if (err instanceof Problem) return { title: w.title, error: { status: err.status, detail: err.detail ?? err.title } };
      throw err;
    }
  });
  return { widgets: await Promise.all(computed) };
}
