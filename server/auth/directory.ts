/**
 * Users and roles as every request needs them, cached in memory and kept current: each change
 * bumps a version document, this instance reloads at once and others within `pollMs`. So a
 * deactivated user or a changed role takes effect on the next request here, and within a
 * quarter second on every other instance, without three queries per request.
 * Password hashes are never loaded into the cache.
 */
import type { Db, ObjectId } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import type { RoleDefinition } from './role.types.ts';

export type UserDoc = {
  _id: ObjectId;
  email: string;
  name: string;
  active: boolean;
  roles: string[];
  team?: string | null;
  attributes?: Record<string, string | number | boolean>;
  passwordHash?: string;
  createdAt: Date;
  updatedAt: Date;
};
export type DirectoryUser = Omit<UserDoc, 'passwordHash'> & { id: string };
export type RoleDoc = { _id: string; definition: RoleDefinition; updatedAt: Date; updatedBy: string };
export type Directory = ReturnType<typeof createDirectory>;

export const USERS = 'auth_users';
export const ROLES = 'auth_roles';
const STATE = 'auth_state';

export function createDirectory(deps: { db: Db; logger: Logger; pollMs?: number }) {
  const { db } = deps;
  let users = new Map<string, DirectoryUser>();
  let teams = new Map<string, string[]>();
  let roles = new Map<string, RoleDefinition>();
  let version = -1;
  let timer: NodeJS.Timeout | undefined;

  async function load(): Promise<void> {
    const [userDocs, roleDocs] = await Promise.all([
      db.collection<UserDoc>(USERS).find({}, { projection: { passwordHash: 0 } }).toArray(),
      db.collection<RoleDoc>(ROLES).find({}).toArray(),
    ]);
    users = new Map(userDocs.map((u) => [u._id.toHexString(), { ...u, id: u._id.toHexString() }]));
    teams = new Map();
    // Deactivated members stay: the records they own are still their team's.
    for (const u of users.values()) if (u.team) teams.set(u.team, [...(teams.get(u.team) ?? []), u.id]);
    roles = new Map(roleDocs.map((r) => [r._id, r.definition]));
  }

  async function currentVersion(): Promise<number> {
    const state = await db.collection<{ _id: string; version: number }>(STATE).findOne({ _id: 'directory' });
    return state?.version ?? 0;
  }

  async function refresh(): Promise<void> {
    const seen = await currentVersion();
    if (seen === version) return;
    await load();
    version = seen;
  }

  return {
    refresh,
    /** Call after any change to users or roles: other instances see the new version. */
    async changed(): Promise<void> {
      await db.collection<{ _id: string; version: number }>(STATE).updateOne({ _id: 'directory' }, { $inc: { version: 1 } }, { upsert: true });
      await refresh();
    },
    start(): void {
      timer = setInterval(() => refresh().catch((err) => deps.logger.warn({ err }, 'reloading users and roles failed')), deps.pollMs ?? 250);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
    user: (id: string): DirectoryUser | undefined => users.get(id),
    users: (): DirectoryUser[] => [...users.values()],
    /** Every user of the team, active or not (their records stay the team's). */
    teamMembers: (team: string | null | undefined): string[] => (team ? teams.get(team) ?? [] : []),
    role: (name: string): RoleDefinition | undefined => roles.get(name),
    roles: (): RoleDefinition[] => [...roles.values()],
  };
}
