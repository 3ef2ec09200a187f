/**
 * `rapport metadata export` (issue 9): the whole configuration as one document of the pack
 * schema — entities, roles (not the built-in administrator), workflows, administrators' own
 * templates (not the shipped defaults), duplicate rules and, where the server has them, forms,
 * shared list views and dashboards — so it can be imported into another database.
 */
import type { NamedItem, PackDocument } from './pack.types.ts';
import { ruleOf, templateOf } from './pack-kinds.ts';
import type { PackServices, UiPort } from './ports.ts';

async function uiSections(ui: UiPort, entities: string[]): Promise<Pick<PackDocument, 'forms' | 'views' | 'dashboards'>> {
  const forms: NonNullable<PackDocument['forms']> = [];
  const views: NonNullable<PackDocument['views']> = [];
  for (const entity of entities) {
    for (const { name } of await ui.forms.list(entity)) forms.push({ entity, form: (await ui.forms.get(entity, name)) as NamedItem });
    for (const { view } of await ui.views.listShared(entity)) views.push({ entity, view: view as { label: string } });
  }
  const dashboards = await Promise.all((await ui.dashboards.list()).map(async ({ name }) => (await ui.dashboards.get(name)) as NamedItem));
  return { forms, views, dashboards };
}

export async function exportDocument(s: PackServices, at = new Date()): Promise<PackDocument> {
  const entities = (await s.metadata.list()).map((e) => e.definition as NamedItem);
  const names = entities.map((e) => e.name);
  const roles = (await s.roles.list()).filter((r) => r.name !== 'admin') as NamedItem[];
  const templates = (await s.templates.list()).filter((t) => t.source === 'custom').map((t) => templateOf(t) as NamedItem);
  const duplicateRules = (await Promise.all(names.map(async (entity) => (await s.duplicateRules.list(entity)).map((r) => ({ entity, rule: ruleOf(r) }))))).flat();
  return {
    name: 'metadata-export', label: 'Metadata export', exportedAt: at.toISOString(),
    entities, roles, templates, workflows: s.workflows.list().map((w) => w.definition as NamedItem), duplicateRules,
    ...(s.ui ? await uiSections(s.ui, names) : {}),
  };
}
