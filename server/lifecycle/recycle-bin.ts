/**
 * The recycle bin (issue 5): deleted records wait in `recycle_bin` (written by
 * server/records/delete-record.ts) until restored or purged after the retention period.
 *
 * Restoring a record brings back, in one go, the records its delete cascaded to, and puts back
 * the links the delete cleared on records that stayed (unless someone set them since). A relation
 * of a restored record whose target is gone meanwhile is cleared and reported, never invented.
 * Restore is idempotent: a record that is already back (a crash between steps) is not inserted
 * twice, and the remaining steps finish.
 */
import { ObjectId, type Document } from 'mongodb';
import type { Actor } from '../shared/actor.ts';
import type { WriteContext } from '../records/index.ts';
import { changeEvent } from '../records/change-events.ts';
import { compactChanges } from '../audit/event-changes.ts';
import { translateWriteError } from '../records/write-pipeline.ts';
import { computeSearch } from '../records/computed-values.ts';
import { computeTitle, titleUpdate } from '../records/record-title.ts';
import { authorize } from '../records/access.ts';
import { titleReader } from '../records/title-access.ts';
import { fieldTypeOf, type CompiledEntity } from '../metadata/index.ts';
import type { Unlinked } from '../records/delete-record.ts';
import { lifecycleProblems } from './lifecycle.problems.ts';

type BinEntry = {
  _id: ObjectId;
  entity: string;
  recordId: ObjectId;
  record: Document;
  deletedAt: Date;
  deletedBy: string;
  deletion?: ObjectId;
  unlinked?: Unlinked[];
};

export type Cleared = { entity: string; recordId: string; field: string };
export type RecycleBin = ReturnType<typeof createRecycleBin>;

const DAY_MS = 86_400_000;

