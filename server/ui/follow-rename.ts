/**
 * Forms, list views and dashboards follow a field rename (issue 8), as duplicate rules and roles
 * do: every reference to the field — form items, conditions, related lists' relations and
 * columns, view columns, sorts, groupings and filters, widget groupings, measures and filters —
 * names it by its new name. (An archived field is not rewritten: what a user receives leaves it
 * out, and a restore brings it back where it was.)
 */
import type { Db } from 'mongodb';
import { renameInFilter } from '../metadata/rename-field.ts';
import type { FormItem } from './form.types.ts';
import { FORMS, type FormDoc } from './forms.store.ts';
import { VIEWS, type ViewDoc } from './views.store.ts';
import { DASHBOARDS, type DashboardDoc } from './dashboards.store.ts';

type Rename = { entity: string; from: string; to: string };

const renamed = (path: string, { from, to }: Rename): string => (path === from ? to : path.startsWith(`${from}.`) ? to + path.slice(from.length) : path);
const filterRenamed = <T>(filter: T, r: Rename): T => renameInFilter(filter, r.from, r.to) as T;
const sortRenamed = (sort: string, r: Rename): string => sort.split(',').map((key) => (key.trim().startsWith('-') ? `-${renamed(key.trim().slice(1), r)}` : renamed(key.trim(), r))).join(',');

function itemRenamed(item: FormItem, formEntity: string, r: Rename): FormItem {
  if (item.kind === 'field' && formEntity === r.entity) {
    return { ...item, field: renamed(item.field, r), ...(item.visibleWhen ? { visibleWhen: { ...item.visibleWhen, field: renamed(item.visibleWhen.field, r) } } : {}) };
  }
  if (item.kind === 'related' && item.entity === r.entity) return { ...item, via: renamed(item.via, r), columns: item.columns.map((c) => renamed(c, r)) };
  return item;
}

function formRenamed(form: FormDoc, r: Rename): FormDoc {
  const tabs = form.tabs.map((tab) => ({ ...tab, sections: tab.sections.map((s) => ({ ...s, items: s.items.map((item) => itemRenamed(item, form.entity, r)) })) }));
  return { ...form, tabs };
}

function viewRenamed(view: ViewDoc, r: Rename): ViewDoc {
  const next = { ...view, columns: view.columns.map((c) => renamed(c, r)) };
  if (view.sort) next.sort = sortRenamed(view.sort, r);
  if (view.groupBy) next.groupBy = renamed(view.groupBy, r);
  if (view.kanbanField) next.kanbanField = renamed(view.kanbanField, r);
  if (view.dateField) next.dateField = renamed(view.dateField, r);
  if (view.filter) next.filter = filterRenamed(view.filter, r);
  return next;
}

function dashboardRenamed(dashboard: DashboardDoc, r: Rename): DashboardDoc {
  const widgets = dashboard.widgets.map((w) => {
    if (w.entity !== r.entity) return w;
    const next = { ...w, measure: w.measure.field ? { ...w.measure, field: renamed(w.measure.field, r) } : w.measure };
    if (w.groupBy) next.groupBy = renamed(w.groupBy, r);
    if (w.filter) next.filter = filterRenamed(w.filter, r);
    return next;
  });
  return { ...dashboard, widgets };
}

/** Rewrites each document `rewrite` changes; the others are left as they are. */
async function rewriteAll<T extends { _id: unknown }>(db: Db, name: string, query: object, rewrite: (doc: T) => T): Promise<void> {
  const collection = db.collection(name);
  for (const doc of (await collection.find(query).toArray()) as unknown as T[]) {
    const next = rewrite(doc);
    if (JSON.stringify(next) !== JSON.stringify(doc)) await collection.replaceOne({ _id: doc._id as never }, next as never);
  }
}

export function createUiRename(db: Db) {
  return async function fieldRenamed(entity: string, from: string, to: string): Promise<void> {
    const r: Rename = { entity, from, to };
    await rewriteAll<FormDoc>(db, FORMS, { $or: [{ entity }, { 'tabs.sections.items.entity': entity }] }, (f) => formRenamed(f, r));
    await rewriteAll<ViewDoc>(db, VIEWS, { entity }, (v) => viewRenamed(v, r));
    await rewriteAll<DashboardDoc>(db, DASHBOARDS, { 'widgets.entity': entity }, (d) => dashboardRenamed(d, r));
  };
}
