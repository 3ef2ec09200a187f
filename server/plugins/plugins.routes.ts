/** /api/plugins: administrators only (the app mounts requireAdmin first). */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import type { PluginsService } from './plugins.service.ts';
import { pluginProblems } from './plugins.problems.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

export function pluginsRoutes(service: PluginsService): Router {
  const router = Router();
  const by = (res: Parameters<typeof actorOf>[0]) => actorOf(res).id;
  router.get('/api/plugins', async (_req, res) => {
    // `available`: what plugins/ holds, so the studio can offer to install it (issue 8).
    const [data, available] = await Promise.all([service.list(), service.available()]);
    res.json({ data, available });
  });
  router.post('/api/plugins', async (req, res) => {
    const { id, bundle } = (req.body ?? {}) as { id?: unknown; bundle?: unknown };
    if (typeof id !== 'string' && bundle === undefined) throw pluginProblems.invalidPlugin.create({ detail: 'Send {"id": "<folder under plugins/>"} or {"bundle": {"manifest", "code"}}', errors: [{ pointer: '/id', detail: 'is required' }] });
    const plugin = typeof id === 'string' ? await service.install(id, by(res)) : await service.installBundle(bundle, by(res));
    res.status(plugin.upgradedFrom ? 200 : 201).json(plugin);
  });
  router.get('/api/plugins/:id', async (req, res) => {
    res.json(await service.get(param(req, 'id')));
  });
  router.put('/api/plugins/:id/grants', async (req, res) => {
    res.json(await service.grant(param(req, 'id'), req.body, by(res)));
  });
  router.put('/api/plugins/:id/settings', async (req, res) => {
    res.json(await service.configure(param(req, 'id'), req.body, by(res)));
  });
  router.post('/api/plugins/:id/enable', async (req, res) => {
    res.json(await service.enable(param(req, 'id'), by(res)));
  });
  router.post('/api/plugins/:id/disable', async (req, res) => {
    res.json(await service.disable(param(req, 'id'), by(res)));
  });
  router.delete('/api/plugins/:id', async (req, res) => {
    await service.uninstall(param(req, 'id'));
    res.status(204).end();
  });
  router.get('/api/plugins/:id/logs', async (req, res) => {
    const limit = Math.min(Math.max(Number(req.query.limit) || 50, 1), 200);
    res.json({ data: await service.logs(param(req, 'id'), limit) });
  });
  return router;
}
