import { describe, expect, it } from 'vitest';
import { buildActor, fillUserValues, type PolicyUser } from './policy.ts';
import type { RoleDefinition } from './role.types.ts';

const user: PolicyUser = { id: 'u1', email: 'a@example.org', team: 'north', attributes: { department: 'HR' }, roles: [] };
const actor = (roles: RoleDefinition[], extra: Partial<Parameters<typeof buildActor>[0]> = {}) => buildActor({ user, roles, teamMembers: ['u1', 'u2'], ...extra });
const role = (name: string, entities: RoleDefinition['entities'], admin = false): RoleDefinition => ({ name, label: name, entities, admin });

describe('buildActor', () => {
  it('gives nothing on an entity no role names', () => {
    const perms = actor([role('r', { other: { read: true } })]).permissions('staff');
    expect(perms.operations.read).toBe(false);
    expect(perms.read).toEqual({ all: false, ownerIds: [], filters: [] });
  });

  it('adds roles up: operations, the most open field level, and the union of scopes', () => {
    const a = role('a', { staff: { read: true, scope: 'own', fields: { salary: 'hidden', ssn: 'hidden' } } });
    const b = role('b', { staff: { read: true, update: true, scope: 'team', fields: { salary: 'read' } } });
    const perms = actor([a, b]).permissions('staff');
    expect(perms.operations).toEqual({ create: false, read: true, update: true, delete: false, export: false });
    // b names salary read; ssn is not named by b, so b lets it be edited.
    expect(perms.fields).toEqual({ salary: 'read' });
    expect(perms.read).toEqual({ all: false, ownerIds: ['u1', 'u2'], filters: [] });
  });

  it('never lets a read-only role loosen a field another role makes read-only', () => {
    const writer = role('writer', { staff: { read: true, update: true, fields: { risk: 'read' } } });
    const reader = role('reader', { staff: { read: true } });
    expect(actor([writer, reader]).permissions('staff').fields).toEqual({ risk: 'read' });
    const editor = role('editor', { staff: { read: true, update: true } });
    expect(actor([writer, editor]).permissions('staff').fields).toEqual({});
  });

  it('ignores the field levels of a role that cannot read the entity', () => {
    const perms = actor([role('a', { staff: { read: true, fields: { ssn: 'hidden' } } }), role('b', { staff: { create: true } })]).permissions('staff');
    expect(perms.fields).toEqual({ ssn: 'hidden' });
    expect(perms.operations.create).toBe(false);
  });

  it('puts read sharing rules in the read scope only, edit rules in both, with the user values filled in', () => {
    const perms = actor([role('hr', { staff: {
      read: true, scope: 'none',
      sharing: [
        { filter: { field: 'department', op: 'eq', value: { $user: 'attributes.department' } } },
        { filter: { field: 'manager', op: 'eq', value: { $user: 'id' } }, access: 'edit' },
      ],
    } })]).permissions('staff');
    expect(perms.read).toEqual({ all: false, ownerIds: [], filters: [{ field: 'department', op: 'eq', value: 'HR' }, { field: 'manager', op: 'eq', value: 'u1' }] });
    expect(perms.edit).toEqual({ all: false, ownerIds: [], filters: [{ field: 'manager', op: 'eq', value: 'u1' }] });
  });

  it('drops a rule whose user value is missing, so it matches nothing', () => {
    const perms = actor([role('r', { staff: { read: true, scope: 'none', sharing: [{ filter: { field: 'region', op: 'eq', value: { $user: 'attributes.region' } } }] } })]).permissions('staff');
    expect(perms.read).toEqual({ all: false, ownerIds: [], filters: [] });
  });

  it('lets an admin role do everything, and an API token only what its scopes allow', () => {
    const admin = role('admin', undefined, true);
    expect(actor([admin]).admin).toBe(true);
    expect(actor([admin]).permissions('anything').read).toEqual({ all: true });
    const reader = actor([admin], { scopes: ['records:read'] });
    expect(reader.admin).toBe(false);
    expect(reader.permissions('staff').operations).toEqual({ create: false, read: true, update: false, delete: false, export: true });
  });
});

describe('fillUserValues', () => {
  it('replaces placeholders anywhere in the filter and leaves look-alikes alone', () => {
    expect(fillUserValues({ and: [{ field: 'owner', op: 'in', value: [{ $user: 'id' }, 'x'] }, { field: 'team', op: 'eq', value: { $user: 'team' } }] }, user))
      .toEqual({ and: [{ field: 'owner', op: 'in', value: ['u1', 'x'] }, { field: 'team', op: 'eq', value: 'north' }] });
    expect(typeof fillUserValues({ value: { $user: 'password' } }, user)).toBe('symbol');
    expect(typeof fillUserValues({ value: { $user: 'attributes.__proto__' } }, user)).toBe('symbol');
  });
});
