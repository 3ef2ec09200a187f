/**
 * /api/metadata: entity definitions. Administrators change them; everyone signed in reads the
 * entities they can read, without the fields hidden from them, with what they may do (issue 4).
 */
import { Router, type Request } from 'express';
import { actorOf, type Actor } from '../shared/actor.ts';
import { metadataProblems } from './metadata.problems.ts';
import { etagOf, ifMatchVersion } from '../shared/etag.ts';
import type { MetadataService } from './metadata.service.ts';
import type { StoredEntity } from './metadata.store.ts';

type Viewed = Pick<StoredEntity, 'definition' | 'version' | 'metadataVersion'> & { updatedAt?: Date };
const view = (doc: Viewed) => ({ ...doc.definition, version: doc.version, metadataVersion: doc.metadataVersion, ...(doc.updatedAt ? { updatedAt: doc.updatedAt } : {}) });

/**
 * The definition as `actor` may see it, with their permissions on it (administrators may do
 * everything, so theirs round-trips to PUT unchanged); null when they cannot read the entity.
 */
function visibleTo(actor: Actor, doc: Viewed) {
  if (actor.admin) return view(doc);
  const { operations, fields } = actor.permissions(doc.definition.name);
  if (!operations.read) return null;
  const hidden = new Set(Object.keys(fields).filter((name) => fields[name] === 'hidden'));
  const definition = hidden.size
    ? { ...doc.definition, fields: doc.definition.fields.filter((f) => !hidden.has(f.name)), searchFields: doc.definition.searchFields?.filter((n) => !hidden.has(n)) }
    : doc.definition;
  return { ...view({ ...doc, definition }), permissions: { ...operations, fields: Object.fromEntries(Object.entries(fields).filter(([name]) => !hidden.has(name))) } };
}
const param = (req: Request, name: string): string => String(req.params[name]);

export function metadataRoutes(service: MetadataService): Router {
  const router = Router();
  const change = (req: Request, res: Parameters<typeof actorOf>[0]) => ({ actor: actorOf(res).id, expectedVersion: ifMatchVersion(req) });

  router.get('/api/metadata/entities', async (_req, res) => {
    const list = await service.list();
    const actor = actorOf(res);
    res.json({ data: list.map((e) => visibleTo(actor, e)).filter((e) => e !== null) });
  });
  router.post('/api/metadata/entities', async (req, res) => {
    const saved = await service.create(req.body, { actor: actorOf(res).id });
    res.status(201).location(`/api/metadata/entities/${saved._id}`).set('ETag', etagOf(saved.version)).json(view(saved));
  });
  router.get('/api/metadata/entities/:entity', async (req, res) => {
    const doc = await service.get(param(req, 'entity'));
    const visible = visibleTo(actorOf(res), doc);
    if (!visible) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${param(req, 'entity')}"` });
    res.set('ETag', etagOf(doc.version)).json(visible);
  });
  router.put('/api/metadata/entities/:entity', async (req, res) => {
    const saved = await service.replace(param(req, 'entity'), req.body, change(req, res));
    res.set('ETag', etagOf(saved.version)).json(view(saved));
  });
  router.delete('/api/metadata/entities/:entity', async (req, res) => {
    await service.remove(param(req, 'entity'), change(req, res));
    res.status(204).end();
  });
  router.get('/api/metadata/entities/:entity/history', async (req, res) => {
    res.json({ data: await service.history(param(req, 'entity')) });
  });
  router.get('/api/metadata/archive', async (req, res) => {
    const entity = typeof req.query.entity === 'string' ? req.query.entity : undefined;
    res.json({ data: await service.archived(entity) });
  });
  router.post('/api/metadata/archive/:id/restore', async (req, res) => {
    const saved = await service.restoreArchived(param(req, 'id'), { actor: actorOf(res).id });
    res.set('ETag', etagOf(saved.version)).json(view(saved));
  });
  router.delete('/api/metadata/archive/:id', async (req, res) => {
    await service.purgeArchived(param(req, 'id'));
    res.status(204).end();
  });
  router.post('/api/metadata/entities/:entity/fields', async (req, res) => {
    const saved = await service.addField(param(req, 'entity'), req.body, change(req, res));
    res.status(201).set('ETag', etagOf(saved.version)).json(view(saved));
  });
  router.put('/api/metadata/entities/:entity/fields/:field', async (req, res) => {
    const saved = await service.replaceField(param(req, 'entity'), param(req, 'field'), req.body, change(req, res));
    res.set('ETag', etagOf(saved.version)).json(view(saved));
  });
  router.delete('/api/metadata/entities/:entity/fields/:field', async (req, res) => {
    const saved = await service.removeField(param(req, 'entity'), param(req, 'field'), change(req, res));
    res.set('ETag', etagOf(saved.version)).json(view(saved));
  });
  return router;
}
