/** What the authentication middleware left on a request, and the session cookie's shape. */
import type { CookieOptions, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Authenticated } from './auth.service.ts';

export type CookieSettings = { name: string; secure: boolean; maxAgeMs: number };

export const authOf = (res: Response): Authenticated | undefined => res.locals.auth as Authenticated | undefined;

export function requireAuth(res: Response): Authenticated {
  const auth = authOf(res);
  if (!auth) throw new Error('No authenticated caller: this route is not behind requireSignIn');
  return auth;
}

export function sessionSecretOf(req: Request, cookie: Pick<CookieSettings, 'name'>): string | undefined {
  return parseCookies(req.get('cookie') ?? '')[cookie.name];
}

/** httpOnly (no script reads it), SameSite=Lax (not sent on cross-site writes), Secure over HTTPS. */
export function sessionCookieOptions(cookie: CookieSettings): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: cookie.secure, path: '/', maxAge: cookie.maxAgeMs };
}

export function setSessionCookie(res: Response, cookie: CookieSettings, secret: string): void {
  res.cookie(cookie.name, secret, sessionCookieOptions(cookie));
}

export function clearSessionCookie(res: Response, cookie: CookieSettings): void {
  const { maxAge: _maxAge, ...options } = sessionCookieOptions(cookie);
  res.clearCookie(cookie.name, options);
}
