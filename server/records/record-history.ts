/**
 * A record's field history from the audit log: who changed which field from what to what, when,
 * through which channel; newest first, paginated by `cursor` (the id of the last entry seen). Only for records in
 * the actor's read scope, and only the fields they can see: an entry that changed nothing visible
 * to them is left out.
 */
import { ObjectId, type Document, type Filter } from 'mongodb';
import type { ReadContext } from './parents.ts';
import type { Access } from './records.service.ts';
import { recordProblems } from './records.problems.ts';
import { visibleNames } from './access.ts';
import { changesOf, type FieldChange } from '../audit/event-changes.ts';
import { entryOf } from '../audit/index.ts';

type AuditEntry = { _id: ObjectId; type: string; entity: string; recordId: ObjectId; at: Date; actorId: string; channel: string; changes?: FieldChange[]; values?: Record<string, unknown> };

export async function recordHistory(ctx: ReadContext, a: Access, record: Document, page: { before?: string; limit: number }) {
  if (page.before !== undefined && !/^[0-9a-f]{24}$/.test(page.before)) {
    throw recordProblems.invalidQuery.create({ detail: 'before is the id of an entry', errors: [{ pointer: '/before', detail: 'must be an entry id' }] });
  }
  const filter: Filter<AuditEntry> = { entity: a.entity.name, recordId: record._id as ObjectId, ...(page.before ? { _id: { $lt: new ObjectId(page.before) } } : {}) };
  const visible = visibleNames(a.entity, a.perms);
  const order = new Map(a.entity.definition.fields.map((f, i) => [f.name, i]));
  const orderOf = (field: string): number => order.get(field) ?? order.size;
  const data = [];
  let last: ObjectId | undefined;
  const cursor = ctx.db.collection<AuditEntry>('audit_log').find(filter).sort({ _id: -1 });
  for await (const stored of cursor) {
    // The page ends at the stored document (a batch of new records has one for all: audit-batches.ts).
    last = stored._id;
    const entry = entryOf(stored, record._id as ObjectId) as AuditEntry | undefined;
    if (!entry) continue;
    // In the entity's field order (a renamed field's value moves to the end of a stored `values`).
    const changes = (changesOf(entry) ?? []).filter((c) => !visible || visible.has(c.field)).sort((x, y) => orderOf(x.field) - orderOf(y.field));
    if (entry.type === 'updated' && changes.length === 0) continue;
    data.push({ id: entry._id.toHexString(), type: entry.type, at: entry.at, actorId: entry.actorId, channel: entry.channel, changes });
    if (data.length === page.limit) break;
  }
  await cursor.close();
  return { data, nextCursor: data.length === page.limit && last ? last.toHexString() : null };
}
