/**
 * Deleting a record applies the onDelete rule of every relation that points at it — restrict
 * refuses while children exist, setNull clears the children's link, cascade deletes them through
 * this same function — drops it from many-to-many links, then moves it to the recycle bin
 * (issue 5 restores from there).
 *
 * One record's delete is three writes made safe to interrupt: (1) claim the version that was read
 * (the commit point: a concurrent change or delete makes it fail; the delete event goes into the
 * record's outbox in the same write), (2) copy it with its pending events into the bin under the
 * claim's id (a retry writes nothing twice), (3) remove it. `finishPendingDeletes` completes
 * claims a crash interrupted.
 *
 * The bin entry notes what the delete did to other records, so a restore can undo it
 * (server/lifecycle/recycle-bin.ts): `deletion` is the id of the delete the user asked for
 * (shared by the records it cascaded to), `unlinked` the links it cleared on records that stay.
 */
import { ObjectId, type Collection, type Document } from 'mongodb';
import type { CompiledEntity, InboundLink } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import { changeEvent } from './change-events.ts';
import { computeSearch, type WriteContext } from './computed-values.ts';
import { computeTitle, titleUpdate } from './record-title.ts';
import type { WriteRequest } from './write-pipeline.ts';
import type { Actor } from '../shared/actor.ts';
import { scopeFilter, visibleNames, withScope } from './access.ts';

const MAX_CASCADE_DEPTH = 5;
/** Records one delete may touch: cascaded deletes plus links cleared. */
const MAX_CASCADE_RECORDS = 1000;

/** How far a delete may reach, and who asks (a refusal counts only the records they can read). */
type Budget = { left: number; actor: Actor };
/** A link a delete cleared: the records that held it and, for many-to-many, the link itself with its attributes. */
export type Unlinked = { entity: string; field: string; ids: ObjectId[]; links?: Document[] };
type Claim = { id: ObjectId; at: Date; by: string; deletion?: ObjectId; unlinked?: Unlinked[] };

export async function deleteRecord(ctx: WriteContext, entity: CompiledEntity, doc: Document, req: WriteRequest): Promise<void> {
  // The whole cascade is checked before anything is deleted, so a restricted grandchild refuses it all.
  await checkDeletable(ctx, entity, doc._id, 0, { left: MAX_CASCADE_RECORDS, actor: req.actor });
  await removeTree(ctx, entity, doc, req, null);
}

async function checkDeletable(ctx: WriteContext, entity: CompiledEntity, id: ObjectId, depth: number, budget: Budget): Promise<void> {
  const links = ctx.registry.inboundLinks(entity.name);
  await refuseIfRestricted(ctx, entity, id, links, budget.actor);
  const spend = (n: number) => {
    budget.left -= n;
    if (budget.left < 0) throw recordProblems.relationRestricted.create({ detail: `Deleting this record would change more than ${MAX_CASCADE_RECORDS} other records` });
  };
  for (const link of links) {
    if (!cascades(link)) spend(await ctx.db.collection(link.entity.collection).countDocuments({ [linkPath(link)]: id, _id: { $ne: id } }, { limit: budget.left + 1 }));
  }
  for (const link of links.filter(cascades)) {
    if (depth >= MAX_CASCADE_DEPTH) throw recordProblems.relationRestricted.create({ detail: `Cascading deletes go deeper than ${MAX_CASCADE_DEPTH} levels` });
    const children = await childrenOf(ctx, link, id, budget.left + 1, { _id: 1 });
    spend(children.length);
    for (const child of children) await checkDeletable(ctx, link.entity, child._id, depth + 1, budget);
  }
}

async function removeTree(ctx: WriteContext, entity: CompiledEntity, doc: Document, req: WriteRequest, deletion: ObjectId | null): Promise<void> {
  const links = ctx.registry.inboundLinks(entity.name);
  const now = new Date();
  const event = changeEvent({ entity, type: 'deleted', before: doc, after: null, actor: req.actor, channel: req.channel, at: now });
  const id = event?.id ?? new ObjectId();
  for (const link of links.filter(cascades)) {
    for (const child of await childrenOf(ctx, link, doc._id, MAX_CASCADE_RECORDS)) await removeTree(ctx, link.entity, child, req, deletion ?? id);
  }
  const unlinked: Unlinked[] = [];
  for (const link of links) {
    if (link.field.type === 'manyToMany' || link.field.onDelete === 'setNull') unlinked.push(await unlink(ctx, link, doc._id, req));
  }
  const collection = ctx.db.collection(entity.collection);
  const claim: Claim = { id, at: now, by: req.actor.id, deletion: deletion ?? id, unlinked: unlinked.filter((u) => u.ids.length) };
  const claimed = await collection.findOneAndUpdate(
    { _id: doc._id, _version: doc._version, _deleting: { $exists: false } },
    // The version moves too, so an update that read the record before the claim cannot land on it.
    { $set: { _deleting: claim }, $inc: { _version: 1 }, ...(event ? { $push: { _outbox: event } } : {}) } as Document,
    { returnDocument: 'after' },
  );
  if (!claimed) throw recordProblems.preconditionFailed.create({ detail: 'The record changed or was deleted while this delete was applied' });
  await finishDelete(ctx, entity.name, collection, claimed);
}

