/**
 * Plugin HTTP endpoints at /api/plugins/<id>/call/<path>: for any signed-in user, the handler runs
 * with that user's permissions (its SDK calls go through the same checks as theirs) and answers
 * {status, body}; only 2xx-4xx statuses and JSON bodies go out.
 */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import { pluginProblems } from './plugins.problems.ts';
import type { PluginRuntime } from './plugin-runtime.ts';

export function pluginEndpointsRoutes(runtime: PluginRuntime): Router {
  const router = Router();
  router.all('/api/plugins/:id/call/*path', async (req: Request, res) => {
    const id = String(req.params.id);
    const path = '/' + ([] as string[]).concat(req.params.path as string | string[]).join('/');
    const found = runtime.endpointFor(id, req.method, path);
    if (!found) throw pluginProblems.pluginNotFound.create({ detail: `No enabled plugin ${id} answers ${req.method} ${path}` });
    const actor = actorOf(res);
    const answer = await runtime.invoke(found.plugin, found.endpoint.handler, { method: req.method, path, query: req.query, body: req.body ?? null, user: { id: actor.id } }, actor);
    const { status, body } = (answer ?? {}) as { status?: unknown; body?: unknown };
    const code = typeof status === 'number' && Number.isInteger(status) && status >= 200 && status < 500 ? status : 200;
    res.status(code).json(body ?? null);
  });
  return router;
}
