/**
 * Creating a pack's entities through the metadata service (issue 9). Entities link to each other
 * both ways (a contact's relation to its account, the account's rollup over its opportunities),
 * and the service checks every link against live entities; so they are created in two passes:
 * parents before children with the links to entities not made yet left out, then each entity that
 * left something out is brought to its full definition. An entity this pack's uninstall archived
 * is restored instead, its records with it.
 */
import type { Actor } from '../shared/actor.ts';
import type { Item } from './pack-kinds.ts';
import type { MetadataPort } from './ports.ts';

type FieldDef = { name: string; type: string; target?: string; entity?: string; expression?: string };
export type Definition = { name: string; fields: FieldDef[]; titleField?: string; searchFields?: string[]; indexes?: Array<{ fields: Array<{ field: string }> }> };

/** Parents (relation targets) before their children; a cycle is broken where it is found. */
function parentsFirst(items: Item[]): Item[] {
  const byName = new Map(items.map((i) => [i.name, i]));
  const order: Item[] = [];
  const seen = new Set<string>();
  const visit = (item: Item) => {
    if (seen.has(item.name)) return;
    seen.add(item.name);
    for (const f of (item.body as Definition).fields ?? []) {
      const parent = f.target ? byName.get(f.target) : undefined;
      if (parent) visit(parent);
    }
    order.push(item);
  };
  items.forEach(visit);
  return order;
}

/** The fields that must wait for the second pass: links to entities not there yet, and what reads through them. */
export function deferredFields(def: Definition, available: (entity: string) => boolean): Set<string> {
  const deferred = new Set<string>();
  for (const f of def.fields ?? []) {
    if ((f.type === 'relation' || f.type === 'manyToMany') && f.target !== def.name && !available(f.target!)) deferred.add(f.name);
    if (f.type === 'rollup' && !available(f.entity!)) deferred.add(f.name);
  }
  for (const f of def.fields ?? []) {
    if (f.type === 'formula' && [...deferred].some((name) => new RegExp(`\\b${name}\\.`).test(f.expression ?? ''))) deferred.add(f.name);
  }
  return deferred;
}

/** The definition without `names`, and without the title, search fields and indexes that use them. */
export function withoutFields(def: Definition, names: Set<string>): Definition {
  const kept = (name: string) => !names.has(name.split('.')[0]!);
  const { titleField, ...rest } = def;
  return {
    ...rest,
    fields: def.fields.filter((f) => !names.has(f.name)),
    ...(titleField && kept(titleField) ? { titleField } : {}),
    ...(def.searchFields ? { searchFields: def.searchFields.filter(kept) } : {}),
    ...(def.indexes ? { indexes: def.indexes.filter((ix) => ix.fields.every((k) => kept(k.field))) } : {}),
  };
}

/** An entity an uninstall archived, and the links to other entities it dropped first (restored after it). */
export type ArchivedEntity = { archiveId: string; fields?: Array<{ id: string; type: string }> };

/** Relations first, then what reads through them (formulas), then what summarises over them (rollups). */
const RESTORE_ORDER = (type: string) => (type === 'relation' || type === 'manyToMany' ? 0 : type === 'rollup' ? 2 : 1);

/** Brings archived entities back, then the links between them; answers the names that came back. */
async function restoreArchived(metadata: MetadataPort, actor: Actor, items: Item[], archived: ReadonlyMap<string, ArchivedEntity>, failures: Map<string, unknown>): Promise<Item[]> {
  const restored: Item[] = [];
  for (const item of items) {
    const entry = archived.get(item.name);
    if (!entry) continue;
    await metadata.restoreArchived(entry.archiveId, { actor: actor.id }).then(() => restored.push(item), (err: unknown) => failures.set(item.name, err));
  }
  const fields = restored.flatMap((i) => (archived.get(i.name)!.fields ?? []).map((f) => ({ ...f, entity: i.name }))).sort((a, b) => RESTORE_ORDER(a.type) - RESTORE_ORDER(b.type));
  for (const f of fields) await metadata.restoreArchived(f.id, { actor: actor.id }).catch((err: unknown) => failures.set(f.entity, err));
  return restored;
}

/**
 * Creates (or restores) the entities; answers each one that failed with its error, and the ones
 * that exist now, whole or not (an entity whose second pass failed is the pack's, to finish later).
 */
export async function createEntities(input: { metadata: MetadataPort; actor: Actor; items: Item[]; archived?: ReadonlyMap<string, ArchivedEntity> }): Promise<{ failures: Map<string, unknown>; exist: Set<string> }> {
  const { metadata } = input;
  const change = { actor: input.actor.id };
  const failures = new Map<string, unknown>();
  const pending = new Set(input.items.map((i) => i.name));
  // Restored entities take the pack's definition after (their links came back in the archive's order).
  const secondPass: Item[] = input.archived ? await restoreArchived(metadata, input.actor, input.items, input.archived, failures) : [];
  for (const item of input.items) if (input.archived?.has(item.name)) pending.delete(item.name);
  const exist = new Set(secondPass.map((i) => i.name));
  const available = (entity: string) => !pending.has(entity);
  for (const item of parentsFirst(input.items.filter((i) => pending.has(i.name)))) {
    const def = item.body as Definition;
    const deferred = deferredFields(def, available);
    try {
      await metadata.create(deferred.size ? withoutFields(def, deferred) : def, change);
      pending.delete(item.name);
      exist.add(item.name);
      if (deferred.size) secondPass.push(item);
    } catch (err) {
      failures.set(item.name, err);
    }
  }
  for (const item of secondPass) {
    try {
      await metadata.replace(item.name, item.body, change);
    } catch (err) {
      failures.set(item.name, err);
    }
  }
  return { failures, exist };
}
