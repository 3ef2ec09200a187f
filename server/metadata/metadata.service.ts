/**
 * Changes to entity definitions: validated, versioned (history kept, metadataVersion bumped),
 * indexes brought in line, and live for the next request. Removing a field or an entity never
 * touches stored records: the data stays and comes back if the field does (issue 3/5).
 */
import type { Db } from 'mongodb';
import type { EntityDefinition, Field } from './entity.types.ts';
import type { MetadataStore, StoredEntity } from './metadata.store.ts';
import type { MetadataRegistry } from './registry.ts';
import { metadataProblems } from './metadata.problems.ts';
import { validateDefinition, type FilterChecker } from './validate-definition.ts';
import { checkRollup } from './validate-field.ts';
import { createMissingIndexes, dropUnwantedIndexes } from './entity-indexes.ts';
import type { ArchiveEntry, MetadataArchive } from './metadata-archive.ts';
import { formulasReading, renamedDefinition, renamedRollupOwners } from './rename-field.ts';

export type MetadataService = ReturnType<typeof createMetadataService>;
type Change = { actor: string; expectedVersion?: number };
/** `others`: definitions of other entities as they will be after the change (a rename updates their rollups too). */
type CommitOptions = { restoring?: boolean; retype?: Field; unlock?: string; renamed?: { from: string; to: string }; others?: EntityDefinition[] };

