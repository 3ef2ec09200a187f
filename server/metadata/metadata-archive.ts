/**
 * Deleted fields and entities are archived, not dropped (issue 5): a removed field's values stay
 * in the records and an entity's records stay in their collection, so a restore brings them back
 * as they were. Only a purge (asked for, or when the retention period ends) removes the data.
 *
 * The archive entry is written before the definition change, so a crash between the two leaves
 * at worst an entry for something still live; a purge checks for that and never touches live data.
 */
import { ObjectId, type Db } from 'mongodb';
import type { EntityDefinition, Field } from './entity.types.ts';
import type { FieldError } from '../shared/errors.ts';
import { recordCollection } from './compile-entity.ts';

export type ArchiveEntry = {
  _id: ObjectId;
  kind: 'field' | 'entity';
  entity: string;
  /** For a field: its definition when it was removed. */
  field?: Field;
  archivedAt: Date;
  archivedBy: string;
};

export type MetadataArchive = ReturnType<typeof createMetadataArchive>;

const DAY_MS = 86_400_000;

export function createMetadataArchive(db: Db, retentionDays: number) {
  const archive = db.collection<ArchiveEntry>('meta_archive');
  const purgeAt = (e: ArchiveEntry) => new Date(e.archivedAt.getTime() + retentionDays * DAY_MS);

  return {
    init: () => archive.createIndex({ entity: 1, kind: 1 }),
    view: (e: ArchiveEntry) => ({ id: e._id.toHexString(), kind: e.kind, entity: e.entity, ...(e.field ? { field: e.field } : {}), archivedAt: e.archivedAt, archivedBy: e.archivedBy, purgeAt: purgeAt(e) }),
    list: (entity?: string) => archive.find(entity ? { entity } : {}).sort({ _id: -1 }).toArray(),
    get: (id: string) => (/^[0-9a-f]{24}$/.test(id) ? archive.findOne({ _id: new ObjectId(id) }) : Promise.resolve(null)),
    remove: (id: ObjectId) => archive.deleteOne({ _id: id }),
    expired: (now: Date) => archive.find({ archivedAt: { $lt: new Date(now.getTime() - retentionDays * DAY_MS) } }).toArray(),

    /** Archives the fields `next` drops from `previous`; returns the entries' ids (to take back if the change fails). */
    async noteRemovedFields(previous: EntityDefinition | null, next: EntityDefinition, by: string): Promise<ObjectId[]> {
      const kept = new Set(next.fields.map((f) => f.name));
      const removed = (previous?.fields ?? []).filter((f) => !kept.has(f.name));
      if (!removed.length) return [];
      const now = new Date();
      const entries = removed.map((field) => ({ _id: new ObjectId(), kind: 'field' as const, entity: next.name, field, archivedAt: now, archivedBy: by }));
      await archive.insertMany(entries);
      return entries.map((e) => e._id);
    },
    async noteRemovedEntity(name: string, by: string): Promise<ObjectId> {
      const _id = new ObjectId();
      await archive.insertOne({ _id, kind: 'entity', entity: name, archivedAt: new Date(), archivedBy: by });
      return _id;
    },
    forget: (ids: ObjectId[]) => (ids.length ? archive.deleteMany({ _id: { $in: ids } }) : Promise.resolve()),

    /** A new field may not take the name of an archived one: its old values would show up as the new field's. */
    async namesInUse(previous: EntityDefinition | null, next: EntityDefinition): Promise<FieldError[]> {
      const had = new Set(previous?.fields.map((f) => f.name) ?? []);
      const added = next.fields.map((f, i) => ({ f, i })).filter(({ f }) => !had.has(f.name));
      if (!added.length) return [];
      const archived = await archive.find({ kind: 'field', entity: next.name, 'field.name': { $in: added.map(({ f }) => f.name) } }).toArray();
      const names = new Set(archived.map((e) => e.field!.name));
      return added
        .filter(({ f }) => names.has(f.name))
        .map(({ f, i }) => ({ pointer: `/fields/${i}/name`, detail: `an archived field is called "${f.name}"; restore it, or purge it first` }));
    },

    /** Removes an archived field's values from every record (a field that is live again is left alone). */
    async purgeField(e: ArchiveEntry, live: EntityDefinition | undefined): Promise<void> {
      const name = e.field!.name;
      if (!live?.fields.some((f) => f.name === name)) {
        await db.collection(recordCollection(e.entity)).updateMany({ [name]: { $exists: true } }, { $unset: { [name]: '' } });
      }
      await archive.deleteOne({ _id: e._id });
    },
    /** Drops an archived entity's records and recycle bin entries, and its archived fields. */
    async purgeEntity(e: ArchiveEntry): Promise<void> {
      await db.collection(recordCollection(e.entity)).drop().catch(() => false);
      await db.collection('recycle_bin').deleteMany({ entity: e.entity });
      await archive.deleteMany({ entity: e.entity });
    },
  };
}
