/**
 * The audit entries of new records written many at a time (an import's batch, a bulk create:
 * issue 5): one audit document for each part of the batch (up to 100 records), not one per record.
 * It keeps the created events as the BSON blob the outbox stored them in (outbox-batches.ts), with
 * the records' ids listed in `recordId` in the same order, so the history index ({recordId, _id})
 * finds it for each of them.
 *
 * An audit document per record made the database parse, index, hold in memory and journal a
 * second copy of every imported row; the batch's blob is bytes it never parses, sent as they are.
 * Two alternated 100k-row imports: 10,785 and 11,493 rows/s against 9,455 and 8,869 with a
 * document per record; the engine's thread busy 4.9–5.0 s instead of 6.3–7.0 s. The price is
 * paid by a record's history, which reads the whole document: with 1,000 records in one (350 KB),
 * 4.8–8.1 ms a request, 1.55–2.64x a GET; with 100, 3.4 ms, 1.41x (`npm run bench -- import`).
 *
 * Readers go through `entryOf`, which gives a record's entry in the form a per-record entry has.
 * Its `_id` is the batch's (the outbox document's id, so delivering again inserts nothing twice),
 * which sorts after the events' own ids and before any later change of the records.
 */
import { Binary, BSON, type Db, type Document, type ObjectId } from 'mongodb';
import { recordsChanges } from './event-changes.ts';

export type StoredEvent = { id: ObjectId; recordId: ObjectId; entity?: string; audited?: false } & Document;
export type BatchEntry = { _id: ObjectId; entity: unknown; recordId: ObjectId[]; events: Binary };

type AnyEvent = { id: ObjectId; changes?: unknown; values?: unknown; audited?: unknown } & Document;

/** Whether an event gets an audit entry: it records field changes and its entity is audited. */
export const isAudited = (event: AnyEvent): boolean => recordsChanges(event) && event.audited !== false;

/** A per-record audit entry: the event, its id as the entry's `_id`. */
export function eventEntry(event: AnyEvent): Document {
  const { id, audited: _audited, ...rest } = event;
  return { _id: id, ...rest };
}

/**
 * The audit document of one stored blob (`{events}`), for those of its events that are `kept`
 * (written, audited); the blob is reused as it is when they are all of them. Events of several
 * entities (never, from one collection) get per-record entries instead.
 */
export function batchEntries(id: ObjectId, blob: Binary, events: StoredEvent[], kept: StoredEvent[]): Document[] {
  if (!kept.length) return [];
  if (kept.some((e) => e.entity !== kept[0]!.entity)) return kept.map(eventEntry);
  const stored = kept.length === events.length ? blob : new Binary(BSON.serialize({ events: kept }));
  const entry: BatchEntry = { _id: id, entity: kept[0]!.entity, recordId: kept.map((e) => e.recordId), events: stored };
  return [entry];
}

/** The events of a blob as stored. */
export const eventsOf = (blob: Binary): StoredEvent[] => BSON.deserialize(blob.buffer.subarray(0, blob.position)).events as StoredEvent[];

/**
 * The entry of `recordId` in a stored audit document: the document itself, or (a batch's) the
 * record's event as a per-record entry. Reads only that event's bytes, not the whole batch.
 */
export function entryOf(stored: Document, recordId: ObjectId): Document | undefined {
  if (!(stored.events instanceof Binary) || !Array.isArray(stored.recordId)) return stored;
  const at = (stored.recordId as ObjectId[]).findIndex((id) => id.equals(recordId));
  if (at < 0) return undefined;
  const bytes = stored.events.buffer.subarray(0, stored.events.position);
  const event = BSON.deserialize(elementAt(bytes, at)) as StoredEvent;
  return eventEntry(event);
}

/** The bytes of element `at` of the array `events` in a `{events: [...]}` document, found by skipping the ones before it. */
function elementAt(doc: Uint8Array, at: number): Uint8Array {
  const view = new DataView(doc.buffer, doc.byteOffset, doc.byteLength);
  // Document length (4), then the array's element: type (1), "events\0" (7), the array's length (4).
  let offset = 4 + 1 + 7 + 4;
  for (let i = 0; ; i++) {
    if (doc[offset] !== 0x03) throw new Error(`the batch holds no event ${at}`);
    let name = offset + 1;
    while (doc[name] !== 0) name++;
    const start = name + 1;
    const size = view.getInt32(start, true);
    if (i === at) return doc.subarray(start, start + size);
    offset = start + size;
  }
}

/** A field renamed (lifecycle/rename-field.ts): its values in the entity's batch documents follow, one document at a time. */
export async function renameInAuditBatches(db: Db, entity: string, from: string, to: string): Promise<void> {
  const audit = db.collection<BatchEntry>('audit_log');
  for await (const stored of audit.find({ entity, events: { $exists: true } })) {
    const events = renamedBatch(stored, from, to);
    if (events) await audit.updateOne({ _id: stored._id }, { $set: { events } });
  }
}

/** The batch's blob with the field renamed in its events; null when none has it. */
function renamedBatch(stored: BatchEntry, from: string, to: string): Binary | null {
  let changed = false;
  const events = eventsOf(stored.events).map((event) => {
    if (event.values && typeof event.values === 'object' && from in event.values) {
      changed = true;
      return { ...event, values: Object.fromEntries(Object.entries(event.values as object).map(([k, v]) => [k === from ? to : k, v])) };
    }
    if (Array.isArray(event.changes) && event.changes.some((c: { field: string }) => c.field === from)) {
      changed = true;
      return { ...event, changes: event.changes.map((c: { field: string }) => (c.field === from ? { ...c, field: to } : c)) };
    }
    return event;
  });
  return changed ? new Binary(BSON.serialize({ events })) : null;
}
