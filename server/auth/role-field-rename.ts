/**
 * Roles follow a field rename (issue 5). In two steps around the definition change, so no one
 * sees more than before at any moment: first the new name gets the same field access as the old
 * (a hidden field stays hidden under its new name the instant it has it), then, once the rename
 * is live, the old name's entry goes and sharing rules name the field by its new name (until
 * then a rule on the old name matches nothing: it fails closed).
 */
import type { Db } from 'mongodb';
import type { Directory, RoleDoc } from './directory.ts';
import { ROLES } from './directory.ts';
import { renameInFilter } from '../metadata/rename-field.ts';

export function createRoleFieldRename(deps: { db: Db; directory: Directory }) {
  const roles = deps.db.collection<RoleDoc>(ROLES);

  async function rewrite(entity: string, change: (perm: NonNullable<NonNullable<RoleDoc['definition']['entities']>[string]>) => boolean): Promise<void> {
    let changed = false;
    for (const role of await roles.find({ [`definition.entities.${entity}`]: { $exists: true } }).toArray()) {
      const perm = structuredClone(role.definition.entities![entity]!);
      if (!change(perm)) continue;
      await roles.updateOne({ _id: role._id }, { $set: { [`definition.entities.${entity}`]: perm, updatedAt: new Date() } });
      changed = true;
    }
    if (changed) await deps.directory.changed();
  }

  return {
    before: (entity: string, from: string, to: string) =>
      rewrite(entity, (perm) => {
        if (perm.fields?.[from] === undefined) return false;
        perm.fields[to] = perm.fields[from];
        return true;
      }),
    after: (entity: string, from: string, to: string) =>
      rewrite(entity, (perm) => {
        const before = JSON.stringify(perm);
        if (perm.fields) delete perm.fields[from];
        if (perm.sharing) perm.sharing = perm.sharing.map((rule) => ({ ...rule, filter: renameInFilter(rule.filter, from, to) as typeof rule.filter }));
        return JSON.stringify(perm) !== before;
      }),
  };
}
