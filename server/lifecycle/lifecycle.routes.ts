/**
 * /api/recycle-bin: deleted records, restored or purged. Everyone signed in sees what they deleted
 * themselves; administrators see and purge everything.
 */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import { requireAdmin } from '../http/authenticate.ts';
import { listQuery } from '../records/query-params.ts';
import type { RecycleBin } from './recycle-bin.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

export function lifecycleRoutes(deps: { bin: RecycleBin }): Router {
  const { bin } = deps;
  const router = Router();
  router.get('/api/recycle-bin', async (req, res) => {
    const { limit, cursor } = listQuery({ ...(req.query.limit ? { limit: req.query.limit } : {}), ...(req.query.cursor ? { cursor: req.query.cursor } : {}) }, true);
    const entity = typeof req.query.entity === 'string' ? req.query.entity : undefined;
    res.json(await bin.list(actorOf(res), { entity, cursor, limit: limit ?? 50 }));
  });
  router.get('/api/recycle-bin/:id', async (req, res) => {
    res.json(await bin.get(param(req, 'id'), actorOf(res)));
  });
  router.post('/api/recycle-bin/:id/restore', async (req, res) => {
    res.json(await bin.restore(param(req, 'id'), actorOf(res)));
  });
  router.delete('/api/recycle-bin/:id', requireAdmin, async (req, res) => {
    await bin.purge(param(req, 'id'), actorOf(res));
    res.status(204).end();
  });
  return router;
}
