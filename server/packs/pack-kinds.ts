/**
 * One adapter per kind of item a pack (or a metadata export) holds (issue 9): how to read what is
 * stored under the item's name, what the owning service would store for the pack's version, and
 * how to create, update and remove it — always through that service.
 */
import entitySchema from '../../schemas/entity.schema.json' with { type: 'json' };
import workflowSchema from '../../schemas/workflow.schema.json' with { type: 'json' };
import duplicateRuleSchema from '../../schemas/duplicate-rule.schema.json' with { type: 'json' };
import { Problem } from '../shared/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { defaultsOf } from './canonical.ts';
import type { PackServices, PluginView, UiPort } from './ports.ts';

export type Kind = 'entity' | 'role' | 'template' | 'workflow' | 'duplicateRule' | 'plugin' | 'form' | 'view' | 'dashboard';

/** An item of a section; `entity` for the kinds that belong to one (duplicate rules, forms, views). */
export type Item = { kind: Kind; name: string; entity?: string; body: Record<string, unknown> };

export type Adapter = {
  /** What is stored under the item's name, in the form `desired` is compared with; null if nothing. */
  current(item: Item): Promise<unknown>;
  desired(item: Item): unknown;
  create(item: Item, actor: Actor): Promise<void>;
  update(item: Item, actor: Actor): Promise<void>;
  remove(item: Item, actor: Actor): Promise<void>;
};

export const itemKey = (i: Pick<Item, 'kind' | 'name' | 'entity'>): string => `${i.kind}:${i.entity ? `${i.entity}/` : ''}${i.name}`;

/** null for a 404 problem (there is nothing of that name); other failures are the caller's. */
export async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof Problem && err.status === 404) return null;
    throw err;
  }
}

const entityDefaults = defaultsOf(entitySchema, true);
const workflowDefaults = defaultsOf(workflowSchema, true);
const ruleDefaults = defaultsOf(duplicateRuleSchema);

export function entityDesired(body: unknown): Record<string, unknown> {
  const definition = entityDefaults(body) as Record<string, unknown>;
  definition.indexes ??= [];
  definition.searchFields ??= [];
  return definition;
}

const TEMPLATE_KEYS = ['name', 'kind', 'label', 'description', 'entity', 'parts'];
/** A template's definition, without what the service adds (version, source, dates). */
export const templateOf = (t: object) => Object.fromEntries(TEMPLATE_KEYS.filter((k) => (t as Record<string, unknown>)[k] !== undefined).map((k) => [k, (t as Record<string, unknown>)[k]]));
/** A duplicate rule as its schema has it, without what the service adds. */
export const ruleOf = (r: { name: string; label?: string; fields: unknown; action: string; active: boolean }) => ({ name: r.name, ...(r.label ? { label: r.label } : {}), fields: r.fields, action: r.action, active: r.active });

/**
 * What a pack asks of a plugin and what the plugin's state is, in one comparable shape; a pack
 * that names no grants asks for every capability the plugin requests.
 */
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
const pluginState = (p: PluginView, asked: unknown) => ({ enabled: p.status === 'enabled', grants: asked === undefined && sameSet(p.grants, p.requested) ? 'requested' : [...p.grants].sort(), settings: p.settings });

