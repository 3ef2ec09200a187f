/**
 * Deleting a record applies the onDelete rule of every relation that points at it — restrict
 * refuses while children exist, setNull clears the children's link, cascade deletes them through
 * this same function — drops it from many-to-many links, then moves it to the recycle bin
 * (issue 5 restores from there) with its delete event in the same document.
 */
import type { Document, ObjectId } from 'mongodb';
import type { CompiledEntity, InboundLink } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import { changeEvent } from './change-events.ts';
import type { WriteContext } from './computed-values.ts';
import type { WriteRequest } from './write-pipeline.ts';

const MAX_CASCADE_DEPTH = 5;
const MAX_CASCADE_RECORDS = 1000;

type Budget = { left: number };

export async function deleteRecord(ctx: WriteContext, entity: CompiledEntity, doc: Document, req: WriteRequest): Promise<void> {
  // The whole cascade is checked before anything is deleted, so a restricted grandchild refuses it all.
  await checkDeletable(ctx, entity, doc._id, 0, { left: MAX_CASCADE_RECORDS });
  await removeTree(ctx, entity, doc, req);
}

async function checkDeletable(ctx: WriteContext, entity: CompiledEntity, id: ObjectId, depth: number, budget: Budget): Promise<void> {
  const links = ctx.registry.inboundLinks(entity.name);
  await refuseIfRestricted(ctx, entity, id, links);
  for (const link of cascading(links)) {
    if (depth >= MAX_CASCADE_DEPTH) throw recordProblems.relationRestricted.create({ detail: `Cascading deletes go deeper than ${MAX_CASCADE_DEPTH} levels` });
    const children = await childrenOf(ctx, link, id, budget.left + 1, { _id: 1 });
    budget.left -= children.length;
    if (budget.left < 0) throw recordProblems.relationRestricted.create({ detail: `Deleting this record would cascade to more than ${MAX_CASCADE_RECORDS} records` });
    for (const child of children) await checkDeletable(ctx, link.entity, child._id, depth + 1, budget);
  }
}

async function removeTree(ctx: WriteContext, entity: CompiledEntity, doc: Document, req: WriteRequest): Promise<void> {
  const links = ctx.registry.inboundLinks(entity.name);
  for (const link of cascading(links)) {
    for (const child of await childrenOf(ctx, link, doc._id, MAX_CASCADE_RECORDS)) await removeTree(ctx, link.entity, child, req);
  }
  for (const link of links) {
    if (link.field.type === 'manyToMany' || link.field.onDelete === 'setNull') await unlink(ctx, link, doc._id, req);
  }
  const now = new Date();
  const event = changeEvent({ entity, type: 'deleted', before: doc, after: null, actor: req.actor, channel: req.channel, at: now });
  const binned = await ctx.db.collection('recycle_bin').insertOne({ entity: entity.name, recordId: doc._id, record: doc, deletedAt: now, deletedBy: req.actor.id, _outbox: event ? [event] : [] });
  await ctx.db.collection(entity.collection).deleteOne({ _id: doc._id });
  ctx.events.notify('recycle_bin', binned.insertedId);
}

const cascading = (links: InboundLink[]) => links.filter((l) => l.field.type === 'relation' && l.field.onDelete === 'cascade');

function childrenOf(ctx: WriteContext, link: InboundLink, id: ObjectId, limit: number, projection?: Document): Promise<Document[]> {
  return ctx.db.collection(link.entity.collection).find({ [link.field.name]: id, _id: { $ne: id } }, projection ? { projection } : {}).limit(limit).toArray();
}

async function refuseIfRestricted(ctx: WriteContext, entity: CompiledEntity, id: ObjectId, links: InboundLink[]): Promise<void> {
  const blocking: string[] = [];
  for (const { entity: child, field } of links) {
    if (field.type !== 'relation' || (field.onDelete ?? 'restrict') !== 'restrict') continue;
    const count = await ctx.db.collection(child.collection).countDocuments({ [field.name]: id, _id: { $ne: id } }, { limit: 1000 });
    if (count) blocking.push(`${count} ${child.name} record(s) through ${field.name}`);
  }
  if (blocking.length) {
    throw recordProblems.relationRestricted.create({ detail: `This ${entity.name} is still referenced by ${blocking.join(', ')}; delete or reassign them first` });
  }
}

/** Clears a many-to-one link or removes a many-to-many link on every record that holds one. */
async function unlink(ctx: WriteContext, link: InboundLink, id: ObjectId, req: WriteRequest): Promise<void> {
  const { entity: child, field } = link;
  const path = field.type === 'manyToMany' ? `${field.name}._id` : field.name;
  const collection = ctx.db.collection(child.collection);
  for await (const before of collection.find({ [path]: id })) {
    const now = new Date();
    const after: Document = { ...before, updatedAt: now, updatedBy: req.actor.id };
    if (field.type === 'manyToMany') after[field.name] = (before[field.name] as Array<{ _id: ObjectId }>).filter((l) => !l._id.equals(id));
    else delete after[field.name];
    const event = changeEvent({ entity: child, type: 'updated', before, after, actor: req.actor, channel: 'system', at: now });
    const change: Document = field.type === 'manyToMany' ? { $pull: { [field.name]: { _id: id } } } : { $unset: { [field.name]: '' } };
    await collection.updateOne(
      { _id: before._id },
      { ...change, $set: { updatedAt: now, updatedBy: req.actor.id }, $inc: { _version: 1 }, ...(event ? { $push: { _outbox: event } } : {}) } as Document,
    );
    if (event) ctx.events.notify(child.collection, before._id);
  }
}
