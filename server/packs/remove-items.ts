/**
 * Uninstalling (issue 9): what the pack installed and nobody has changed since is removed through
 * the owning services, last installed first; what someone changed is kept and said so. Entities
 * go to the metadata archive with their records (restorable, and restored by installing again);
 * only `deleteData` purges them. An entity another entity still links to stays, and so do the
 * entities it links to.
 */
import type { Actor } from '../shared/actor.ts';
import { fingerprint } from './canonical.ts';
import { createAdapters, itemKey, type Item, type Kind } from './pack-kinds.ts';
import { reasonOf, refOf, type ItemRef, type Outcome, type Owned } from './apply-document.ts';
import type { MetadataPort, PackServices } from './ports.ts';
import { deferredFields, withoutFields, type ArchivedEntity, type Definition } from './create-entities.ts';

export type RemoveReport = { removed: ItemRef[]; kept: Outcome[]; purged: string[] };

const ORDER: Kind[] = ['dashboard', 'view', 'form', 'workflow', 'duplicateRule', 'role', 'template', 'entity', 'plugin'];

/** The entities that can go: none that an entity staying behind links to (or summarises in a rollup). */
function removable(all: Definition[], candidates: Set<string>): Set<string> {
  const going = new Set(candidates);
  for (let changed = true; changed;) {
    changed = false;
    for (const e of all) {
      if (going.has(e.name)) continue;
      for (const f of e.fields) {
        const linked = f.target ?? (f.type === 'rollup' ? f.entity : undefined);
        if (linked && going.delete(linked)) changed = true;
      }
    }
  }
  return going;
}

/**
 * The metadata service removes an entity only when nothing links to it, and the entities of a
 * pack link to each other both ways (relations one way, rollups the other). So the links between
 * the entities that go are taken out first: archived like any removed field, their values kept,
 * and put back by the next install.
 */
async function dropLinksBetween(metadata: MetadataPort, going: Set<string>, actor: Actor): Promise<Map<string, Array<{ id: string; type: string }>>> {
  const dropped = new Map<string, Array<{ id: string; type: string }>>();
  for (const name of going) {
    const def = (await metadata.get(name)).definition as Definition;
    const links = deferredFields(def, (entity) => entity === name || !going.has(entity));
    if (!links.size) continue;
    await metadata.replace(name, withoutFields(def, links), { actor: actor.id });
    const entries = (await metadata.archived(name)).filter((e) => e.kind === 'field' && links.has(e.field?.name ?? ''));
    // Newest first: the entry this change made, for each field.
    const newest = [...links].map((field) => entries.find((e) => e.field?.name === field)).filter((e) => e !== undefined);
    dropped.set(name, newest.map((e) => ({ id: e.id, type: (e.field as { type?: string }).type ?? '' })));
  }
  return dropped;
}

async function removeEntities(s: PackServices, items: Item[], actor: Actor, report: RemoveReport): Promise<Map<string, ArchivedEntity>> {
  const all = (await s.metadata.list()).map((e) => e.definition as Definition);
  const going = removable(all, new Set(items.map((i) => i.name)));
  for (const i of items) if (!going.has(i.name)) report.kept.push({ ...refOf(i), reason: 'other entities still link to it' });
  const dropped = await dropLinksBetween(s.metadata, going, actor);
  const archived = new Map<string, ArchivedEntity>();
  // Children before parents: each round removes the entities nothing left links to.
  for (let left = [...going]; left.length;) {
    const before = left.length;
    for (const name of [...left]) {
      const err = await s.metadata.remove(name, { actor: actor.id }).then(() => null, (e: unknown) => e);
      if (err && left.length > 1) continue;
      left = left.filter((n) => n !== name);
      if (err) report.kept.push({ kind: 'entity', name, reason: reasonOf(err) });
      else report.removed.push({ kind: 'entity', name });
    }
    if (left.length === before) {
      for (const name of left) report.kept.push({ kind: 'entity', name, reason: 'other entities still link to it' });
      break;
    }
  }
  for (const ref of report.removed.filter((r) => r.kind === 'entity')) {
    const entry = (await s.metadata.archived(ref.name)).find((e) => e.kind === 'entity');
    if (entry) archived.set(ref.name, { archiveId: entry.id, fields: dropped.get(ref.name) ?? [] });
  }
  return archived;
}

/** Removes what `owned` lists; `items` are the pack's own (for the plugin grants it asked for). */
export async function removeItems(input: { owned: Owned[]; items: Item[]; services: PackServices; actor: Actor; deleteData: boolean }): Promise<RemoveReport & { archived: Map<string, ArchivedEntity> }> {
  const adapters = createAdapters(input.services);
  const bodies = new Map(input.items.map((i) => [itemKey(i), i.body]));
  const report: RemoveReport = { removed: [], kept: [], purged: [] };
  const entities: Item[] = [];
  let archived = new Map<string, ArchivedEntity>();
  for (const kind of ORDER) {
    for (const owned of input.owned.filter((o) => o.kind === kind)) {
      const item: Item = { ...refOf(owned), body: bodies.get(itemKey(owned)) ?? {} };
      const adapter = adapters[kind];
      const current = adapter ? await adapter.current(item) : null;
      if (!adapter || current === null) continue;
      if (fingerprint(current) !== owned.fingerprint) report.kept.push({ ...refOf(owned), reason: 'changed since the pack installed it' });
      else if (kind === 'entity') entities.push(item);
      else await adapter.remove(item, input.actor).then(() => report.removed.push(refOf(owned)), (err: unknown) => report.kept.push({ ...refOf(owned), reason: reasonOf(err) }));
    }
    if (kind === 'entity' && entities.length) archived = await removeEntities(input.services, entities, input.actor, report);
  }
  if (input.deleteData) {
    for (const [entity, { archiveId }] of archived) {
      await input.services.metadata.purgeArchived(archiveId);
      report.purged.push(entity);
    }
    archived = new Map();
  }
  return { ...report, archived };
}