export function createAdapters(s: PackServices): Partial<Record<Kind, Adapter>> {
  const change = (actor: Actor) => ({ actor: actor.id });
  const adapters: Partial<Record<Kind, Adapter>> = {
    entity: {
      current: async (i) => (await orNull(() => s.metadata.get(i.name)))?.definition ?? null,
      desired: (i) => entityDesired(i.body),
      create: async (i, a) => void (await s.metadata.create(i.body, change(a))),
      update: async (i, a) => void (await s.metadata.replace(i.name, i.body, change(a))),
      remove: (i, a) => s.metadata.remove(i.name, change(a)),
    },
    role: {
      current: (i) => orNull(() => s.roles.get(i.name)),
      desired: (i) => i.body,
      create: async (i, a) => void (await s.roles.put(i.name, i.body, a.id)),
      update: async (i, a) => void (await s.roles.put(i.name, i.body, a.id)),
      remove: (i, a) => s.roles.remove(i.name, a.id),
    },
    workflow: {
      current: async (i) => (await orNull(() => s.workflows.get(i.name)))?.definition ?? null,
      desired: (i) => workflowDefaults(i.body),
      create: async (i, a) => void (await s.workflows.create(i.body, change(a))),
      update: async (i, a) => void (await s.workflows.replace(i.name, i.body, change(a))),
      remove: (i, a) => s.workflows.remove(i.name, change(a)),
    },
    template: {
      // A shipped default of the same name is not anyone's customisation: the pack's version may replace it.
      current: async (i) => {
        const t = await orNull(() => s.templates.get(i.name));
        return t && t.source === 'custom' ? templateOf(t) : null;
      },
      desired: (i) => templateOf(i.body),
      create: async (i, a) => void (await s.templates.save(i.name, i.body, { by: a.id })),
      update: async (i, a) => void (await s.templates.save(i.name, i.body, { by: a.id })),
      remove: async (i, a) => void (await s.templates.remove(i.name, { by: a.id })),
    },
    duplicateRule: {
      current: async (i) => {
        const r = await orNull(() => s.duplicateRules.find(i.entity!, i.name));
        return r ? ruleOf(r) : null;
      },
      desired: (i) => ruleOf(ruleDefaults(i.body) as Parameters<typeof ruleOf>[0]),
      create: async (i, a) => void (await s.duplicateRules.put(i.entity!, i.name, i.body, a.id)),
      update: async (i, a) => void (await s.duplicateRules.put(i.entity!, i.name, i.body, a.id)),
      remove: (i) => s.duplicateRules.remove(i.entity!, i.name),
    },
    plugin: {
      current: async (i) => {
        const p = await orNull(() => s.plugins.get(i.name));
        return p ? pluginState(p, i.body.grants) : null;
      },
      desired: (i) => ({ enabled: i.body.enable !== false, grants: i.body.grants ? [...(i.body.grants as string[])].sort() : 'requested', settings: i.body.settings ?? {} }),
      async create(i, a) {
        const installed = (await s.plugins.install(i.name, a.id)) as { requested: string[] };
        await s.plugins.grant(i.name, { grants: (i.body.grants as string[] | undefined) ?? installed.requested }, a.id);
        if (i.body.settings) await s.plugins.configure(i.name, { settings: i.body.settings }, a.id);
        if (i.body.enable !== false) await s.plugins.enable(i.name, a.id);
      },
      update: async (i, a) => void (await adapters.plugin!.create(i, a)),
      remove: async (i, a) => void (await s.plugins.disable(i.name, a.id)),
    },
  };
  return s.ui ? { ...adapters, ...uiAdapters(s.ui) } : adapters;
}

/** Views have no name of their own: a pack's view is the shared view of its entity with its label. */
function uiAdapters(ui: UiPort): Partial<Record<Kind, Adapter>> {
  return {
    form: {
      current: (i) => ui.forms.get(i.entity!, i.name),
      desired: (i) => ({ ...i.body, name: i.name, entity: i.entity }),
      create: async (i, a) => void (await ui.forms.put(i.entity!, i.name, i.body, a)),
      update: async (i, a) => void (await ui.forms.put(i.entity!, i.name, i.body, a)),
      remove: (i, a) => ui.forms.remove(i.entity!, i.name, a),
    },
    view: {
      current: async (i) => (await ui.views.findShared(i.entity!, i.name))?.view ?? null,
      desired: (i) => ({ ...i.body, shared: true }),
      create: async (i, a) => void (await ui.views.create(i.entity!, { ...i.body, shared: true }, a)),
      update: async (i, a) => {
        const found = await ui.views.findShared(i.entity!, i.name);
        if (found) await ui.views.replace(i.entity!, found.id, { ...i.body, shared: true }, a);
      },
      remove: async (i, a) => {
        const found = await ui.views.findShared(i.entity!, i.name);
        if (found) await ui.views.remove(i.entity!, found.id, a);
      },
    },
    dashboard: {
      current: (i) => ui.dashboards.get(i.name),
      desired: (i) => ({ ...i.body, name: i.name }),
      create: async (i, a) => void (await ui.dashboards.put(i.name, i.body, a)),
      update: async (i, a) => void (await ui.dashboards.put(i.name, i.body, a)),
      remove: (i, a) => ui.dashboards.remove(i.name, a),
    },
  };
}
