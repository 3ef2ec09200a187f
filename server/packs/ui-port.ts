/**
 * The UI capability's stores (issue 8) as the packs capability uses them (issue 9): as an
 * administrator sees them, a pack's view named by its label among the entity's shared views.
 */
import type { Actor } from '../shared/actor.ts';
import { orNull } from './pack-kinds.ts';
import type { UiPort } from './ports.ts';

type Viewer = { actor: Actor; roles: readonly string[] };
type StoredView = { _id: string; label: string; shared: boolean; entity?: string; owner?: string; createdAt?: string; updatedAt?: string };

export type UiStores = {
  forms: {
    get(entity: string, name: string, viewer: Viewer): Promise<unknown>;
    list(entity: string, viewer: Viewer): Promise<Array<{ name: string }>>;
    put(entity: string, name: string, body: unknown, actorId: string): Promise<unknown>;
    remove(entity: string, name: string): Promise<void>;
  };
  views: {
    list(entity: string, viewer: Viewer): Promise<StoredView[]>;
    create(entity: string, body: unknown, viewer: Viewer): Promise<StoredView>;
    replace(entity: string, id: string, body: unknown, viewer: Viewer): Promise<unknown>;
    remove(entity: string, id: string, viewer: Viewer): Promise<void>;
  };
  dashboards: {
    get(name: string, viewer: Viewer): Promise<unknown>;
    list(viewer: Viewer): Promise<Array<{ name: string }>>;
    put(name: string, body: unknown, actorId: string): Promise<unknown>;
    remove(name: string, viewer: Viewer): Promise<void>;
  };
};

/** The stores answer for a viewer; a pack is installed by an administrator (or the system). */
const viewer = (actor: Actor): Viewer => ({ actor, roles: [] });

export function uiPortOf(stores: UiStores, admin: Actor): UiPort {
  const shared = async (entity: string) => ((await orNull(() => stores.views.list(entity, viewer(admin)))) ?? []).filter((v) => v.shared).map(({ _id, entity: _e, owner: _o, createdAt: _c, updatedAt: _u, ...view }) => ({ id: _id, view }));
  return {
    forms: {
      get: (entity, name) => orNull(() => stores.forms.get(entity, name, viewer(admin))),
      list: (entity) => stores.forms.list(entity, viewer(admin)),
      put: (entity, name, body, actor) => stores.forms.put(entity, name, body, actor.id),
      remove: (entity, name) => stores.forms.remove(entity, name),
    },
    views: {
      findShared: async (entity, label) => (await shared(entity)).find((v) => (v.view as { label: string }).label === label) ?? null,
      listShared: shared,
      create: async (entity, body, actor) => ({ id: (await stores.views.create(entity, body, viewer(actor)))._id }),
      replace: (entity, id, body, actor) => stores.views.replace(entity, id, body, viewer(actor)),
      remove: (entity, id, actor) => stores.views.remove(entity, id, viewer(actor)),
    },
    dashboards: {
      get: (name) => orNull(() => stores.dashboards.get(name, viewer(admin))),
      list: () => stores.dashboards.list(viewer(admin)),
      put: (name, body, actor) => stores.dashboards.put(name, body, actor.id),
      remove: (name, actor) => stores.dashboards.remove(name, viewer(actor)),
    },
  };
}
