/** /api/users, /api/roles and /api/access-log: administrators only (the app mounts requireAdmin first). */
import { Router, type Request } from 'express';
import type { Auth } from './index.ts';
import { requireAuth } from './request-auth.ts';
import { authProblems } from './auth.problems.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

function limitOf(value: unknown): number {
  if (value === undefined) return 50;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw authProblems.validationFailed.create({ detail: 'limit must be an integer from 1 to 200', errors: [{ pointer: '/limit', detail: 'must be an integer from 1 to 200' }] });
  return n;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function adminRoutes(auth: Auth): Router {
  const router = Router();
  const actorId = (res: Parameters<typeof requireAuth>[0]) => requireAuth(res).user.id;

  router.get('/api/users', async (_req, res) => {
    res.json({ data: await auth.users.list() });
  });
  router.post('/api/users', async (req, res) => {
    const user = await auth.users.create(req.body, actorId(res));
    res.status(201).location(`/api/users/${user.id}`).json(user);
  });
  router.get('/api/users/:id', async (req, res) => {
    res.json(await auth.users.get(param(req, 'id')));
  });
  router.patch('/api/users/:id', async (req, res) => {
    res.json(await auth.users.update(param(req, 'id'), req.body, actorId(res)));
  });
  /** A one-time link to set a password (invitation or admin-assisted reset), shown once. */
  router.post('/api/users/:id/password-link', async (req, res) => {
    const { token, expiresAt } = await auth.users.issueSetPasswordLink(param(req, 'id'), actorId(res));
    res.status(201).json({ token, expiresAt, path: `/reset-password#token=${token}` });
  });
  router.get('/api/roles', async (_req, res) => {
    res.json({ data: await auth.roles.list() });
  });
  router.get('/api/roles/:name', async (req, res) => {
    res.json(await auth.roles.get(param(req, 'name')));
  });
  router.put('/api/roles/:name', async (req, res) => {
    res.json(await auth.roles.put(param(req, 'name'), req.body, actorId(res)));
  });
  router.delete('/api/roles/:name', async (req, res) => {
    await auth.roles.remove(param(req, 'name'), actorId(res));
    res.status(204).end();
  });
  router.get('/api/access-log', async (req, res) => {
    res.json(await auth.accessLog.query({ kind: text(req.query.kind), userId: text(req.query.userId), before: text(req.query.before), limit: limitOf(req.query.limit) }));
  });
  return router;
}
