/**
 * What the packs capability needs of the others (issue 9), as the smallest shapes their existing
 * services already have: app.ts hands the services themselves in. A pack is installed only
 * through these, so it gets every check an administrator's own change gets.
 */
import type { Actor } from '../shared/actor.ts';

type Change = { actor: string };
type Archived = { id: string; kind: 'field' | 'entity'; entity: string; field?: { name: string } };

export type MetadataPort = {
  get(name: string): Promise<{ definition: { name: string; fields: Array<{ name: string; type: string; target?: string; entity?: string }> } }>;
  list(): Promise<Array<{ definition: unknown }>>;
  create(candidate: unknown, change: Change): Promise<unknown>;
  replace(name: string, candidate: unknown, change: Change): Promise<unknown>;
  remove(name: string, change: Change): Promise<void>;
  archived(entity?: string): Promise<Archived[]>;
  restoreArchived(id: string, change: Change): Promise<unknown>;
  purgeArchived(id: string): Promise<void>;
};

export type RolesPort = {
  list(): Promise<Array<{ name: string; admin?: boolean }>>;
  get(name: string): Promise<unknown>;
  put(name: string, body: unknown, actorId: string): Promise<unknown>;
  remove(name: string, actorId: string): Promise<void>;
};

export type WorkflowsPort = {
  list(): Array<{ definition: unknown }>;
  get(name: string): Promise<{ definition: unknown }>;
  create(candidate: unknown, change: Change): Promise<unknown>;
  replace(name: string, candidate: unknown, change: Change): Promise<unknown>;
  remove(name: string, change: Change): Promise<void>;
};

type TemplateView = { name?: string; kind: string; label?: string; description?: string; entity?: string; parts: object; source: 'custom' | 'default' };
export type TemplatesPort = {
  list(): Promise<TemplateView[]>;
  get(name: string): Promise<TemplateView>;
  save(name: string, body: unknown, change: { by: string }): Promise<unknown>;
  remove(name: string, change: { by: string }): Promise<unknown>;
};

export type DuplicateRulesPort = {
  find(entity: string, name: string): Promise<{ name: string; label?: string; fields: unknown; action: string; active: boolean }>;
  list(entity: string): Promise<Array<{ name: string; label?: string; fields: unknown; action: string; active: boolean }>>;
  put(entity: string, name: string, body: unknown, actorId: string): Promise<unknown>;
  remove(entity: string, name: string): Promise<void>;
};

export type PluginView = { id: string; status: string; requested: string[]; grants: string[]; settings: Record<string, unknown> };
export type PluginsPort = {
  get(id: string): Promise<PluginView>;
  install(id: string, actorId: string): Promise<unknown>;
  grant(id: string, body: unknown, actorId: string): Promise<unknown>;
  configure(id: string, body: unknown, actorId: string): Promise<unknown>;
  enable(id: string, actorId: string): Promise<unknown>;
  disable(id: string, actorId: string): Promise<unknown>;
};

/**
 * Forms, list views and dashboards (issue 8's UI capability). Optional: a server without it
 * installs the rest of a pack and reports these sections as skipped. A pack's view is named by
 * its entity and label (views themselves have only an id).
 */
export type UiPort = {
  forms: {
    get(entity: string, name: string): Promise<unknown | null>;
    list(entity: string): Promise<Array<{ name: string }>>;
    put(entity: string, name: string, body: unknown, actor: Actor): Promise<unknown>;
    remove(entity: string, name: string, actor: Actor): Promise<void>;
  };
  views: {
    /** The shared view of `entity` with this label, as stored (without id, owner and dates). */
    findShared(entity: string, label: string): Promise<{ id: string; view: unknown } | null>;
    listShared(entity: string): Promise<Array<{ id: string; view: unknown }>>;
    create(entity: string, body: unknown, actor: Actor): Promise<{ id: string }>;
    replace(entity: string, id: string, body: unknown, actor: Actor): Promise<unknown>;
    remove(entity: string, id: string, actor: Actor): Promise<void>;
  };
  dashboards: {
    get(name: string): Promise<unknown | null>;
    list(): Promise<Array<{ name: string }>>;
    put(name: string, body: unknown, actor: Actor): Promise<unknown>;
    remove(name: string, actor: Actor): Promise<void>;
  };
};

/** Bulk create of the records service: each record's result, in order. */
export type BulkCreate = (entity: string, body: { records: unknown[] }, actor: Actor) => Promise<{ results: Array<{ status: number; record?: unknown; problem?: { detail?: string; title: string; errors?: unknown } }> }>;

/** The first `limit` records of an entity, as the API gives them (the records query, as the system). */
export type ListRecords = (entity: string, limit: number) => Promise<Array<Record<string, unknown> & { _id: string }>>;

export type PackServices = {
  metadata: MetadataPort;
  roles: RolesPort;
  workflows: WorkflowsPort;
  templates: TemplatesPort;
  duplicateRules: DuplicateRulesPort;
  plugins: PluginsPort;
  bulkCreate: BulkCreate;
  listRecords: ListRecords;
  ui?: UiPort;
};