async function finishDelete(ctx: WriteContext, entity: string, collection: Collection, claimed: Document): Promise<void> {
  const { _outbox = [], _deleting, _search, ...record } = claimed;
  const claim = _deleting as Claim;
  await ctx.db
    .collection('recycle_bin')
    .insertOne({ _id: claim.id, entity, recordId: claimed._id, record, deletedAt: claim.at, deletedBy: claim.by, deletion: claim.deletion ?? claim.id, unlinked: claim.unlinked ?? [], _outbox })
    .catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
    });
  await collection.deleteOne({ _id: claimed._id, '_deleting.id': claim.id });
  ctx.events.notify('recycle_bin', claim.id);
}

/** Completes deletes that were claimed but not finished (a crash between the writes). */
export async function finishPendingDeletes(ctx: WriteContext): Promise<number> {
  let finished = 0;
  for (const entity of ctx.registry.all()) {
    const collection = ctx.db.collection(entity.collection);
    for (const claimed of await collection.find({ _deleting: { $exists: true } }).limit(MAX_CASCADE_RECORDS).toArray()) {
      await finishDelete(ctx, entity.name, collection, claimed);
      finished++;
    }
  }
  return finished;
}

const cascades = (l: InboundLink): boolean => l.field.type === 'relation' && l.field.onDelete === 'cascade';
const linkPath = (l: InboundLink): string => (l.field.type === 'manyToMany' ? `${l.field.name}._id` : l.field.name);

function childrenOf(ctx: WriteContext, link: InboundLink, id: ObjectId, limit: number, projection?: Document): Promise<Document[]> {
  return ctx.db.collection(link.entity.collection).find({ [link.field.name]: id, _id: { $ne: id } }, projection ? { projection } : {}).limit(limit).toArray();
}

async function refuseIfRestricted(ctx: WriteContext, entity: CompiledEntity, id: ObjectId, links: InboundLink[], actor: Actor): Promise<void> {
  const blocking: string[] = [];
  let unseen = false;
  for (const { entity: child, field } of links) {
    if (field.type !== 'relation' || (field.onDelete ?? 'restrict') !== 'restrict') continue;
    const collection = ctx.db.collection(child.collection);
    const filter = { [field.name]: id, _id: { $ne: id } };
    const perms = actor.permissions(child.name);
    const canSee = perms.operations.read && (visibleNames(child, perms)?.has(field.name) ?? true);
    const seen = canSee ? await collection.countDocuments(withScope(filter, scopeFilter(child, perms.read)), { limit: 1000 }) : 0;
    if (seen) blocking.push(`${seen} ${child.name} record(s) through ${field.name}`);
    // Records the actor cannot read still block the delete, but are neither counted nor named.
    if (!unseen && (await collection.countDocuments(filter, { limit: 1000 })) > seen) unseen = true;
  }
  if (unseen) blocking.push('records you cannot see');
  if (blocking.length) {
    throw recordProblems.relationRestricted.create({ detail: `This ${entity.name} is still referenced by ${blocking.join(', ')}; delete or reassign them first` });
  }
}

/** Clears a many-to-one link or removes a many-to-many link on every record that holds one. */
async function unlink(ctx: WriteContext, link: InboundLink, id: ObjectId, req: WriteRequest): Promise<Unlinked> {
  const { entity: child, field } = link;
  const collection = ctx.db.collection(child.collection);
  const noted: Unlinked = { entity: child.name, field: field.name, ids: [], ...(field.type === 'manyToMany' ? { links: [] } : {}) };
  for await (const before of collection.find({ [linkPath(link)]: id, _id: { $ne: id } }).limit(MAX_CASCADE_RECORDS)) {
    noted.ids.push(before._id);
    if (field.type === 'manyToMany') noted.links!.push((before[field.name] as Array<{ _id: ObjectId }>).find((l) => l._id.equals(id))!);
    const now = new Date();
    const after: Document = { ...before, updatedAt: now, updatedBy: req.actor.id };
    if (field.type === 'manyToMany') after[field.name] = (before[field.name] as Array<{ _id: ObjectId }>).filter((l) => !l._id.equals(id));
    else delete after[field.name];
    // The title and search words may have been made from the record unlinked: rendered again.
    await computeTitle(ctx, child, after, before);
    computeSearch(child, after);
    const titled = titleUpdate(before, after);
    const event = changeEvent({ entity: child, type: 'updated', before, after, actor: req.actor, channel: 'system', at: now });
    const many = field.type === 'manyToMany';
    const $unset: Document = { ...(many ? {} : { [field.name]: '' }), ...titled.$unset };
    await collection.updateOne(
      { _id: before._id },
      { ...(many ? { $pull: { [field.name]: { _id: id } } } : {}), ...(Object.keys($unset).length ? { $unset } : {}), $set: { updatedAt: now, updatedBy: req.actor.id, ...titled.$set }, $inc: { _version: 1 }, ...(event ? { $push: { _outbox: event } } : {}) } as Document,
    );
    if (event) ctx.events.notify(child.collection, before._id);
  }
  return noted;
}
