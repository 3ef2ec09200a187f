/**
 * What a schema cannot say about a dashboard (issue 8): each widget's entity exists, its grouping
 * and measure are what the records group-by service accepts (the same parser decides), a date
 * bucket goes with a date field, its filter is a records filter of that entity. Every problem
 * with its JSON Pointer into the dashboard, all at once.
 */
import type { CompiledEntity, MetadataRegistry } from '../metadata/index.ts';
import { filterProblems, parseGroupBy, parseMetrics } from '../records/index.ts';
import type { FieldError } from '../shared/errors.ts';
import type { DashboardDefinition, DashboardMeasure, DashboardWidget } from './dashboard.types.ts';
import { problemsOf, rebase } from './schema-check.ts';

/** The group-by service's `metrics` parameter for a measure. */
export const metricOf = (m: DashboardMeasure): string => (m.op === 'count' ? 'count' : `${m.op}:${m.field ?? ''}`);

/** The group-by service's `by` parameter for a widget (its field, and the date bucket). */
export const byOf = (w: DashboardWidget): string => (w.dateBucket ? `${w.groupBy}:${w.dateBucket}` : (w.groupBy ?? ''));

/** The group-by parser's verdict, its `/by` and `/metrics` pointers placed on the widget. */
function summaryProblems(entity: CompiledEntity, w: DashboardWidget, p: string): FieldError[] {
  const errors = problemsOf(() => (w.groupBy ? parseGroupBy(entity, byOf(w), metricOf(w.measure)) : parseMetrics(entity, metricOf(w.measure))), '/by');
  return rebase(rebase(errors, '/by', `${p}/groupBy`), '/metrics', `${p}/measure/field`);
}

function widgetProblems(registry: MetadataRegistry, w: DashboardWidget, p: string): FieldError[] {
  const entity = registry.get(w.entity);
  if (!entity) return [{ pointer: `${p}/entity`, detail: `there is no entity "${w.entity}"` }];
  const errors: FieldError[] = [];
  if (!w.groupBy && w.chart !== 'number') errors.push({ pointer: `${p}/groupBy`, detail: `is required for a ${w.chart} chart` });
  if (w.measure.op !== 'count' && !w.measure.field) errors.push({ pointer: `${p}/measure/field`, detail: `is required to ${w.measure.op}` });
  const dateGroup = ['date', 'datetime'].includes(entity.fields.get(w.groupBy ?? '')?.type ?? '');
  if (w.dateBucket && !dateGroup) errors.push({ pointer: `${p}/dateBucket`, detail: 'goes with a groupBy on a date or datetime field' });
  if (!errors.length) errors.push(...summaryProblems(entity, w, p));
  if (w.filter !== undefined) errors.push(...rebase(filterProblems(entity.definition, w.filter), '/filter', `${p}/filter`));
  return errors;
}

export function dashboardProblems(registry: MetadataRegistry, dashboard: DashboardDefinition): FieldError[] {
  return dashboard.widgets.flatMap((w, i) => widgetProblems(registry, w, `/widgets/${i}`));
}