/** `fieldsChanged`: an entity gained, lost or retyped fields (what was derived from them, such as record titles, is rendered again). */
export function createMetadataService(deps: { db: Db; store: MetadataStore; registry: MetadataRegistry; checkFilter: FilterChecker; archive: MetadataArchive; fieldsChanged?: (entity: string) => void }) {
  const { db, store, registry, checkFilter, archive } = deps;

  async function current(name: string): Promise<StoredEntity> {
    const doc = await store.get(name);
    if (!doc || doc.deleted) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${name}"` });
    return doc;
  }

  /**
   * Checks a candidate against the live definitions. `retype`: the field whose type a conversion
   * changes (the one change of type allowed); otherwise a field being converted may not change.
   */
  async function check(candidate: unknown, live: StoredEntity | null, opts: CommitOptions): Promise<{ definition: EntityDefinition; others: Map<string, EntityDefinition> }> {
    const others = registry.definitions();
    if (live) others.delete(live._id);
    for (const other of opts.others ?? []) others.set(other.name, other);
    const previous = live && opts.retype ? { ...live.definition, fields: live.definition.fields.map((f) => (f.name === opts.retype!.name ? opts.retype! : f)) } : live?.definition ?? null;
    const result = validateDefinition(candidate, { previous, entities: others, checkFilter });
    if (!result.ok) throw metadataProblems.invalidDefinition.create({ detail: 'The definition has problems; see errors', errors: result.errors });
    for (const name of Object.keys(live?.locks ?? {})) {
      if (name === opts.retype?.name || name === opts.unlock) continue;
      const [before, after] = [live!.definition, result.definition].map((d) => JSON.stringify(d.fields.find((f) => f.name === name)));
      if (before !== after) throw metadataProblems.fieldLocked.create({ detail: `The field "${name}" is being converted; change it when the conversion has finished` });
    }
    const taken = opts.restoring ? [] : await archive.namesInUse(live?.definition ?? null, result.definition);
    if (taken.length) throw metadataProblems.invalidDefinition.create({ detail: 'The definition has problems; see errors', errors: taken });
    const broken = brokenRollups(result.definition, others);
    if (broken.length) throw metadataProblems.inUse.create({ detail: `This change would break ${broken.join('; ')}` });
    return { definition: result.definition, others };
  }

  /**
   * Validates, prepares indexes, archives the fields the change drops, saves against the version
   * read, and refreshes the registry. `restoring`: the change brings back archived fields;
   * `retype`/`unlock`: a conversion's last step changes a field's type and releases its lock.
   */
  async function commit(candidate: unknown, previous: StoredEntity | null, change: Change, opts: CommitOptions = {}): Promise<StoredEntity> {
    const live = previous && !previous.deleted ? previous : null;
    if (change.expectedVersion !== undefined && change.expectedVersion !== (live?.version ?? 0)) {
      throw metadataProblems.versionConflict.create({ detail: `The definition is at version ${live?.version ?? 0}, not ${change.expectedVersion}` });
    }
    const { definition } = await check(candidate, live, opts);
    await createMissingIndexes(db, definition);
    const kept = opts.renamed ? { ...definition, fields: [...definition.fields, { name: opts.renamed.from } as Field] } : definition;
    const archived = await archive.noteRemovedFields(live?.definition ?? null, kept, change.actor);
    const locks = Object.fromEntries(Object.entries(live?.locks ?? {}).filter(([name]) => name !== opts.unlock));
    const saved = await store.save({ definition, expectedVersion: previous?.version ?? 0, by: change.actor, locks });
    if (!saved) {
      await archive.forget(archived);
      throw metadataProblems.versionConflict.create({ detail: 'Someone else changed this definition at the same time; reload it' });
    }
    // Only while this is still the stored definition: a newer one's indexes are not ours to drop.
    if ((await store.get(definition.name))?.version === saved.version) await dropUnwantedIndexes(db, definition);
    await registry.refresh();
    if (live && fieldShape(live.definition) !== fieldShape(definition)) deps.fieldsChanged?.(definition.name);
    return saved;
  }

  const fieldShape = (d: EntityDefinition): string => JSON.stringify(d.fields.map((f) => [f.name, f.type]));

  /** The entity's definition with `field` in place of the field of the same name. */
  function withFieldReplaced(def: EntityDefinition, field: Field): EntityDefinition {
    return withField(def, field.name, (fields, i) => (fields.splice(i, 1, field), fields));
  }

  async function setLock(name: string, field: string, id: string | null): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const previous = await current(name);
      const locks = { ...(previous.locks ?? {}) };
      if (id && locks[field]) throw metadataProblems.fieldLocked.create({ detail: `The field "${field}" is already being converted` });
      if (id) locks[field] = id;
      else delete locks[field];
      if (await store.setLocks(name, previous.version, locks)) return void (await registry.refresh());
    }
    throw metadataProblems.versionConflict.create({ detail: 'The definition keeps changing; try again' });
  }

  async function archivedEntry(id: string) {
    const entry = await archive.get(id);
    if (!entry) throw metadataProblems.archiveNotFound.create({ detail: `There is no archived field or entity ${id}` });
    return entry;
  }

  async function purge(entry: ArchiveEntry): Promise<void> {
    if (entry.kind === 'field') return archive.purgeField(entry, registry.get(entry.entity)?.definition);
    if (registry.get(entry.entity)) return void (await archive.remove(entry._id));
    await archive.purgeEntity(entry);
    await store.markPurged(entry.entity);
  }

  function withField(def: EntityDefinition, name: string, replace: (fields: Field[], index: number) => Field[]): EntityDefinition {
    const index = def.fields.findIndex((f) => f.name === name);
    if (index < 0) throw metadataProblems.fieldNotFound.create({ detail: `${def.name} has no field "${name}"` });
    return { ...def, fields: replace([...def.fields], index) };
  }

  /** Rollups of other entities that summarise `child` and would stop working with this definition of it. */
  function brokenRollups(child: EntityDefinition, others: Map<string, EntityDefinition>): string[] {
    const lookup = (name: string) => (name === child.name ? child : others.get(name));
    return [...others.values()].flatMap((parent) =>
      parent.fields.flatMap((f) => {
        if (f.type !== 'rollup' || f.entity !== child.name) return [];
        const problems: string[] = [];
        checkRollup({ rollup: f, parent, lookup, checkFilter }, (_at, detail) => problems.push(detail));
        return problems.map((p) => `${parent.name}.${f.name} (${p})`);
      }),
    );
  }

  return {
    list: async () => registry.all().map((e) => ({ definition: e.definition, version: e.version, metadataVersion: e.metadataVersion })),
    get: current,
    async create(candidate: unknown, change: Change): Promise<StoredEntity> {
      const name = (candidate as { name?: unknown })?.name;
      const previous = typeof name === 'string' ? await store.get(name) : null;
      if (previous && !previous.deleted) throw metadataProblems.entityExists.create({ detail: `An entity "${name}" already exists` });
      if (previous && !previous.purged) throw metadataProblems.entityExists.create({ detail: `An archived entity is called "${name}"; restore it, or purge it first` });
      return commit(candidate, previous, change);
    },
    async replace(name: string, candidate: unknown, change: Change): Promise<StoredEntity> {
      const previous = await current(name);
      const named = { ...(candidate as object), name };
      return commit(named, previous, change);
    },
    async addField(name: string, field: unknown, change: Change): Promise<StoredEntity> {
      const previous = await current(name);
      return commit({ ...previous.definition, fields: [...previous.definition.fields, field] }, previous, change);
    },
    async replaceField(name: string, fieldName: string, field: unknown, change: Change): Promise<StoredEntity> {
      const previous = await current(name);
      const next = withField(previous.definition, fieldName, (fields, i) => (fields.splice(i, 1, { ...(field as Field), name: fieldName }), fields));
      return commit(next, previous, change);
    },
    async removeField(name: string, fieldName: string, change: Change): Promise<StoredEntity> {
      const previous = await current(name);
      const next = withField(previous.definition, fieldName, (fields, i) => (fields.splice(i, 1), fields));
      return commit(next, previous, change);
    },
    async remove(name: string, change: Change): Promise<void> {
      const previous = await current(name);
      const dependants = [
        ...registry.inboundLinks(name).filter((l) => l.entity.name !== name).map((l) => `${l.entity.name}.${l.field.name}`),
        ...registry.all().flatMap((e) => e.rollups.filter((r) => r.entity === name && e.name !== name).map((r) => `${e.name}.${r.name}`)),
      ];
      if (dependants.length) throw metadataProblems.inUse.create({ detail: `Still referenced by ${dependants.join(', ')}` });
      if (change.expectedVersion !== undefined && change.expectedVersion !== previous.version) throw metadataProblems.versionConflict.create();
      const archived = await archive.noteRemovedEntity(name, change.actor);
      const saved = await store.save({ definition: previous.definition, expectedVersion: previous.version, by: change.actor, deleted: true });
      if (!saved) {
        await archive.forget([archived]);
        throw metadataProblems.versionConflict.create();
      }
      await registry.refresh();
    },
    /** The entity definition a conversion of `field` to `to` would make, checked but not saved. */
    async checkRetype(name: string, fieldName: string, to: unknown): Promise<{ from: Field; to: Field; definition: EntityDefinition }> {
      const previous = await current(name);
      const from = previous.definition.fields.find((f) => f.name === fieldName);
      if (!from) throw metadataProblems.fieldNotFound.create({ detail: `${name} has no field "${fieldName}"` });
      const target = { ...(to as Field), name: fieldName };
      const { definition } = await check(withFieldReplaced(previous.definition, target), previous, { retype: target });
      return { from, to: definition.fields.find((f) => f.name === fieldName)!, definition };
    },
    lockField: (name: string, field: string, conversionId: string) => setLock(name, field, conversionId),
    unlockField: (name: string, field: string) => setLock(name, field, null),
    /** A conversion's last step: the field takes its new definition and is unlocked. */
    async retype(name: string, field: Field, change: Change): Promise<StoredEntity> {
      const previous = await current(name);
      return commit(withFieldReplaced(previous.definition, field), previous, change, { retype: field, unlock: field.name });
    },
    /**
     * The definition side of a field rename: the field and its references here, and the rollups
     * of other entities that summarise it, follow. Refused while a formula reads the field.
     */
    async renameField(name: string, from: string, to: string, change: Change & { dryRun?: boolean }): Promise<StoredEntity> {
      const previous = await current(name);
      if (!previous.definition.fields.some((f) => f.name === from)) throw metadataProblems.fieldNotFound.create({ detail: `${name} has no field "${from}"` });
      const all = registry.definitions();
      const readers = formulasReading(all, name, from);
      if (readers.length) throw metadataProblems.inUse.create({ detail: `The formulas ${readers.join(', ')} read ${name}.${from}; change them first` });
      const owners = renamedRollupOwners(all, name, from, to).filter((d) => d.name !== name);
      const renamed = renamedDefinition(previous.definition, from, to);
      const own = renamedRollupOwners(new Map([[name, renamed]]), name, from, to)[0] ?? renamed;
      const opts = { unlock: from, renamed: { from, to }, others: owners };
      if (change.dryRun) {
        await check(own, previous, opts);
        return previous;
      }
      const saved = await commit(own, previous, change, opts);
      for (const owner of owners) {
        const stored = await current(owner.name);
        await commit(owner, stored, change);
      }
      return saved;
    },
    archived: async (entity?: string) => (await archive.list(entity)).map(archive.view),
    /** Brings back an archived field (its values were never removed) or entity (with its records). */
    async restoreArchived(id: string, change: Change) {
      const entry = await archivedEntry(id);
      if (entry.kind === 'entity') {
        const previous = await store.get(entry.entity);
        if (!previous?.deleted) throw metadataProblems.entityExists.create({ detail: `The entity "${entry.entity}" exists again` });
        await commit(previous.definition, previous, change, { restoring: true });
      } else {
        const previous = await current(entry.entity);
        await commit({ ...previous.definition, fields: [...previous.definition.fields, entry.field] }, previous, change, { restoring: true });
      }
      await archive.remove(entry._id);
      return current(entry.entity);
    },
    async purgeArchived(id: string): Promise<void> {
      await purge(await archivedEntry(id));
    },
    /** Purges what was archived longer ago than the retention period. */
    async purgeExpired(now = new Date()): Promise<number> {
      const expired = await archive.expired(now);
      for (const entry of expired) await purge(entry);
      return expired.length;
    },
    history: async (name: string, limit = 50) => {
      await current(name);
      return store.historyOf(name, limit);
    },
  };
}

