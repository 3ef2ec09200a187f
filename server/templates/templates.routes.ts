/**
 * /api/templates (issue 7). Everyone signed in lists and reads templates and previews one against
 * a record they can read (printing a document, checking an email); saving, deleting, history and
 * restoring are for administrators.
 */
import { Router, type Request } from 'express';
import { requireAdmin } from '../http/authenticate.ts';
import { actorOf } from '../shared/actor.ts';
import { etagOf, ifMatchVersion } from '../shared/etag.ts';
import type { TemplatesService } from './templates.service.ts';
import { templateProblems } from './templates.problems.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

/** The reader's first Accept-Language, when it is a language tag: the preview's locale unless the body names one. */
function preferredLocale(req: Request): string | undefined {
  const [first] = req.acceptsLanguages();
  try {
    return first && first !== '*' ? Intl.getCanonicalLocales(first)[0] : undefined;
  } catch {
    return undefined;
  }
}

function versionParam(req: Request): number {
  const v = Number(req.params.version);
  if (!Number.isSafeInteger(v) || v < 1) throw templateProblems.invalidRequest.create({ detail: 'The version must be a positive whole number', errors: [{ pointer: '/version', detail: 'must be a positive whole number' }] });
  return v;
}

export function templatesRoutes(service: TemplatesService): Router {
  const router = Router();
  const change = (req: Request, res: Parameters<typeof actorOf>[0]) => ({ by: actorOf(res).id, expectedVersion: ifMatchVersion(req) });

  router.get('/api/templates', async (_req, res) => void res.json({ data: await service.list() }));
  router.get('/api/templates/:name', async (req, res) => {
    const t = await service.get(param(req, 'name'));
    res.set('ETag', etagOf(t.version)).json(t);
  });
  router.post('/api/templates/:name/preview', async (req, res) => void res.json(await service.preview(param(req, 'name'), req.body, actorOf(res), preferredLocale(req))));

  router.put('/api/templates/:name', requireAdmin, async (req, res) => {
    const { template, created } = await service.save(param(req, 'name'), req.body, change(req, res));
    res.status(created ? 201 : 200).set('ETag', etagOf(template.version)).json(template);
  });
  router.delete('/api/templates/:name', requireAdmin, async (req, res) => {
    await service.remove(param(req, 'name'), change(req, res));
    res.status(204).end();
  });
  router.get('/api/templates/:name/versions', requireAdmin, async (req, res) => void res.json({ data: await service.history(param(req, 'name')) }));
  router.get('/api/templates/:name/versions/:version', requireAdmin, async (req, res) => void res.json(await service.version(param(req, 'name'), versionParam(req))));
  router.post('/api/templates/:name/versions/:version/restore', requireAdmin, async (req, res) => {
    const t = await service.restore(param(req, 'name'), versionParam(req), change(req, res));
    res.set('ETag', etagOf(t.version)).json(t);
  });
  return router;
}
