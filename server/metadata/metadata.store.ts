/**
 * Where definitions live in MongoDB. Every change takes a new metadataVersion from a counter and
 * writes it into the changed entity document. Two changes can land out of counter order, so
 * pollers compare every entity's version rather than asking for "newer than the last seen".
 * Deleted entities stay as tombstones (and their records stay in their collection).
 */
import type { Collection, Db } from 'mongodb';
import type { EntityDefinition } from './entity.types.ts';

export type StoredEntity = {
  _id: string;
  definition: EntityDefinition;
  /** Bumped on every change of this entity; the optimistic-concurrency token of the definition. */
  version: number;
  metadataVersion: number;
  deleted: boolean;
  /** Fields being converted (issue 5), with the conversion's id: writes may not change them. */
  locks?: Record<string, string>;
  /** A deleted entity whose records were purged: its name may be used again. */
  purged?: boolean;
  updatedAt: Date;
  updatedBy: string;
};

export type HistoryEntry = {
  entity: string;
  version: number;
  metadataVersion: number;
  change: 'create' | 'update' | 'delete';
  definition: EntityDefinition;
  at: Date;
  by: string;
};

export type MetadataStore = ReturnType<typeof createMetadataStore>;

export function createMetadataStore(db: Db) {
  const entities: Collection<StoredEntity> = db.collection('meta_entities');
  const history: Collection<HistoryEntry> = db.collection('meta_history');
  const counters = db.collection<{ _id: string; seq: number }>('meta_counters');

  async function nextMetadataVersion(): Promise<number> {
    const doc = await counters.findOneAndUpdate({ _id: 'metadataVersion' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    return doc!.seq;
  }

  return {
    async init(): Promise<void> {
      await entities.createIndex({ metadataVersion: -1 });
      await history.createIndex({ entity: 1, version: -1 }, { unique: true });
    },
    /** The highest metadataVersion written; what other instances poll. */
    async latestVersion(): Promise<number> {
      const [top] = await entities.find({}, { projection: { metadataVersion: 1 } }).sort({ metadataVersion: -1 }).limit(1).toArray();
      return top?.metadataVersion ?? 0;
    },
    /** Every entity's current metadataVersion: few and small, so pollers compare them all. */
    versions(): Promise<Array<{ _id: string; metadataVersion: number }>> {
      return entities.find({}, { projection: { metadataVersion: 1 } }).toArray();
    },
    getMany(names: string[]): Promise<StoredEntity[]> {
      return entities.find({ _id: { $in: names } }).toArray();
    },
    get(name: string): Promise<StoredEntity | null> {
      return entities.findOne({ _id: name });
    },
    /**
     * Writes a definition if the stored one is still at `expectedVersion` (0: must not exist, or
     * be a tombstone). Returns the stored document, or null when someone else changed it first.
     */
    async save(input: { definition: EntityDefinition; expectedVersion: number; by: string; deleted?: boolean; locks?: Record<string, string> }): Promise<StoredEntity | null> {
      const { definition, expectedVersion, by } = input;
      const metadataVersion = await nextMetadataVersion();
      const doc: StoredEntity = {
        _id: definition.name, definition, version: expectedVersion + 1, metadataVersion,
        deleted: input.deleted ?? false, updatedAt: new Date(), updatedBy: by,
        ...(input.locks && Object.keys(input.locks).length ? { locks: input.locks } : {}),
      };
      try {
        const res = await entities.replaceOne({ _id: definition.name, version: expectedVersion }, doc, { upsert: expectedVersion === 0 });
        if (res.matchedCount === 0 && res.upsertedCount === 0) return null;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return null;
        throw err;
      }
      const change = input.deleted ? 'delete' : expectedVersion === 0 ? 'create' : 'update';
      await history.insertOne({ entity: definition.name, version: doc.version, metadataVersion, change, definition, at: doc.updatedAt, by });
      return doc;
    },
    /**
     * Sets the entity's field locks. The version moves too, so a definition change made from a
     * read before the lock (which would carry the old locks) is refused as a conflict.
     */
    async setLocks(name: string, expectedVersion: number, locks: Record<string, string>): Promise<boolean> {
      const metadataVersion = await nextMetadataVersion();
      const res = await entities.updateOne({ _id: name, version: expectedVersion, deleted: false }, { $set: { locks, metadataVersion, version: expectedVersion + 1 } });
      return res.modifiedCount === 1;
    },
    async markPurged(name: string): Promise<void> {
      await entities.updateOne({ _id: name, deleted: true }, { $set: { purged: true } });
    },
    historyOf(name: string, limit: number): Promise<HistoryEntry[]> {
      return history.find({ entity: name }, { projection: { _id: 0 } }).sort({ version: -1 }).limit(limit).toArray();
    },
    /** Next value of an autonumber counter, atomically. */
    async nextCounter(key: string): Promise<number> {
      const doc = await counters.findOneAndUpdate({ _id: `autonumber:${key}` }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
      return doc!.seq;
    },
  };
}
