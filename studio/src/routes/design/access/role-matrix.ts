/**
 * The permission model of a role (server/auth/role.types.ts) as the matrix edits it: per entity
 * the operations, one record scope, field access and sharing rules. The server counts an
 * operation only for an entity the role can read, so the matrix keeps `read` on whenever another
 * operation is on, and turns them all off with it.
 */
import type { EntityPermission, RoleDefinition } from '../../../lib/api/admin.ts';

export type Operation = 'create' | 'read' | 'update' | 'delete' | 'export';
export type Scope = NonNullable<EntityPermission['scope']>;
export type Level = 'hidden' | 'read' | 'edit';
/** One condition of the records filter language; its value may be {"$user": "id"}, the signed-in user's own. */
export type SimpleCondition = { field: string; op: string; value?: unknown };

export const OPERATIONS: { op: Operation; label: string }[] = [
  { op: 'create', label: 'Create' }, { op: 'read', label: 'Read' }, { op: 'update', label: 'Edit' }, { op: 'delete', label: 'Delete' }, { op: 'export', label: 'Export' },
];
export const SCOPES: { scope: Scope; label: string }[] = [
  { scope: 'own', label: 'Their own' }, { scope: 'team', label: 'Their team’s' }, { scope: 'all', label: 'All records' }, { scope: 'none', label: 'Only shared' },
];
export const LEVELS: { level: Level; label: string }[] = [{ level: 'hidden', label: 'Hidden' }, { level: 'read', label: 'Read' }, { level: 'edit', label: 'Edit' }];

/** The permission with one operation switched, keeping read consistent with the others. */
export function withOperation(perm: EntityPermission, op: Operation, on: boolean): EntityPermission {
  if (op === 'read' && !on) return { ...perm, create: false, read: false, update: false, delete: false, export: false };
  return { ...perm, [op]: on, ...(on ? { read: true } : {}) };
}

/** A field's level as the server applies it: named, or editable when the role may write, else read. */
export function levelOf(perm: EntityPermission, field: string): Level {
  return perm.fields?.[field] ?? (perm.update || perm.create ? 'edit' : 'read');
}

/** Sets a field's level; "edit" is what an unnamed field is, so it is not stored. */
export function withLevel(perm: EntityPermission, field: string, level: Level): EntityPermission {
  const fields = { ...perm.fields };
  if (level === 'edit') delete fields[field];
  else fields[field] = level;
  return { ...perm, fields };
}

const isEmpty = (p: EntityPermission) => !OPERATIONS.some(({ op }) => p[op]) && !Object.keys(p.fields ?? {}).length && !(p.sharing ?? []).length;

/** The role as saved: entities with nothing granted left out, empty lists and texts dropped. */
export function roleBody(role: RoleDefinition): RoleDefinition {
  const entities = Object.fromEntries(
    Object.entries(role.entities ?? {}).filter(([, p]) => !isEmpty(p)).map(([name, p]) => {
      const { fields, sharing, ...rest } = p;
      return [name, { ...rest, ...(fields && Object.keys(fields).length ? { fields } : {}), ...(sharing?.length ? { sharing } : {}) }];
    }),
  );
  return { name: role.name, label: role.label, ...(role.description ? { description: role.description } : {}), ...(role.admin ? { admin: true } : {}), entities };
}
