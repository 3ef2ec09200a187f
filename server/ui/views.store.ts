/**
 * Saved list views (issue 8), in `ui_views`. Anyone who can read an entity saves their own views;
 * only administrators share one with everyone. A user lists the shared views and their own; a
 * private view of someone else does not exist for them. A view is checked, and returned, as its
 * reader sees the entity: columns on fields hidden from them or archived since are left out.
 */
import { ObjectId, type Db } from 'mongodb';
import viewSchema from '../../schemas/view.schema.json' with { type: 'json' };
import { AUDIT_FIELDS, type EntityDefinition, type MetadataRegistry } from '../metadata/index.ts';
import { readAccess, visibleDefinition, type Access } from '../records/index.ts';
import { sharedProblems } from '../shared/errors.ts';
import { checkShape, invalidWith, schemaValidator } from './schema-check.ts';
import { uiProblems } from './ui.problems.ts';
import { viewProblems } from './validate-view.ts';
import type { ViewDefinition } from './view.types.ts';
import type { Viewer } from './viewer.ts';

export const VIEWS = 'ui_views';
type Body = Omit<ViewDefinition, '_id' | 'owner' | 'createdAt' | 'updatedAt' | 'entity'>;
export type ViewDoc = Body & { _id: ObjectId; entity: string; shared: boolean; owner: string; createdAt: Date; updatedAt: Date };
export type View = Body & { _id: string; entity: string; shared: boolean; owner: string; createdAt: string; updatedAt: string };

/** Per user and entity: far more than a person keeps, few enough to list in one answer. */
const MAX_OWN_VIEWS = 100;
const validator = schemaValidator(viewSchema);
const notFound = (entity: string, id: string) => uiProblems.viewNotFound.create({ detail: `${entity} has no list view ${id}` });

/** The view as `visible` shows the entity: columns and fields the reader cannot see are left out. */
function toView(doc: ViewDoc, visible: EntityDefinition): View {
  const known = (name: string | undefined) => name !== undefined && ((AUDIT_FIELDS as readonly string[]).includes(name) || visible.fields.some((f) => f.name === name));
  const { _id, createdAt, updatedAt, groupBy, kanbanField, dateField, ...rest } = doc;
  return {
    ...rest, _id: _id.toHexString(), columns: doc.columns.filter(known), createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString(),
    ...(known(groupBy) ? { groupBy } : {}), ...(known(kanbanField) ? { kanbanField } : {}), ...(known(dateField) ? { dateField } : {}),
  };
}

export function createViewsStore(deps: { db: Db; registry: MetadataRegistry }) {
  const views = deps.db.collection<ViewDoc>(VIEWS);
  const access = (entity: string, viewer: Viewer): Access => readAccess(deps.registry.require(entity), viewer.actor);
  const visibleTo = (a: Access) => visibleDefinition(a.entity, a.perms);

  /** `wasShared`: an owner may edit a view an administrator shared, but only an administrator shares one. */
  function check(a: Access, viewer: Viewer, body: unknown, wasShared = false): Body & { shared: boolean } {
    const shape = checkShape<ViewDefinition>(validator, body);
    if (!shape.ok) throw invalidWith(uiProblems.invalidView, shape.errors);
    const errors = viewProblems(visibleTo(a), shape.value);
    if (errors.length) throw invalidWith(uiProblems.invalidView, errors);
    const { _id: _a, owner: _b, createdAt: _c, updatedAt: _d, entity: _e, ...view } = shape.value;
    if (view.shared && !wasShared && !viewer.actor.admin) throw sharedProblems.forbidden.create({ detail: 'Only administrators share list views' });
    return { ...view, shared: view.shared ?? false };
  }

  /** The view if the viewer may see it: their own, a shared one, or any for an administrator. */
  async function find(a: Access, id: string, viewer: Viewer): Promise<ViewDoc> {
    const doc = /^[0-9a-f]{24}$/.test(id) ? await views.findOne({ _id: new ObjectId(id), entity: a.entity.name }) : null;
    if (!doc || !(doc.shared || doc.owner === viewer.actor.id || viewer.actor.admin)) throw notFound(a.entity.name, id);
    return doc;
  }

  /** Changing a view is for its owner or an administrator; others may only read a shared one. */
  async function findOwn(a: Access, id: string, viewer: Viewer): Promise<ViewDoc> {
    const doc = await find(a, id, viewer);
    if (doc.owner !== viewer.actor.id && !viewer.actor.admin) throw sharedProblems.forbidden.create({ detail: 'Only its owner or an administrator can change this list view' });
    return doc;
  }

  return {
    init: () => views.createIndex({ entity: 1, owner: 1 }),
    async list(entity: string, viewer: Viewer): Promise<View[]> {
      const a = access(entity, viewer);
      const docs = await views.find({ entity: a.entity.name, $or: [{ shared: true }, { owner: viewer.actor.id }] }).sort({ label: 1, _id: 1 }).limit(MAX_OWN_VIEWS * 5).toArray();
      return docs.map((d) => toView(d, visibleTo(a)));
    },
    async get(entity: string, id: string, viewer: Viewer): Promise<View> {
      const a = access(entity, viewer);
      return toView(await find(a, id, viewer), visibleTo(a));
    },
    async create(entity: string, body: unknown, viewer: Viewer): Promise<View> {
      const a = access(entity, viewer);
      const view = check(a, viewer, body);
      if ((await views.countDocuments({ entity: a.entity.name, owner: viewer.actor.id })) >= MAX_OWN_VIEWS) throw uiProblems.tooMany.create({ detail: `You already have ${MAX_OWN_VIEWS} list views of ${a.entity.name}` });
      const now = new Date();
      const doc: ViewDoc = { ...view, _id: new ObjectId(), entity: a.entity.name, owner: viewer.actor.id, createdAt: now, updatedAt: now };
      await views.insertOne(doc);
      return toView(doc, visibleTo(a));
    },
    async replace(entity: string, id: string, body: unknown, viewer: Viewer): Promise<View> {
      const a = access(entity, viewer);
      const before = await findOwn(a, id, viewer);
      const view = check(a, viewer, body, before.shared);
      const doc: ViewDoc = { ...view, _id: before._id, entity: before.entity, owner: before.owner, createdAt: before.createdAt, updatedAt: new Date() };
      await views.replaceOne({ _id: before._id }, doc);
      return toView(doc, visibleTo(a));
    },
    async remove(entity: string, id: string, viewer: Viewer): Promise<void> {
      const a = access(entity, viewer);
      await views.deleteOne({ _id: (await findOwn(a, id, viewer))._id });
    },
  };
}
