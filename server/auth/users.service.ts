/**
 * Managing users (admin only): create, change, deactivate, issue an invitation or reset link.
 * Deactivating ends access at once: sessions deleted, tokens revoked, and the directory (which
 * every request consults) reloaded. The last active administrator cannot be removed.
 */
import { ObjectId, type Db, type MongoServerError } from 'mongodb';
import { authProblems } from './auth.problems.ts';
import { compileCheck } from './check-input.ts';
import { USERS, type Directory, type DirectoryUser, type UserDoc } from './directory.ts';
import { hashPassword, passwordProblems } from './passwords.ts';
import type { Sessions } from './sessions.ts';
import type { ApiTokens } from './api-tokens.ts';
import type { OneTimeTokens } from './one-time-tokens.ts';
import type { AccessLog } from './access-log.ts';

export type UserInput = { email: string; name: string; roles?: string[]; team?: string | null; attributes?: Record<string, string | number | boolean>; active?: boolean; password?: string };
export type UsersService = ReturnType<typeof createUsersService>;
export type UsersDeps = { db: Db; directory: Directory; sessions: Sessions; tokens: ApiTokens; oneTime: OneTimeTokens; accessLog: AccessLog };

export const INVITE_TTL_MS = 72 * 3600_000;

const userProperties = {
  email: { type: 'string', format: 'email', maxLength: 254 },
  name: { type: 'string', minLength: 1, maxLength: 200 },
  roles: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,62}$' } },
  team: { type: ['string', 'null'], minLength: 1, maxLength: 100 },
  attributes: { type: 'object', maxProperties: 50, propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,62}$' }, additionalProperties: { type: ['string', 'number', 'boolean'] } },
  active: { type: 'boolean' },
  password: { type: 'string' },
};
const checkCreate = compileCheck<UserInput>({ type: 'object', additionalProperties: false, required: ['email', 'name'], properties: userProperties });
const { password: _password, ...patchProperties } = userProperties;
const checkPatch = compileCheck<Partial<UserInput>>({ type: 'object', additionalProperties: false, properties: patchProperties });

export const userView = (u: DirectoryUser | UserDoc) => ({
  id: u._id.toHexString(), email: u.email, name: u.name, active: u.active, roles: u.roles, team: u.team ?? null,
  attributes: u.attributes ?? {}, createdAt: u.createdAt, updatedAt: u.updatedAt,
});

export function createUsersService(deps: UsersDeps) {
  const { db, directory } = deps;
  const users = db.collection<UserDoc>(USERS);

  function roleErrors(roles: string[] | undefined) {
    return (roles ?? []).flatMap((r, i) => (directory.role(r) ? [] : [{ pointer: `/roles/${i}`, detail: `is not a role (${r})` }]));
  }

  async function find(id: string): Promise<UserDoc> {
    const doc = /^[0-9a-f]{24}$/.test(id) ? await users.findOne({ _id: new ObjectId(id) }, { projection: { passwordHash: 0 } }) : null;
    if (!doc) throw authProblems.userNotFound.create({ detail: `There is no user ${id}` });
    return doc;
  }

  const adminRoles = () => directory.roles().filter((r) => r.admin === true).map((r) => r.name);
  const isAdmin = (u: { active: boolean; roles: string[] }) => u.active && u.roles.some((r) => adminRoles().includes(r));
  const lastAdmin = () => authProblems.conflict.create({ detail: 'This would leave Rapport without an active administrator' });

  /**
   * After a change that took an administrator away: if the database (not the cache, which may lag
   * or race with a concurrent change) has no active administrator left, the change is undone.
   */
  async function keepAnAdmin(existing: UserDoc, after: { active: boolean; roles: string[] }): Promise<void> {
    if (!isAdmin(existing) || isAdmin(after)) return;
    const left = await users.countDocuments({ active: true, roles: { $in: adminRoles() } }, { limit: 1 });
    if (left > 0) return;
    await users.updateOne({ _id: existing._id }, { $set: { active: existing.active, roles: existing.roles } });
    throw lastAdmin();
  }

  const uniqueEmail = (err: unknown): never => {
    if ((err as MongoServerError)?.code === 11000) throw authProblems.conflict.create({ detail: 'Another user has this email', errors: [{ pointer: '/email', detail: 'is taken' }] });
    throw err;
  };

  return {
    init: () => users.createIndex({ email: 1 }, { unique: true }),
    async list() {
      return (await users.find({}, { projection: { passwordHash: 0 } }).sort({ email: 1 }).toArray()).map(userView);
    },
    get: async (id: string) => userView(await find(id)),
    async create(body: unknown, actorId: string) {
      const input = checkCreate(body, [...roleErrors((body as UserInput | null)?.roles), ...(body && typeof body === 'object' && 'password' in body ? passwordProblems((body as UserInput).password, (body as UserInput).email) : [])]);
      const now = new Date();
      const doc: UserDoc = {
        _id: new ObjectId(), email: input.email.toLowerCase(), name: input.name, active: input.active ?? true, roles: input.roles ?? [],
        team: input.team ?? null, attributes: input.attributes ?? {}, createdAt: now, updatedAt: now,
        ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      };
      await users.insertOne(doc).catch(uniqueEmail);
      await directory.changed();
      await deps.accessLog.record({ kind: 'user-created', actorId, userId: doc._id.toHexString(), detail: { roles: doc.roles } });
      const { passwordHash: _omit, ...view } = doc;
      return userView(view);
    },
    async update(id: string, body: unknown, actorId: string) {
      const patch = checkPatch(body, roleErrors((body as UserInput | null)?.roles));
      const existing = await find(id);
      const after = { active: patch.active ?? existing.active, roles: patch.roles ?? existing.roles };
      // The cache answers the common case at once; keepAnAdmin settles races against the database.
      if (isAdmin(existing) && !isAdmin(after) && !directory.users().some((u) => u.id !== id && isAdmin(u))) throw lastAdmin();
      const $set: Partial<UserDoc> = { ...patch, ...(patch.email ? { email: patch.email.toLowerCase() } : {}), updatedAt: new Date() };
      await users.updateOne({ _id: existing._id }, { $set }).catch(uniqueEmail);
      await keepAnAdmin(existing, after);
      if (existing.active && patch.active === false) {
        await Promise.all([deps.sessions.revokeAll(id), deps.tokens.revokeAll(id), deps.oneTime.revokeFor(id, 'password-reset')]);
        await deps.accessLog.record({ kind: 'user-deactivated', actorId, userId: id });
      }
      const rolesChanged = patch.roles && patch.roles.join() !== existing.roles.join();
      await deps.accessLog.record({ kind: rolesChanged ? 'role-changed' : 'user-updated', actorId, userId: id, detail: { fields: Object.keys(patch), ...(rolesChanged ? { roles: patch.roles } : {}) } });
      await directory.changed();
      return userView({ ...existing, ...$set } as UserDoc);
    },
    /** A one-time link for the user to set a password: invitations and admin-assisted resets. */
    async issueSetPasswordLink(id: string, actorId: string) {
      const user = await find(id);
      if (!user.active) throw authProblems.conflict.create({ detail: 'The user is deactivated' });
      const issued = await deps.oneTime.issue({ purpose: 'password-reset', userId: id, ttlMs: INVITE_TTL_MS });
      await deps.accessLog.record({ kind: 'password-reset-requested', actorId, userId: id, detail: { by: 'admin' } });
      return issued;
    },
  };
}
