/**
 * Signing in and out, passwords, first-run setup, and turning a request's credential into an
 * Actor. Wrong email, wrong password and deactivated account answer the same 401 after the same
 * argon2 work, so responses and timing do not tell which accounts exist.
 */
import { ObjectId, type Db } from 'mongodb';
import { Problem } from '../shared/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { authProblems } from './auth.problems.ts';
import { compileCheck, failWith } from './check-input.ts';
import { ROLES, USERS, type Directory, type DirectoryUser, type UserDoc } from './directory.ts';
import { checkPassword, hashPassword, passwordProblems } from './passwords.ts';
import { buildActor, type TokenScope } from './policy.ts';
import type { Sessions, SessionDoc } from './sessions.ts';
import type { ApiTokens, TokenDoc } from './api-tokens.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import type { AccessLog } from './access-log.ts';
import type { RateLimits } from './rate-limits.ts';
import { ADMIN_ROLE } from './roles.service.ts';

export type Authenticated = { actor: Actor; user: DirectoryUser; via: 'session'; session: SessionDoc } | { actor: Actor; user: DirectoryUser; via: 'token'; token: TokenDoc };
export type ClientInfo = { ip: string; userAgent?: string };
export type AuthService = ReturnType<typeof createAuthService>;
export type AuthServiceDeps = {
  db: Db; directory: Directory; sessions: Sessions; tokens: ApiTokens; oneTime: OneTimeTokens; accessLog: AccessLog; limits: RateLimits;
  resetTtlMs: number; setupTtlMs: number; publicUrl: string;
};

const TOKEN_LOG_EVERY_MS = 60_000;

