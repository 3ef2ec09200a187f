/**
 * Who is acting. The identity issue (4) sets `res.locals.actor` from the session or token; until
 * then every request acts as the built-in system actor.
 */
import type { Response } from 'express';

export type Actor = { id: string; kind: 'user' | 'system' };

export const SYSTEM_ACTOR: Actor = { id: 'system', kind: 'system' };

export function actorOf(res: Response): Actor {
  return (res.locals.actor as Actor | undefined) ?? SYSTEM_ACTOR;
}
