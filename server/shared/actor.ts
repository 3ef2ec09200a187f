/**
 * Who is acting and what they may do. The auth capability builds an Actor from the session or API
 * token of each request (issue 4); the records capability applies it (object and field permissions,
 * record scope inside the database filter). Background work acts as the system actor.
 */
import type { Response } from 'express';

export type Operation = 'create' | 'read' | 'update' | 'delete' | 'export';
export type FieldAccess = 'hidden' | 'read' | 'edit';

/**
 * Which records: all of them, or those owned by one of `ownerIds` or matching one of `filters`
 * (records query-language filters with the user's own values already filled in).
 */
export type RecordScope = { all: true } | { all: false; ownerIds: string[]; filters: unknown[] };

export type EntityPermissions = {
  operations: Readonly<Record<Operation, boolean>>;
  /** Fields not named are editable (given update permission). */
  fields: Readonly<Record<string, FieldAccess>>;
  /** The records they may read, and the (smaller or equal) set they may change or delete. */
  read: RecordScope;
  edit: RecordScope;
};

export type Actor = {
  id: string;
  kind: 'user' | 'system';
  /** Full access to data, and to metadata, users, roles, plugins, templates and workflows. */
  admin: boolean;
  permissions(entity: string): EntityPermissions;
};

export const ALL_OPERATIONS: Readonly<Record<Operation, boolean>> = { create: true, read: true, update: true, delete: true, export: true };
export const FULL_ACCESS: EntityPermissions = { operations: ALL_OPERATIONS, fields: {}, read: { all: true }, edit: { all: true } };

export const SYSTEM_ACTOR: Actor = { id: 'system', kind: 'system', admin: true, permissions: () => FULL_ACCESS };

/** The actor the auth middleware set. A route outside that middleware fails closed (500), never as system. */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('No actor: this route is not behind the authentication middleware');
  return actor;
}
