/**
 * Changes to a field holding data (administrators): renames, and type conversions — preview with
 * a plan, apply in the background with progress, see the values that did not convert, roll back.
 */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import { listQuery } from '../records/query-params.ts';
import type { Conversions } from './conversions/conversions.ts';
import type { FieldRename } from './rename-field.ts';
import { etagOf } from '../shared/etag.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

export function fieldChangesRoutes(deps: { conversions: Conversions; rename: FieldRename }): Router {
  const { conversions, rename } = deps;
  const router = Router();
  const field = '/api/metadata/entities/:entity/fields/:field';
  router.post(`${field}/rename`, async (req, res) => {
    const saved = await rename(param(req, 'entity'), param(req, 'field'), req.body, actorOf(res).id);
    res.set('ETag', etagOf(saved.version)).json({ ...saved.definition, version: saved.version, metadataVersion: saved.metadataVersion });
  });
  router.post(`${field}/conversion-plan`, async (req, res) => {
    res.json(await conversions.plan(param(req, 'entity'), param(req, 'field'), req.body));
  });
  router.post(`${field}/conversions`, async (req, res) => {
    const job = await conversions.start(param(req, 'entity'), param(req, 'field'), req.body, actorOf(res).id);
    res.status(202).location(`/api/metadata/conversions/${job.id}`).json(job);
  });
  router.get('/api/metadata/conversions', async (req, res) => {
    res.json({ data: await conversions.list(typeof req.query.entity === 'string' ? req.query.entity : undefined) });
  });
  router.get('/api/metadata/conversions/:id', async (req, res) => {
    res.json(await conversions.get(param(req, 'id')));
  });
  router.get('/api/metadata/conversions/:id/leftovers', async (req, res) => {
    const { limit, cursor } = listQuery({ ...(req.query.limit ? { limit: req.query.limit } : {}), ...(req.query.cursor ? { cursor: req.query.cursor } : {}) }, true);
    res.json(await conversions.leftovers(param(req, 'id'), { cursor, limit: limit ?? 100 }));
  });
  router.post('/api/metadata/conversions/:id/rollback', async (req, res) => {
    const job = await conversions.rollback(param(req, 'id'), actorOf(res).id);
    res.status(202).location(`/api/metadata/conversions/${job.id}`).json(job);
  });
  return router;
}
