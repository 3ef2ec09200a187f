/**
 * Permission policy as pure functions: a user's roles → the Actor the records capability applies.
 * Roles add up: an operation is allowed if any role allows it; a field shows at the most open level
 * any role that can read the entity gives it; the record scope is the union of the roles' scopes
 * and sharing rules. An API token's scopes can only take permissions away.
 */
import { FULL_ACCESS, type Actor, type EntityPermissions, type FieldAccess, type Operation, type RecordScope } from '../shared/actor.ts';
import type { EntityPermission, RoleDefinition } from './role.types.ts';

export type PolicyUser = { id: string; email: string; team?: string | null; attributes?: Record<string, unknown>; roles: string[] };
export type TokenScope = 'records:read' | 'records:write' | 'admin';
export const TOKEN_SCOPES: readonly TokenScope[] = ['records:read', 'records:write', 'admin'];

export type ActorInput = {
  user: PolicyUser;
  roles: RoleDefinition[];
  /** Ids of the users in the user's team (the user included). */
  teamMembers: string[];
  /** Present for API tokens: what the token may do on top of the user's own limits. */
  scopes?: readonly TokenScope[];
};

const OPERATIONS: Operation[] = ['create', 'read', 'update', 'delete', 'export'];
const LEVEL: Record<FieldAccess, number> = { hidden: 0, read: 1, edit: 2 };
const NONE: EntityPermissions = { operations: { create: false, read: false, update: false, delete: false, export: false }, fields: {}, read: { all: false, ownerIds: [], filters: [] }, edit: { all: false, ownerIds: [], filters: [] } };

export function buildActor(input: ActorInput): Actor {
  const { user, roles, scopes } = input;
  const isAdmin = roles.some((r) => r.admin === true) && (!scopes || scopes.includes('admin'));
  const cache = new Map<string, EntityPermissions>();
  return {
    id: user.id,
    kind: 'user',
    admin: isAdmin,
    permissions(entity) {
      let perms = cache.get(entity);
      if (!perms) {
        perms = roles.some((r) => r.admin === true) ? FULL_ACCESS : combine(roles.map((r) => r.entities?.[entity]).filter((p): p is EntityPermission => !!p), input);
        perms = limitToScopes(perms, scopes);
        cache.set(entity, perms);
      }
      return perms;
    },
  };
}

function combine(grants: EntityPermission[], input: ActorInput): EntityPermissions {
  const readable = grants.filter((g) => g.read === true);
  if (!readable.length) return NONE;
  const operations = Object.fromEntries(OPERATIONS.map((op) => [op, readable.some((g) => g[op] === true)])) as Record<Operation, boolean>;
  const fields: Record<string, FieldAccess> = {};
  // A field named by some roles only: a role that leaves it out lets it be edited if that role
  // may write at all, else read; so a read-only role never loosens another role's read-only field.
  const named = new Set(readable.flatMap((g) => Object.keys(g.fields ?? {})));
  for (const name of named) {
    const levels = readable.map((g): FieldAccess => (Object.hasOwn(g.fields ?? {}, name) ? g.fields![name]! : g.update === true || g.create === true ? 'edit' : 'read'));
    const best = levels.reduce((a, b) => (LEVEL[b] > LEVEL[a] ? b : a), 'hidden' as FieldAccess);
    if (best !== 'edit') fields[name] = best;
  }
  return { operations, fields, read: scopeOf(readable, input, 'read'), edit: scopeOf(readable, input, 'edit') };
}

function scopeOf(grants: EntityPermission[], input: ActorInput, access: 'read' | 'edit'): RecordScope {
  const scopes = grants.map((g) => g.scope ?? 'own');
  if (scopes.includes('all')) return { all: true };
  const owners = new Set<string>();
  if (scopes.includes('own')) owners.add(input.user.id);
  if (scopes.includes('team')) for (const id of input.teamMembers.length ? input.teamMembers : [input.user.id]) owners.add(id);
  const rules = grants.flatMap((g) => g.sharing ?? []).filter((r) => access === 'read' || r.access === 'edit');
  const filters = rules.map((r) => fillUserValues(r.filter, input.user)).filter((f) => f !== MISSING);
  return { all: false, ownerIds: [...owners], filters };
}

const MISSING = Symbol('missing user value');

/** Replaces each `{"$user": "path"}` with the user's value; a rule with a missing value is dropped (it matches nothing). */
export function fillUserValues(filter: unknown, user: PolicyUser): unknown {
  if (Array.isArray(filter)) {
    const items = filter.map((f) => fillUserValues(f, user));
    return items.includes(MISSING) ? MISSING : items;
  }
  if (!filter || typeof filter !== 'object') return filter;
  const keys = Object.keys(filter);
  if (keys.length === 1 && keys[0] === '$user') return userValue(user, (filter as { $user: unknown }).$user);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = fillUserValues((filter as Record<string, unknown>)[key], user);
    if (value === MISSING) return MISSING;
    out[key] = value;
  }
  return out;
}

export const USER_VALUE_PATH = /^(id|email|team|attributes\.[A-Za-z][A-Za-z0-9_]{0,62})$/;

function userValue(user: PolicyUser, path: unknown): unknown {
  if (typeof path !== 'string' || !USER_VALUE_PATH.test(path)) return MISSING;
  if (path === 'id') return user.id;
  if (path === 'email') return user.email;
  if (path === 'team') return user.team ?? MISSING;
  const attributes = user.attributes ?? {};
  const key = path.slice('attributes.'.length);
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  return value === undefined || value === null || value === '' ? MISSING : value;
}

/** A token scoped to reading cannot write, whatever its user may do; `admin` scope is needed for admin rights. */
function limitToScopes(perms: EntityPermissions, scopes: readonly TokenScope[] | undefined): EntityPermissions {
  if (!scopes) return perms;
  const canWrite = scopes.includes('records:write') || scopes.includes('admin');
  const canRead = canWrite || scopes.includes('records:read');
  if (canWrite && canRead) return perms;
  const o = perms.operations;
  return { ...perms, operations: { create: false, update: false, delete: false, read: canRead && o.read, export: canRead && o.export } };
}
