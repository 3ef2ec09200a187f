/**
 * /api/auth: sign in and out, the current session, password change and reset, first-run setup,
 * and the caller's API tokens. Sign-in, setup and reset are the only routes open to anyone.
 */
import { Router, type Request, type Response } from 'express';
import type { Auth } from './index.ts';
import { clearSessionCookie, requireAuth, sessionSecretOf, setSessionCookie } from './request-auth.ts';
import { userView } from './users.service.ts';
import type { SessionDoc } from './sessions.ts';

export const PUBLIC_AUTH_PATHS = ['/auth/sign-in', '/auth/setup', '/auth/password-reset', '/auth/password-reset/confirm'] as const;

const client = (req: Request) => ({ ip: req.ip ?? '', userAgent: req.get('user-agent') });

export function authRoutes(auth: Auth): Router {
  const router = Router();
  const { service } = auth;
  const signedIn = (res: Response, created: { secret: string; session: SessionDoc }, status = 200) => {
    setSessionCookie(res, auth.cookie, created.secret);
    const user = auth.directory.user(created.session.userId);
    res.status(status).json({ user: user ? userView(user) : null, csrfToken: created.session.csrf });
  };

  router.post('/api/auth/sign-in', async (req, res) => {
    const created = await service.signIn(req.body, { ...client(req), previousSecret: sessionSecretOf(req, auth.cookie) });
    signedIn(res, created);
  });
  router.post('/api/auth/sign-out', async (req, res) => {
    await service.signOut(requireAuth(res), sessionSecretOf(req, auth.cookie), req.ip ?? '');
    clearSessionCookie(res, auth.cookie);
    res.status(204).end();
  });
  router.get('/api/auth/session', (_req, res) => {
    const a = requireAuth(res);
    res.json({ user: userView(a.user), admin: a.actor.admin, via: a.via, ...(a.via === 'session' ? { csrfToken: a.session.csrf } : { scopes: a.token.scopes }) });
  });
  router.post('/api/auth/password', async (req, res) => {
    const created = await service.changePassword(requireAuth(res), req.body, client(req));
    if (created) setSessionCookie(res, auth.cookie, created.secret);
    res.json(created ? { csrfToken: created.session.csrf } : {});
  });
  router.post('/api/auth/password-reset', async (req, res) => {
    const work = await service.requestReset(req.body, client(req));
    // Answer first, then work: the response and its timing are the same for every email.
    res.status(202).json({ detail: 'If an account has this email, a reset link is on its way' });
    work().catch((err: unknown) => req.log?.error({ err }, 'queueing a password reset failed'));
  });
  router.post('/api/auth/password-reset/confirm', async (req, res) => {
    await service.confirmReset(req.body, client(req));
    res.status(204).end();
  });
  router.get('/api/auth/setup', async (_req, res) => {
    res.json({ needed: await service.setupNeeded() });
  });
  router.post('/api/auth/setup', async (req, res) => {
    signedIn(res, await service.setup(req.body, client(req)), 201);
  });
  router.get('/api/auth/tokens', async (_req, res) => {
    res.json({ data: await auth.tokens.list(requireAuth(res)) });
  });
  router.post('/api/auth/tokens', async (req, res) => {
    res.status(201).json(await auth.tokens.create(requireAuth(res), req.body, req.ip ?? ''));
  });
  router.delete('/api/auth/tokens/:id', async (req, res) => {
    await auth.tokens.revoke(requireAuth(res), String(req.params.id), req.ip ?? '');
    res.status(204).end();
  });
  return router;
}
