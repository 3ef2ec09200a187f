/** Who is looking at forms, views and dashboards: the actor and the roles forms and dashboards are chosen by. */
import type { Response } from 'express';
import { authOf } from '../auth/index.ts';
import { actorOf, type Actor } from '../shared/actor.ts';

export type Viewer = { actor: Actor; roles: readonly string[] };

export const viewerOf = (res: Response): Viewer => ({ actor: actorOf(res), roles: authOf(res)?.user.roles ?? [] });

/** The viewer holds one of `roles`. */
export const holdsOneOf = (roles: readonly string[] | undefined, viewer: Viewer): boolean => !!roles?.some((r) => viewer.roles.includes(r));

/** Made for everyone (no roles) or for one of the viewer's roles; administrators see everything. */
export const offeredTo = (roles: readonly string[] | undefined, viewer: Viewer): boolean => viewer.actor.admin || !roles?.length || holdsOneOf(roles, viewer);
