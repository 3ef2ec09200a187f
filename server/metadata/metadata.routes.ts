/** /api/metadata: entity definitions (admin-only once the identity issue lands). */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import { etagOf, ifMatchVersion } from '../shared/etag.ts';
import type { MetadataService } from './metadata.service.ts';
import type { StoredEntity } from './metadata.store.ts';

const view = (doc: StoredEntity) => ({ ...doc.definition, version: doc.version, metadataVersion: doc.metadataVersion, updatedAt: doc.updatedAt });
const param = (req: Request, name: string): string => String(req.params[name]);

export function metadataRoutes(service: MetadataService): Router {
  const router = Router();
  const change = (req: Request, res: Parameters<typeof actorOf>[0]) => ({ actor: actorOf(res).id, expectedVersion: ifMatchVersion(req) });

  router.get('/api/metadata/entities', async (_req, res) => {
    const list = await service.list();
    res.json({ data: list.map((e) => ({ ...e.definition, version: e.version, metadataVersion: e.metadataVersion })) });
  });
  router.post('/api/metadata/entities', async (req, res) => {
    const saved = await service.create(req.body, { actor: actorOf(res).id });
    res.status(201).location(`/api/metadata/entities/${saved._id}`).set('ETag', etagOf(saved.version)).json(view(saved));
  });
  router.get('/api/metadata/entities/:entity', async (req, res) => {
    const doc = await service.get(param(req, 'entity'));
    res.set('ETag', etagOf(doc.version)).json(view(doc));
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
