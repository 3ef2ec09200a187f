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

export type MetadataService = ReturnType<typeof createMetadataService>;
type Change = { actor: string; expectedVersion?: number };

export function createMetadataService(deps: { db: Db; store: MetadataStore; registry: MetadataRegistry; checkFilter: FilterChecker; archive: MetadataArchive }) {
  const { db, store, registry, checkFilter, archive } = deps;

  async function current(name: string): Promise<StoredEntity> {
    const doc = await store.get(name);
    if (!doc || doc.deleted) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${name}"` });
    return doc;
  }

  /**
   * Validates, prepares indexes, archives the fields the change drops, saves against the version
   * read, and refreshes the registry. `restoring`: the change brings back archived fields.
   */
  async function commit(candidate: unknown, previous: StoredEntity | null, change: Change, restoring = false): Promise<StoredEntity> {
    const live = previous && !previous.deleted ? previous : null;
    if (change.expectedVersion !== undefined && change.expectedVersion !== (live?.version ?? 0)) {
      throw metadataProblems.versionConflict.create({ detail: `The definition is at version ${live?.version ?? 0}, not ${change.expectedVersion}` });
    }
    const others = registry.definitions();
    if (live) others.delete(live._id);
    const result = validateDefinition(candidate, { previous: live?.definition ?? null, entities: others, checkFilter });
    if (!result.ok) throw metadataProblems.invalidDefinition.create({ detail: 'The definition has problems; see errors', errors: result.errors });
    const taken = restoring ? [] : await archive.namesInUse(live?.definition ?? null, result.definition);
    if (taken.length) throw metadataProblems.invalidDefinition.create({ detail: 'The definition has problems; see errors', errors: taken });
    const broken = brokenRollups(result.definition, others);
    if (broken.length) throw metadataProblems.inUse.create({ detail: `This change would break ${broken.join('; ')}` });
    await createMissingIndexes(db, result.definition);
    const archived = await archive.noteRemovedFields(live?.definition ?? null, result.definition, change.actor);
    const saved = await store.save({ definition: result.definition, expectedVersion: previous?.version ?? 0, by: change.actor });
    if (!saved) {
      await archive.forget(archived);
      throw metadataProblems.versionConflict.create({ detail: 'Someone else changed this definition at the same time; reload it' });
    }
    await dropUnwantedIndexes(db, result.definition);
    await registry.refresh();
    return saved;
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
    archived: async (entity?: string) => (await archive.list(entity)).map(archive.view),
    /** Brings back an archived field (its values were never removed) or entity (with its records). */
    async restoreArchived(id: string, change: Change) {
      const entry = await archivedEntry(id);
      if (entry.kind === 'entity') {
        const previous = await store.get(entry.entity);
        if (!previous?.deleted) throw metadataProblems.entityExists.create({ detail: `The entity "${entry.entity}" exists again` });
        await commit(previous.definition, previous, change, true);
      } else {
        const previous = await current(entry.entity);
        await commit({ ...previous.definition, fields: [...previous.definition.fields, entry.field] }, previous, change, true);
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

