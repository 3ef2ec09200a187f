/**
 * Template management (issue 7): list, read, save (validated, versioned, every version kept),
 * delete (back to the default when there is one), history, restore, and preview against a record
 * as the person previewing reads it.
 */
import type { MetadataRegistry } from '../metadata/index.ts';
import type { Actor } from '../shared/actor.ts';
import { validateTemplate } from './validate-template.ts';
import { syntaxProblem, type SourceError } from './template-source.ts';
import type { CurrentTemplate, TemplatesStore } from './templates.store.ts';
import { templateProblems } from './templates.problems.ts';
import type { Renderer } from './render-template.ts';
import type { TemplateDefinition } from './template.types.ts';
import type { TitleTemplates } from './title-templates.ts';

export type Change = { by: string; expectedVersion?: number };
export type TemplateView = TemplateDefinition & { version: number; source: 'custom' | 'default'; hasDefault: boolean; updatedAt?: Date; updatedBy?: string };

const view = (t: CurrentTemplate): TemplateView => ({ ...t.definition, version: t.version, source: t.source, hasDefault: t.hasDefault, ...(t.updatedAt ? { updatedAt: t.updatedAt, updatedBy: t.updatedBy } : {}) });

const notFound = (name: string) => templateProblems.templateNotFound.create({ detail: `There is no template "${name}"` });

type PreviewBody = { entity?: unknown; recordId?: unknown; data?: unknown; locale?: unknown; timeZone?: unknown; draft?: unknown };

function checkPreview(body: unknown, actor: Actor): { entity?: string; recordId?: string; data: Record<string, unknown>; locale?: string; timeZone?: string; draft?: unknown } {
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as PreviewBody;
  const errors: Array<{ pointer: string; detail: string }> = [];
  const text = (key: keyof PreviewBody) => {
    if (b[key] !== undefined && typeof b[key] !== 'string') errors.push({ pointer: `/${key}`, detail: 'must be a string' });
    return typeof b[key] === 'string' ? b[key] : undefined;
  };
  const out = { entity: text('entity'), recordId: text('recordId'), locale: text('locale'), timeZone: text('timeZone') };
  if (b.data !== undefined && (typeof b.data !== 'object' || b.data === null || Array.isArray(b.data))) errors.push({ pointer: '/data', detail: 'must be an object of merge fields' });
  // Sample data and unsaved drafts run code the caller wrote: that is for administrators.
  for (const key of ['data', 'draft'] as const) if (b[key] !== undefined && !actor.admin) errors.push({ pointer: `/${key}`, detail: 'only administrators can preview with their own data or a draft' });
  if (errors.length) throw templateProblems.invalidRequest.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
  return { ...out, data: (b.data as Record<string, unknown>) ?? {}, draft: b.draft };
}

export function createTemplatesService(deps: { store: TemplatesStore; registry: MetadataRegistry; renderer: Renderer; titles: TitleTemplates }) {
  const { store } = deps;

  function checked(name: string, body: unknown): TemplateDefinition {
    const b = body && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : body;
    if (b && typeof b === 'object' && !Array.isArray(b)) {
      const named = (b as { name?: unknown }).name;
      if (named !== undefined && named !== name) throw templateProblems.invalidTemplate.create({ detail: '/name must be the name in the URL', errors: [{ pointer: '/name', detail: `must be "${name}", the name in the URL` }] });
      (b as { name?: unknown }).name = name;
    }
    const result = validateTemplate(b, deps.registry);
    if (result.ok) return result.definition;
    if (result.syntax) throw syntaxProblem(result.errors as SourceError[]);
    throw templateProblems.invalidTemplate.create({ detail: `${result.errors[0]!.pointer} ${result.errors[0]!.detail}`, errors: result.errors });
  }

  async function saveVersion(definition: TemplateDefinition, change: Change & { deleted?: boolean }) {
    const now = await store.versionNow(definition.name!);
    if (change.expectedVersion !== undefined && change.expectedVersion !== now) throw templateProblems.versionConflict.create({ detail: `The template is at version ${now}, not ${change.expectedVersion}` });
    const saved = await store.save({ definition, expectedVersion: now, by: change.by, deleted: change.deleted });
    if (!saved) throw templateProblems.versionConflict.create({ detail: 'Someone saved the template at the same time; read it again' });
    return saved;
  }

  async function get(name: string): Promise<TemplateView> {
    const t = await store.get(name);
    if (!t) throw notFound(name);
    return view(t);
  }

  return {
    list: async (): Promise<TemplateView[]> => (await store.list()).map(view),
    get,
    /** Creates or replaces; `created` when the name had no template before. */
    async save(name: string, body: unknown, change: Change): Promise<{ template: TemplateView; created: boolean }> {
      const definition = checked(name, body);
      await deps.titles.checkUnique(definition);
      const before = await store.get(name);
      await saveVersion(definition, change);
      await deps.titles.saved(before?.definition, definition);
      return { template: await get(name), created: !before };
    },
    /** Deletes an administrator's version; the default (if any) is what the name means afterwards. */
    async remove(name: string, change: Change): Promise<{ reverted: boolean }> {
      const t = await store.get(name);
      if (!t || t.source === 'default') throw templateProblems.templateNotFound.create({ detail: t ? `"${name}" is a default template: there is no saved version to delete` : `There is no template "${name}"` });
      await saveVersion(t.definition, { ...change, deleted: true });
      await deps.titles.saved(t.definition, (await store.get(name))?.definition);
      return { reverted: t.hasDefault };
    },
    async history(name: string) {
      const entries = await store.historyOf(name, 200);
      if (!entries.length && !(await store.get(name))) throw notFound(name);
      return entries;
    },
    async version(name: string, version: number) {
      const entry = await store.versionOf(name, version);
      if (!entry) throw templateProblems.templateNotFound.create({ detail: `Template "${name}" has no version ${version}` });
      return entry;
    },
    /** Saves an old version's content as the newest version. */
    async restore(name: string, version: number, change: Change): Promise<TemplateView> {
      const entry = await store.versionOf(name, version);
      if (!entry) throw templateProblems.templateNotFound.create({ detail: `Template "${name}" has no version ${version}` });
      const definition = checked(name, entry.definition);
      await deps.titles.checkUnique(definition);
      const before = await store.get(name);
      await saveVersion(definition, change);
      await deps.titles.saved(before?.definition, definition);
      return get(name);
    },
    /** Renders the saved template (or an administrator's draft) against a record the caller can read, or sample data. */
    async preview(name: string, body: unknown, actor: Actor, preferredLocale?: string) {
      const input = checkPreview(body, actor);
      const saved = input.draft === undefined ? await get(name) : undefined;
      const definition = saved ?? checked(name, input.draft);
      const entity = input.entity ?? definition.entity;
      if (input.recordId && !entity) throw templateProblems.invalidRequest.create({ detail: '/entity is required with recordId', errors: [{ pointer: '/entity', detail: 'is required with recordId (the template names no entity)' }] });
      const options = { actor, locale: input.locale ?? preferredLocale, timeZone: input.timeZone, ...(input.recordId && entity ? { record: { entity, id: input.recordId } } : {}) };
      const rendered = await deps.renderer.renderDefinition(definition, input.data, options);
      return { template: { name, version: saved?.version ?? null, kind: definition.kind }, ...rendered };
    },
  };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
