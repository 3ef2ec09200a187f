/** Plugin actions on records, for any signed-in user who can read the record. */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import type { createPluginActions } from './plugin-actions.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

export function pluginActionsRoutes(actions: ReturnType<typeof createPluginActions>): Router {
  const router = Router();
  router.get('/api/entities/:entity/actions', (req, res) => {
    res.json({ data: actions.list(param(req, 'entity'), actorOf(res)) });
  });
  router.post('/api/entities/:entity/records/:id/actions/:plugin/:action', async (req, res) => {
    const input = (req.body as { input?: unknown } | undefined)?.input;
    res.json(await actions.run({ entity: param(req, 'entity'), recordId: param(req, 'id'), pluginId: param(req, 'plugin'), action: param(req, 'action'), input, actor: actorOf(res) }));
  });
  return router;
}