export function createRecycleBin(deps: { ctx: WriteContext; retentionDays: number }) {
  const { ctx } = deps;
  const bin = ctx.db.collection<BinEntry>('recycle_bin');
  const purgeAt = (e: BinEntry) => new Date(e.deletedAt.getTime() + deps.retentionDays * DAY_MS);

  /** Administrators see every entry; others the ones they deleted, of entities they can read. */
  function visible(e: BinEntry, actor: Actor): boolean {
    if (actor.admin) return true;
    return e.deletedBy === actor.id && actor.permissions(e.entity).operations.read;
  }

  async function entry(id: string, actor: Actor): Promise<BinEntry> {
    const found = /^[0-9a-f]{24}$/.test(id) ? await bin.findOne({ _id: new ObjectId(id) }) : null;
    if (!found || !visible(found, actor)) throw lifecycleProblems.binEntryNotFound.create({ detail: `There is no recycle bin entry ${id}` });
    return found;
  }

  /** The entry as the actor sees it: the title its template gave, else the title field, each only if they may see it. */
  function summary(e: BinEntry, actor: Actor) {
    const entity = ctx.registry.get(e.entity);
    const titleField = entity?.definition.titleField ? entity.fields.get(entity.definition.titleField) : undefined;
    const raw = titleField && actor.permissions(e.entity).fields[titleField.name] !== 'hidden' ? e.record[titleField.name] : undefined;
    const fromField = titleField && raw !== undefined ? fieldTypeOf(titleField).toApi(raw, titleField) : null;
    const title = (entity && titleReader(ctx.registry.get, entity, actor)(e.record)) ?? fromField;
    return {
      id: e._id.toHexString(), entity: e.entity, recordId: e.recordId.toHexString(), title: typeof title === 'object' && title ? JSON.stringify(title) : title,
      deletedAt: e.deletedAt, deletedBy: e.deletedBy, purgeAt: purgeAt(e), cascadedFrom: e.deletion && !e.deletion.equals(e._id) ? e.deletion.toHexString() : null,
      unlinked: (e.unlinked ?? []).map((u) => ({ entity: u.entity, field: u.field, count: u.ids.length })),
    };
  }

  /** A relation of `doc` whose target no longer exists (and is not coming back with it) is cleared. */
  async function dropDangling(entity: CompiledEntity, doc: Document, comingBack: Set<string>): Promise<string[]> {
    const cleared: string[] = [];
    for (const field of entity.definition.fields) {
      if ((field.type !== 'relation' && field.type !== 'manyToMany') || doc[field.name] === undefined) continue;
      const target = ctx.registry.get(field.target);
      const links: Array<{ _id: ObjectId }> = field.type === 'relation' ? [{ _id: doc[field.name] as ObjectId }] : (doc[field.name] as Array<{ _id: ObjectId }>);
      const ids = links.map((l) => l._id).filter((id) => !comingBack.has(id.toHexString()));
      const found = target ? await ctx.db.collection(target.collection).find({ _id: { $in: ids }, _deleting: { $exists: false } }, { projection: { _id: 1 } }).toArray() : [];
      const alive = new Set([...comingBack, ...found.map((d) => (d._id as ObjectId).toHexString())]);
      const kept = links.filter((l) => alive.has(l._id.toHexString()));
      if (kept.length === links.length) continue;
      cleared.push(field.name);
      if (field.type === 'relation' || kept.length === 0) delete doc[field.name];
      else doc[field.name] = kept;
    }
    return cleared;
  }

  /** Puts back the links the delete cleared, on records that still exist and have not been given another value. */
  async function relink(e: BinEntry, actor: Actor): Promise<number> {
    let relinked = 0;
    for (const u of e.unlinked ?? []) {
      const child = ctx.registry.get(u.entity);
      const field = child?.fields.get(u.field);
      if (!child || !field) continue;
      const collection = ctx.db.collection(child.collection);
      const many = field.type === 'manyToMany';
      const filter: Document = many ? { _id: { $in: u.ids }, [`${u.field}._id`]: { $ne: e.recordId } } : { _id: { $in: u.ids }, [u.field]: { $exists: false } };
      for (const before of await collection.find({ ...filter, _deleting: { $exists: false } }).toArray()) {
        const now = new Date();
        const link = many ? u.links?.find((l) => (l._id as ObjectId).equals(e.recordId)) ?? { _id: e.recordId } : e.recordId;
        const value = many ? [...((before[u.field] as Document[] | undefined) ?? []), link] : link;
        const after: Document = { ...before, [u.field]: value, updatedAt: now, updatedBy: actor.id };
        await computeTitle(ctx, child, after, before);
        computeSearch(child, after);
        const titled = titleUpdate(before, after);
        const event = changeEvent({ entity: child, type: 'updated', before, after, actor, channel: 'system', at: now });
        const res = await collection.updateOne(
          { ...filter, _id: before._id, _version: before._version },
          { $set: { [u.field]: value, updatedAt: now, updatedBy: actor.id, ...titled.$set }, ...(titled.$unset ? { $unset: titled.$unset } : {}), $inc: { _version: 1 }, ...(event ? { $push: { _outbox: event } } : {}) } as Document,
        );
        if (res.modifiedCount) {
          relinked++;
          ctx.events.notify(child.collection, before._id);
        }
      }
    }
    return relinked;
  }

  /** Inserts the group's records; on a unique conflict takes back what it inserted and refuses. */
  async function reinsert(group: Array<{ e: BinEntry; entity: CompiledEntity }>, actor: Actor, cleared: Cleared[]): Promise<void> {
    const comingBack = new Set(group.map(({ e }) => e.recordId.toHexString()));
    const inserted: Array<{ collection: string; id: ObjectId }> = [];
    for (const { e, entity } of group) {
      const collection = ctx.db.collection(entity.collection);
      if (await collection.countDocuments({ _id: e.recordId }, { limit: 1 })) continue;
      const doc: Document = { ...e.record, _version: ((e.record._version as number | undefined) ?? 0) + 1 };
      for (const field of await dropDangling(entity, doc, comingBack)) cleared.push({ entity: entity.name, recordId: e.recordId.toHexString(), field });
      // Titled by the template in force now (it may have changed while the record was in the bin).
      await computeTitle(ctx, entity, doc, e.record);
      computeSearch(entity, doc);
      const event = changeEvent({ entity, type: 'restored', before: null, after: doc, actor, channel: 'api', at: new Date() });
      if (event) doc._outbox = [compactChanges(event)];
      try {
        await collection.insertOne(doc);
        inserted.push({ collection: entity.collection, id: e.recordId });
      } catch (err) {
        for (const done of inserted) await ctx.db.collection(done.collection).deleteOne({ _id: done.id });
        translateWriteError(err);
      }
    }
    for (const done of inserted) ctx.events.notify(done.collection, done.id);
  }

  return {
    async list(actor: Actor, options: { entity?: string; cursor?: string; limit: number }) {
      const filter: Document = { ...(options.entity ? { entity: options.entity } : {}), ...(actor.admin ? {} : { deletedBy: actor.id }) };
      if (options.cursor) {
        if (!/^[0-9a-f]{24}$/.test(options.cursor)) throw lifecycleProblems.invalidRequest.create({ detail: 'cursor is the id of an entry', errors: [{ pointer: '/cursor', detail: 'must be an entry id' }] });
        filter._id = { $lt: new ObjectId(options.cursor) };
      }
      const data: ReturnType<typeof summary>[] = [];
      for await (const e of bin.find(filter).sort({ _id: -1 })) {
        if (!visible(e, actor)) continue;
        data.push(summary(e, actor));
        if (data.length === options.limit) break;
      }
      return { data, nextCursor: data.length === options.limit ? data[data.length - 1]!.id : null };
    },
    async get(id: string, actor: Actor) {
      return summary(await entry(id, actor), actor);
    },
    /** Restores the entry and, when it is the record the user deleted, everything its delete cascaded to. */
    async restore(id: string, actor: Actor) {
      const root = await entry(id, actor);
      const entries = root.deletion?.equals(root._id) ? await bin.find({ deletion: root._id }).toArray() : [root];
      const group = entries.map((e) => {
        const entity = ctx.registry.get(e.entity);
        if (!entity) throw lifecycleProblems.restoreBlocked.create({ detail: `The entity "${e.entity}" was deleted; restore it first` });
        authorize(actor, entity, 'create');
        return { e, entity };
      });
      const cleared: Cleared[] = [];
      await reinsert(group, actor, cleared);
      let relinked = 0;
      for (const { e } of group) relinked += await relink(e, actor);
      await bin.deleteMany({ _id: { $in: entries.map((e) => e._id) } });
      return { restored: group.map(({ e }) => ({ entity: e.entity, id: e.recordId.toHexString() })), relinked, cleared };
    },
    async purge(id: string, actor: Actor): Promise<void> {
      const e = await entry(id, actor);
      await bin.deleteMany({ $or: [{ _id: e._id }, ...(e.deletion?.equals(e._id) ? [{ deletion: e._id }] : [])] });
    },
    /** Removes entries older than the retention period; returns how many. */
    async purgeExpired(now = new Date()): Promise<number> {
      const res = await bin.deleteMany({ deletedAt: { $lt: new Date(now.getTime() - deps.retentionDays * DAY_MS) } });
      return res.deletedCount;
    },
  };
}