const checkSignIn = compileCheck<{ email: string; password: string }>({
  type: 'object', additionalProperties: false, required: ['email', 'password'],
  properties: { email: { type: 'string', minLength: 1, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
});
const checkPasswordChange = compileCheck<{ currentPassword: string; newPassword: string }>({
  type: 'object', additionalProperties: false, required: ['currentPassword', 'newPassword'],
  properties: { currentPassword: { type: 'string', maxLength: 1024 }, newPassword: { type: 'string' } },
});
const checkResetRequest = compileCheck<{ email: string }>({ type: 'object', additionalProperties: false, required: ['email'], properties: { email: { type: 'string', minLength: 1, maxLength: 254 } } });
const checkResetConfirm = compileCheck<{ token: string; password: string }>({
  type: 'object', additionalProperties: false, required: ['token', 'password'], properties: { token: { type: 'string', maxLength: 100 }, password: { type: 'string' } },
});
const checkSetup = compileCheck<{ token: string; email: string; name: string; password: string }>({
  type: 'object', additionalProperties: false, required: ['token', 'email', 'name', 'password'],
  properties: { token: { type: 'string', maxLength: 100 }, email: { type: 'string', format: 'email', maxLength: 254 }, name: { type: 'string', minLength: 1, maxLength: 200 }, password: { type: 'string' } },
});

const normalEmail = (email: string) => email.trim().toLowerCase();

export function createAuthService(deps: AuthServiceDeps) {
  const { db, directory, sessions, accessLog, limits } = deps;
  const users = db.collection<UserDoc>(USERS);
  const tokenLogged = new Map<string, number>();

  function actorFor(user: DirectoryUser, scopes?: readonly TokenScope[]): Actor {
    const roles = user.roles.map((r) => directory.role(r)).filter((r) => r !== undefined);
    return buildActor({ user: { id: user.id, email: user.email, team: user.team, attributes: user.attributes, roles: user.roles }, roles, teamMembers: directory.teamMembers(user.team), scopes });
  }

  async function setPassword(userId: string, password: string): Promise<void> {
    await users.updateOne({ _id: new ObjectId(userId) }, { $set: { passwordHash: await hashPassword(password), updatedAt: new Date() } });
    await Promise.all([sessions.revokeAll(userId), deps.oneTime.revokeFor(userId, 'password-reset')]);
  }

  /** A 429 is an access-log entry too, so administrators see lockouts. */
  async function limited(check: Promise<void>, entry: { email: string; ip: string; userId?: string }): Promise<void> {
    try {
      await check;
    } catch (err) {
      if (err instanceof Problem && err.status === 429) await accessLog.record({ kind: 'rate-limited', userId: entry.userId ?? null, ip: entry.ip, detail: { email: entry.email } });
      throw err;
    }
  }

  async function noteTokenUse(token: TokenDoc, ip: string): Promise<void> {
    const key = token._id.toHexString();
    const last = tokenLogged.get(key) ?? 0;
    if (Date.now() - last < TOKEN_LOG_EVERY_MS) return;
    if (tokenLogged.size >= 10_000) tokenLogged.clear();
    tokenLogged.set(key, Date.now());
    await Promise.all([deps.tokens.touch(token._id), accessLog.record({ kind: 'token-used', actorId: token.userId, userId: token.userId, ip, detail: { tokenId: key, name: token.name } })]);
  }

  return {
    actorFor,
    /** The user behind a bearer token or session cookie, or null. A bad bearer token is an error, not anonymous. */
    async authenticate(input: { bearer?: string; sessionSecret?: string; ip: string }): Promise<Authenticated | null> {
      if (input.bearer !== undefined) {
        const token = await deps.tokens.verify(input.bearer);
        const user = token ? directory.user(token.userId) : undefined;
        if (!token || !user?.active) throw authProblems.unauthenticated.create({ detail: 'The API token is invalid, expired or revoked' });
        await noteTokenUse(token, input.ip);
        return { actor: actorFor(user, token.scopes), user, via: 'token', token };
      }
      if (!input.sessionSecret) return null;
      const session = await sessions.find(input.sessionSecret);
      const user = session ? directory.user(session.userId) : undefined;
      if (!session || !user?.active) return null;
      return { actor: actorFor(user), user, via: 'session', session };
    },
    async signIn(body: unknown, client: ClientInfo & { previousSecret?: string }) {
      const input = checkSignIn(body);
      const email = normalEmail(input.email);
      await limited(limits.beforeSignIn(email, client.ip), { email, ip: client.ip });
      const doc = await users.findOne({ email });
      const ok = await checkPassword(doc?.passwordHash, input.password);
      if (!ok || !doc?.active) {
        await limits.signInFailed(email);
        await accessLog.record({ kind: 'sign-in-failed', userId: doc?._id.toHexString() ?? null, ip: client.ip, detail: { email } });
        throw authProblems.invalidCredentials.create();
      }
      const userId = doc._id.toHexString();
      await limits.signInSucceeded(email);
      // A new session id at every sign-in (no fixation); the one the browser had ends.
      if (client.previousSecret) await sessions.revoke(client.previousSecret);
      const created = await sessions.create(userId, client);
      await accessLog.record({ kind: 'sign-in', actorId: userId, userId, ip: client.ip });
      return { ...created, userId };
    },
    async signOut(auth: Authenticated, secret: string | undefined, ip: string): Promise<void> {
      if (secret) await sessions.revoke(secret);
      await accessLog.record({ kind: 'sign-out', actorId: auth.user.id, userId: auth.user.id, ip });
    },
    /** Every session of the user ends; a signed-in caller gets a fresh one. */
    async changePassword(auth: Authenticated, body: unknown, client: ClientInfo) {
      const input = checkPasswordChange(body, passwordProblems(body && typeof body === 'object' ? (body as { newPassword?: unknown }).newPassword : undefined, auth.user.email, '/newPassword'));
      await limited(limits.beforeSignIn(auth.user.email, client.ip), { email: auth.user.email, ip: client.ip, userId: auth.user.id });
      const doc = await users.findOne({ _id: auth.user._id });
      if (!(await checkPassword(doc?.passwordHash, input.currentPassword))) {
        await limits.signInFailed(auth.user.email);
        failWith([{ pointer: '/currentPassword', detail: 'is wrong' }]);
      }
      await setPassword(auth.user.id, input.newPassword);
      await accessLog.record({ kind: 'password-changed', actorId: auth.user.id, userId: auth.user.id, ip: client.ip });
      return auth.via === 'session' ? sessions.create(auth.user.id, client) : null;
    },
    /** Always accepted (202) after the same checks; the mail is queued in the background only for a real, active account. */
    async requestReset(body: unknown, client: ClientInfo): Promise<() => Promise<void>> {
      const email = normalEmail(checkResetRequest(body).email);
      await limited(limits.beforeReset(email, client.ip), { email, ip: client.ip });
      return async () => {
        const user = await users.findOne({ email, active: true }, { projection: { passwordHash: 0 } });
        await accessLog.record({ kind: 'password-reset-requested', userId: user?._id.toHexString() ?? null, ip: client.ip, detail: { email } });
        if (!user) return;
        const { token, expiresAt } = await deps.oneTime.issue({ purpose: 'password-reset', userId: user._id.toHexString(), ttlMs: deps.resetTtlMs });
        // Delivered by the mail outbox (issue 7). The link uses the configured public URL, never the request's Host header.
        await db.collection('mail_outbox').insertOne({ template: 'password-reset', to: user.email, data: { name: user.name, url: `${deps.publicUrl}/reset-password#token=${token}`, expiresAt }, status: 'pending', createdAt: new Date() });
      };
    },
    async confirmReset(body: unknown, client: ClientInfo): Promise<void> {
      const input = checkResetConfirm(body, passwordProblems((body as { password?: unknown } | null)?.password));
      const used = await deps.oneTime.consume('password-reset', input.token);
      const user = used?.userId ? directory.user(used.userId) : undefined;
      if (!used || !user?.active) throw authProblems.invalidToken.create();
      // Account recovery: whoever held the account before loses every way in, tokens included, and the owner is no longer locked out.
      await setPassword(user.id, input.password);
      await Promise.all([deps.tokens.revokeAll(user.id), limits.signInSucceeded(user.email)]);
      await accessLog.record({ kind: 'password-reset', actorId: user.id, userId: user.id, ip: client.ip });
    },
    setupNeeded: async (): Promise<boolean> => (await users.countDocuments({}, { limit: 1 })) === 0,
    /** First run: a printed one-time link lets the first person in create the administrator. */
    async setup(body: unknown, client: ClientInfo) {
      const input = checkSetup(body, passwordProblems((body as { password?: unknown } | null)?.password, (body as { email?: string } | null)?.email));
      if ((await users.countDocuments({}, { limit: 1 })) > 0) throw authProblems.setupDone.create();
      if (!(await deps.oneTime.consume('setup', input.token))) throw authProblems.invalidToken.create();
      const userId = await createAdmin({ email: input.email, name: input.name, password: input.password });
      await accessLog.record({ kind: 'setup', actorId: userId, userId, ip: client.ip });
      return sessions.create(userId, client);
    },
    /** At start, with no users: an admin from the environment, or a one-time setup token to print. */
    async bootstrap(admin?: { email: string; password: string }): Promise<{ setupToken?: string }> {
      if ((await users.countDocuments({}, { limit: 1 })) > 0) return {};
      if (admin) {
        failWith(passwordProblems(admin.password, admin.email, '/RAPPORT_ADMIN_PASSWORD'));
        const userId = await createAdmin({ email: admin.email, name: 'Administrator', password: admin.password });
        await accessLog.record({ kind: 'setup', actorId: userId, userId, detail: { from: 'environment' } });
        return {};
      }
      return { setupToken: (await deps.oneTime.issue({ purpose: 'setup', userId: null, ttlMs: deps.setupTtlMs })).token };
    },
  };

  async function createAdmin(input: { email: string; name: string; password: string }): Promise<string> {
    await db.collection(ROLES).updateOne({ _id: ADMIN_ROLE.name as never }, { $setOnInsert: { definition: ADMIN_ROLE, updatedAt: new Date(), updatedBy: 'system' } }, { upsert: true });
    const now = new Date();
    const doc: UserDoc = { _id: new ObjectId(), email: normalEmail(input.email), name: input.name, active: true, roles: [ADMIN_ROLE.name], team: null, attributes: {}, passwordHash: await hashPassword(input.password), createdAt: now, updatedAt: now };
    await users.insertOne(doc);
    await directory.changed();
    return doc._id.toHexString();
  }
}
