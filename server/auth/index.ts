/**
 * The identity and access capability (issue 4): users, roles, sessions, API tokens, one-time
 * links, rate limits and the access log, built from one db and handed to the HTTP layer.
 */
import type { Db } from 'mongodb';
import { SYSTEM_ACTOR, type Actor } from '../shared/actor.ts';
import type { Logger } from '../shared/logger.ts';
import type { MetadataRegistry } from '../metadata/index.ts';
import { createDirectory } from './directory.ts';
import { createSessions } from './sessions.ts';
import { createCredentialCache } from './credential-cache.ts';
import { createApiTokens } from './api-tokens.ts';
import { createOneTimeTokens } from './one-time-tokens.ts';
import { createAccessLog } from './access-log.ts';
import { createRateLimits, DEFAULT_LIMITS, type RateLimitOptions } from './rate-limits.ts';
import { createAuthService } from './auth.service.ts';
import { createUsersService } from './users.service.ts';
import { createRolesService, type FilterChecker } from './roles.service.ts';
import { createRoleFieldRename } from './role-field-rename.ts';
import { createTokensService } from './tokens.service.ts';

export type { Authenticated, AuthService } from './auth.service.ts';
export type { RoleDefinition } from './role.types.ts';
export type { TokenScope } from './policy.ts';
export { authProblems } from './auth.problems.ts';
export { authRoutes, PUBLIC_AUTH_PATHS } from './auth.routes.ts';
export { adminRoutes } from './admin.routes.ts';
export { sameSecret, newSecret, hashSecret } from './secrets.ts';
export { authOf, sessionSecretOf } from './request-auth.ts';

export type AuthOptions = {
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Where people reach Rapport: the base of reset links (never taken from a request's Host). */
  publicUrl: string;
  limits?: Partial<RateLimitOptions>;
  /** First start only: create this administrator instead of printing a setup link. */
  bootstrapAdmin?: { email: string; password: string };
  directoryPollMs?: number;
};

export const DEFAULT_AUTH_OPTIONS: AuthOptions = { sessionIdleMinutes: 8 * 60, sessionMaxHours: 7 * 24, publicUrl: 'http://127.0.0.1:3000' };

const RESET_TTL_MS = 30 * 60_000;
const SETUP_TTL_MS = 24 * 3600_000;

export type Auth = ReturnType<typeof createAuth>;

export function createAuth(deps: { db: Db; logger: Logger; registry: MetadataRegistry; checkFilter: FilterChecker; options: AuthOptions }) {
  const { db, options } = deps;
  const logger = deps.logger.child({ module: 'auth' });
  const directory = createDirectory({ db, logger, pollMs: options.directoryPollMs });
  const credentials = createCredentialCache({ db, logger, pollMs: options.directoryPollMs });
  const sessions = createSessions(db, { idleMs: options.sessionIdleMinutes * 60_000, absoluteMs: options.sessionMaxHours * 3600_000 }, credentials);
  const tokens = createApiTokens(db, credentials);
  const oneTime = createOneTimeTokens(db);
  const accessLog = createAccessLog(db, logger);
  const limits = createRateLimits(db, { ...DEFAULT_LIMITS, ...options.limits });
  const service = createAuthService({ db, directory, sessions, tokens, oneTime, accessLog, limits, resetTtlMs: RESET_TTL_MS, setupTtlMs: SETUP_TTL_MS, publicUrl: options.publicUrl.replace(/\/+$/, '') });
  const users = createUsersService({ db, directory, sessions, tokens, oneTime, accessLog });
  const roles = createRolesService({ db, directory, registry: deps.registry, checkFilter: deps.checkFilter, accessLog });
  const tokensService = createTokensService({ tokens, accessLog });
  return {
    service, users, roles, tokens: tokensService, accessLog, directory,
    /** Roles follow a field rename (issue 5). */
    fieldRename: createRoleFieldRename({ db, directory }),
    /** The Actor of an active user (or the system actor), for work done later on their behalf. */
    actorOf(userId: string): Actor | undefined {
      if (userId === SYSTEM_ACTOR.id) return SYSTEM_ACTOR;
      const user = directory.user(userId);
      return user?.active ? service.actorFor(user) : undefined;
    },
    /** Secure (and __Host- prefixed) whenever Rapport is served over HTTPS. */
    cookie: { maxAgeMs: options.sessionMaxHours * 3600_000, secure: options.publicUrl.startsWith('https://'), name: options.publicUrl.startsWith('https://') ? '__Host-rapport_session' : 'rapport_session' },
    publicOrigin: new URL(options.publicUrl).origin,
    /** Indexes, the admin role, the directory; then the first-run bootstrap. */
    async start(): Promise<{ setupToken?: string }> {
      await Promise.all([sessions.init(), tokens.init(), oneTime.init(), accessLog.init(), users.init(), roles.init()]);
      await directory.refresh();
      directory.start();
      await credentials.start();
      return service.bootstrap(options.bootstrapAdmin);
    },
    stop(): void {
      directory.stop();
      credentials.stop();
    },
  };
}
