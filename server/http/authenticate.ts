/**
 * Who is calling: an API token (`Authorization: Bearer rpt_...`) or a session cookie becomes
 * `res.locals.actor`. Cookie-authenticated writes must carry the session's CSRF token, and any
 * write from another site's page (Origin header of a foreign origin) is refused, which also stops
 * cross-site sign-in forms.
 */
import type { Request, RequestHandler } from 'express';
import { authOf, authProblems, sameSecret, sessionSecretOf, type Auth, type Authenticated } from '../auth/index.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `publicPaths` (sign-in, setup, reset) act on no session, so they need no CSRF token; the Origin check still applies. */
export function resolveActor(auth: Auth, publicPaths: readonly string[]): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    let bearer: string | undefined;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw authProblems.unauthenticated.create({ detail: 'Authorization takes a Bearer API token' });
      bearer = match[1];
    }
    const result = await auth.service.authenticate({ bearer, sessionSecret: bearer ? undefined : sessionSecretOf(req, auth.cookie), ip: req.ip ?? '' });
    if (!SAFE.has(req.method)) checkSameSite(req, auth, result, publicPaths);
    if (result) {
      res.locals.actor = result.actor;
      res.locals.auth = result;
      req.log = req.log?.child({ actorId: result.user.id }) ?? req.log;
    }
    next();
  };
}

function checkSameSite(req: Request, auth: Auth, result: Authenticated | null, publicPaths: readonly string[]): void {
  if (result?.via === 'token') return;
  const origin = req.get('origin');
  if (origin !== undefined && origin !== auth.publicOrigin && origin !== `${req.protocol}://${req.get('host')}`) {
    throw authProblems.csrfRejected.create({ detail: 'Writes from other sites are refused' });
  }
  if (result?.via === 'session' && !publicPaths.includes(req.path) && !sameSecret(req.get('x-csrf-token') ?? '', result.session.csrf)) {
    throw authProblems.csrfRejected.create({ detail: 'Send the X-CSRF-Token header with the token from sign-in or GET /api/auth/session' });
  }
}

/** 401 for anyone not signed in, except on the paths that sign people in. */
export function requireSignIn(publicPaths: readonly string[]): RequestHandler {
  return (req, res, next) => {
    if (res.locals.actor || publicPaths.includes(req.path)) return next();
    next(authProblems.unauthenticated.create({ detail: 'Sign in, or send an API token' }));
  };
}

export const requireAdmin: RequestHandler = (_req, res, next) => {
  const auth = authOf(res);
  if (!auth?.actor.admin) return next(authProblems.forbidden.create({ detail: 'Only administrators can do this' }));
  next();
};
