/**
 * Roles (admin only). A role is checked against schemas/role.schema.json, then against the live
 * metadata: the entities and fields it names must exist and its sharing filters must be valid
 * filters of their entity. Every change is an access-log entry and reaches every instance through
 * the directory.
 */
import { readFileSync } from 'node:fs';
import type { Db } from 'mongodb';
import type { EntityDefinition, MetadataRegistry } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { pointerToken } from '../shared/errors.ts';
import { authProblems } from './auth.problems.ts';
import { compileCheck, failWith } from './check-input.ts';
import { ROLES, type Directory, type RoleDoc } from './directory.ts';
import type { AccessLog } from './access-log.ts';
import type { RoleDefinition } from './role.types.ts';
import { USER_VALUE_PATH } from './policy.ts';

export type FilterChecker = (entity: EntityDefinition, filter: unknown) => FieldError[];
export type RolesService = ReturnType<typeof createRolesService>;

export const ADMIN_ROLE: RoleDefinition = { name: 'admin', label: 'Administrator', admin: true };

const roleSchema = JSON.parse(readFileSync(new URL('../../schemas/role.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const checkSchema = compileCheck<RoleDefinition>(roleSchema);

const SAMPLE: Record<string, unknown> = { id: '000000000000000000000000', email: 'someone@example.org', team: 'team' };

/** The filter with each `{"$user": ...}` replaced by a sample value; `at` collects where they were. */
function withSamples(filter: unknown, pointer: string, at: string[]): unknown {
  if (Array.isArray(filter)) return filter.map((f, i) => withSamples(f, `${pointer}/${i}`, at));
  if (!filter || typeof filter !== 'object') return filter;
  if (Object.keys(filter).length === 1 && '$user' in filter) {
    at.push(pointer);
    return SAMPLE[String((filter as { $user: unknown }).$user)] ?? 'sample';
  }
  return Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, withSamples(v, `${pointer}/${pointerToken(k)}`, at)]));
}

export function createRolesService(deps: { db: Db; directory: Directory; registry: MetadataRegistry; checkFilter: FilterChecker; accessLog: AccessLog }) {
  const roles = deps.db.collection<RoleDoc>(ROLES);

  function semanticProblems(role: RoleDefinition): FieldError[] {
    const errors: FieldError[] = [];
    for (const [name, perm] of Object.entries(role.entities ?? {})) {
      const base = `/entities/${name}`;
      const entity = deps.registry.get(name);
      if (!entity) {
        errors.push({ pointer: base, detail: `is not an entity` });
        continue;
      }
      for (const field of Object.keys(perm.fields ?? {})) if (!entity.fields.has(field)) errors.push({ pointer: `${base}/fields/${pointerToken(field)}`, detail: `is not a field of ${name}` });
      (perm.sharing ?? []).forEach((rule, i) => {
        const pointer = `${base}/sharing/${i}/filter`;
        const placeholders: string[] = [];
        const sample = withSamples(rule.filter, pointer, placeholders);
        const bad = findBadUserPaths(rule.filter, pointer);
        errors.push(...bad, ...deps.checkFilter(entity.definition, sample).map((e) => ({ ...e, pointer: pointer + e.pointer.replace(/^\/filter/, '') })).filter((e) => !placeholders.some((p) => e.pointer.startsWith(p))));
      });
    }
    return errors;
  }

  return {
    /** The built-in administrator role exists from the first start. */
    async init(): Promise<void> {
      await roles.updateOne({ _id: ADMIN_ROLE.name }, { $setOnInsert: { definition: ADMIN_ROLE, updatedAt: new Date(), updatedBy: 'system' } }, { upsert: true });
    },
    list: async () => (await roles.find({}).sort({ _id: 1 }).toArray()).map((r) => r.definition),
    async get(name: string): Promise<RoleDefinition> {
      const doc = await roles.findOne({ _id: name });
      if (!doc) throw authProblems.roleNotFound.create({ detail: `There is no role ${name}` });
      return doc.definition;
    },
    async put(name: string, body: unknown, actorId: string): Promise<RoleDefinition> {
      const role = checkSchema(body);
      failWith([...(role.name !== name ? [{ pointer: '/name', detail: `must be ${name}, the name in the URL` }] : []), ...semanticProblems(role)]);
      if (name === ADMIN_ROLE.name && role.admin !== true) failWith([{ pointer: '/admin', detail: 'the admin role always has admin: true' }]);
      await roles.replaceOne({ _id: name }, { definition: role, updatedAt: new Date(), updatedBy: actorId }, { upsert: true });
      await deps.directory.changed();
      await deps.accessLog.record({ kind: 'role-changed', actorId, detail: { role: name } });
      return role;
    },
    async remove(name: string, actorId: string): Promise<void> {
      if (name === ADMIN_ROLE.name) throw authProblems.conflict.create({ detail: 'The admin role cannot be deleted' });
      const holders = deps.directory.users().filter((u) => u.roles.includes(name));
      if (holders.length) throw authProblems.conflict.create({ detail: `${holders.length} user(s) still hold this role` });
      const res = await roles.deleteOne({ _id: name });
      if (!res.deletedCount) throw authProblems.roleNotFound.create({ detail: `There is no role ${name}` });
      await deps.directory.changed();
      await deps.accessLog.record({ kind: 'role-deleted', actorId, detail: { role: name } });
    },
  };
}

function findBadUserPaths(filter: unknown, pointer: string): FieldError[] {
  if (Array.isArray(filter)) return filter.flatMap((f, i) => findBadUserPaths(f, `${pointer}/${i}`));
  if (!filter || typeof filter !== 'object') return [];
  if ('$user' in filter) {
    const path = (filter as { $user: unknown }).$user;
    return typeof path === 'string' && USER_VALUE_PATH.test(path) ? [] : [{ pointer, detail: '$user takes id, email, team or attributes.<name>' }];
  }
  return Object.entries(filter).flatMap(([k, v]) => findBadUserPaths(v, `${pointer}/${pointerToken(k)}`));
}
