/**
 * The studio's metadata (issue 8): forms and list views per entity, dashboards. Routes validate
 * input, call the store, respond. Writing forms and dashboards is for administrators; list views
 * are for whoever can read the entity (the store checks ownership and sharing).
 */
import { Router, type Request } from 'express';
import { requireAdmin } from '../http/authenticate.ts';
import { actorOf } from '../shared/actor.ts';
import type { createFormsStore } from './forms.store.ts';
import type { createViewsStore } from './views.store.ts';
import type { createDashboardsStore } from './dashboards.store.ts';
import { viewerOf } from './viewer.ts';

type Stores = { forms: ReturnType<typeof createFormsStore>; views: ReturnType<typeof createViewsStore>; dashboards: ReturnType<typeof createDashboardsStore> };

const param = (req: Request, name: string): string => String(req.params[name]);

export function uiRoutes({ forms, views, dashboards }: Stores): Router {
  const router = Router();
  const entity = '/api/entities/:entity';

  router.get(`${entity}/forms`, async (req, res) => {
    res.json({ items: await forms.list(param(req, 'entity'), viewerOf(res)) });
  });
  router.get(`${entity}/form`, async (req, res) => {
    res.json(await forms.effective(param(req, 'entity'), viewerOf(res)));
  });
  router.get(`${entity}/forms/:name`, async (req, res) => {
    res.json(await forms.get(param(req, 'entity'), param(req, 'name'), viewerOf(res)));
  });
  router.put(`${entity}/forms/:name`, requireAdmin, async (req, res) => {
    const { created, form } = await forms.put(param(req, 'entity'), param(req, 'name'), req.body, actorOf(res).id);
    res.status(created ? 201 : 200).json(form);
  });
  router.delete(`${entity}/forms/:name`, requireAdmin, async (req, res) => {
    await forms.remove(param(req, 'entity'), param(req, 'name'));
    res.status(204).end();
  });

  router.get(`${entity}/views`, async (req, res) => {
    res.json({ items: await views.list(param(req, 'entity'), viewerOf(res)) });
  });
  router.post(`${entity}/views`, async (req, res) => {
    const view = await views.create(param(req, 'entity'), req.body, viewerOf(res));
    res.status(201).location(`/api/entities/${view.entity}/views/${view._id}`).json(view);
  });
  router.get(`${entity}/views/:id`, async (req, res) => {
    res.json(await views.get(param(req, 'entity'), param(req, 'id'), viewerOf(res)));
  });
  router.put(`${entity}/views/:id`, async (req, res) => {
    res.json(await views.replace(param(req, 'entity'), param(req, 'id'), req.body, viewerOf(res)));
  });
  router.delete(`${entity}/views/:id`, async (req, res) => {
    await views.remove(param(req, 'entity'), param(req, 'id'), viewerOf(res));
    res.status(204).end();
  });

  router.get('/api/dashboards', async (_req, res) => {
    res.json({ items: await dashboards.list(viewerOf(res)) });
  });
  router.get('/api/dashboards/:name', async (req, res) => {
    res.json(await dashboards.get(param(req, 'name'), viewerOf(res)));
  });
  router.get('/api/dashboards/:name/data', async (req, res) => {
    res.json(await dashboards.data(param(req, 'name'), viewerOf(res)));
  });
  router.put('/api/dashboards/:name', requireAdmin, async (req, res) => {
    const { created, dashboard } = await dashboards.put(param(req, 'name'), req.body, actorOf(res).id);
    res.status(created ? 201 : 200).json(dashboard);
  });
  router.delete('/api/dashboards/:name', requireAdmin, async (req, res) => {
    await dashboards.remove(param(req, 'name'), viewerOf(res));
    res.status(204).end();
  });
  return router;
}
