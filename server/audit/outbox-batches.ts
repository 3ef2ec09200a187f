/**
 * New records written many at a time (an import's batch, a bulk create: issue 5) keep their
 * events in the batch's outbox documents (up to 100 events each), not in each record's `_outbox`.
 *
 * Per record, an `_outbox` costs a second write: once delivered, the event is pulled out of the
 * document again, which rewrites and journals the whole record, after a read to find it. For
 * 100k imported contacts (`npm run bench -- import`, the two alternated on one machine): server
 * CPU 270–329 µs a row with an `_outbox` per record, 180–214 µs with the batch, and every event
 * delivered 13–16 s after the upload began instead of 19–24 s. The import answers about as fast
 * (0.92x): its events are now delivered while it runs instead of after it has answered.
 *
 * The order keeps the outbox promise, no event lost or invented:
 * 1. the batch's events are stored (one insert into `outbox_batches`) before any record;
 * 2. the records are inserted (unordered: the database may refuse some, a taken unique value);
 * 3. the events of the records written are delivered from memory, then the batch document goes.
 *    Their audit entry is one document for the batch, which keeps the blob (audit-batches.ts).
 * A crash (or a failed delivery) leaves the batch document behind. The sweep delivers it once it
 * is older than any write could still be running (GRACE_MS), and only the events of records that
 * exist, in their collection or (deleted since) in the recycle bin: a record the crash kept from
 * being written, or the database refused, has no event. Ids are new ObjectIds, so no other write
 * can have made a record with one of them.
 */
import { Binary, BSON, ObjectId, type Db, type Document, type MongoBulkWriteError } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import { NOT_AWAITING_JOURNAL } from '../storage/index.ts';
import { batchEntries, eventsOf, isAudited, type StoredEvent as Event } from './audit-batches.ts';

/** A record the database refused, by its index in the list given. */
export type InsertRefusal = { index: number; code?: number; keyPattern?: Document };

/** New records whose events are being stored: `insert` writes them (once), `abandon` gives them up. */
export type StagedInsert = { insert(): Promise<InsertRefusal[]>; abandon(): void };

/**
 * The events as one BSON blob, not an array of documents: the database stores, journals and drops
 * it as bytes, never parsing the thousands of values inside (they are read only by the sweep, and
 * by a record's history once the blob is the batch's audit document: audit-batches.ts).
 */
type BatchDoc = { _id: ObjectId; collection: string; events: Binary };
/** A batch document with the events its blob holds. */
type Part = { doc: BatchDoc; events: Event[] };
/** What delivering a batch takes: its events (to the subscribers) and the batch's audit documents. */
export type BatchDelivery = { events: Event[]; audit: Document[] };

/** Longer than any insertMany of one batch can take, so the sweep never races a live write. */
const GRACE_MS = 5 * 60_000;
const SWEEP_LIMIT = 20;
const MAX_QUEUED = 2;
/** Well under MongoDB's 16 MiB a document: a batch of long texts is kept in several. */
const MAX_DOC_BYTES = 8 * 1024 * 1024;
/**
 * A batch document becomes the audit document of its records, and a record's history reads it
 * whole: with 1,000 imported contacts in one, about 350 KB for each history request (1.55–2.64x
 * a GET of the record). A batch of writes is kept in documents of at most this many events.
 */
const EVENTS_PER_DOC = 100;

/** The index a duplicate key refusal names: its keyPattern, or (where a server leaves it out of a bulk write's errors) the field its message names. */
function keyPatternOf(err: { keyPattern?: Document; errmsg?: string } | undefined): Document | undefined {
  const field = err?.keyPattern ? undefined : /dup key: \{ "?([A-Za-z0-9_.]+)"?:/.exec(err?.errmsg ?? '')?.[1];
  return err?.keyPattern ?? (field ? { [field]: 1 } : undefined);
}

/** `deliver` gets events in their stored form and must be idempotent (the sweep may repeat a delivery a crash cut short). */
export function createOutboxBatches(deps: { db: Db; logger: Logger; deliver: (delivery: BatchDelivery) => Promise<void>; graceMs?: number }) {
  const { db, logger } = deps;
  const batches = db.collection<BatchDoc>('outbox_batches');
  /** Batches this process is writing or delivering: the sweep leaves them to it. */
  const live = new Set<string>();
  let tail: Promise<void> = Promise.resolve();
  const queued: Array<Promise<void>> = [];

  /**
   * Step 1 starts at once: the batch's events are stored while the caller may still be writing an
   * earlier batch, so an import's writes do not wait for that round trip. `insert` does steps 2
   * and 3 once they are stored; `abandon` (the records will not be written) leaves the batch
   * document to the sweep, which finds none of its records and drops it.
   */
  function stageRecords(collection: string, docs: Document[]): StagedInsert {
    const events: Event[] = [];
    for (const doc of docs) {
      if (doc._outbox) events.push(...(doc._outbox as Event[]));
      delete doc._outbox;
    }
    const parts = blobs(events).map((part) => ({ doc: { _id: new ObjectId(), collection, events: new Binary(part.blob) }, events: part.events }));
    for (const part of parts) live.add(String(part.doc._id));
    const release = () => {
      for (const part of parts) live.delete(String(part.doc._id));
    };
    // On disk before the records are: their insert, after it, waits for the journal (storage/write-concerns.ts).
    const stored = parts.length ? batches.insertMany(parts.map((p) => p.doc), NOT_AWAITING_JOURNAL).then(() => undefined) : Promise.resolve();
    // Awaited by insert; a batch abandoned before that must not count as unhandled.
    stored.catch(() => undefined);
    return {
      async insert() {
        if (!docs.length) return [];
        try {
          await stored;
          const refusals = await db.collection(collection).insertMany(docs, { ordered: false }).then(() => [], refusalsOf);
          const refused = new Set(refusals.map((r) => String(docs[r.index]!._id)));
          if (parts.length) await queue(parts, (e) => !refused.has(String(e.recordId)));
          return refusals;
        } catch (err) {
          release();
          throw err;
        }
      },
      abandon: release,
    };
  }

  /**
   * Delivers after the records are written, one batch at a time and in order, while the caller
   * goes on (the next batch of an import is written meanwhile); a caller more than MAX_QUEUED
   * batches ahead waits, so the events held in memory stay bounded however long the file.
   */
  async function queue(parts: Part[], written: (e: Event) => boolean): Promise<void> {
    const ids = parts.map((p) => p.doc._id);
    const delivery = tail.then(async () => {
      try {
        await deliverParts(parts, written);
        await batches.deleteMany({ _id: { $in: ids } }, NOT_AWAITING_JOURNAL);
      } catch (err) {
        logger.error({ err }, "delivering a batch of new records' events failed; the sweep will retry");
      } finally {
        for (const id of ids) live.delete(String(id));
        queued.shift();
      }
    });
    tail = delivery;
    queued.push(delivery);
    while (queued.length > MAX_QUEUED) await queued[0];
  }

  /** The events of batch documents a crash left behind whose records were written; one that fails is tried again next time. */
  async function sweep(): Promise<void> {
    const old = ObjectId.createFromTime(Math.floor((Date.now() - (deps.graceMs ?? GRACE_MS)) / 1000) + 1);
    for (const batch of await batches.find({ _id: { $lt: old } }).limit(SWEEP_LIMIT).toArray()) {
      if (live.has(String(batch._id))) continue;
      await recover(batch).catch((err: unknown) => logger.warn({ err, batch: String(batch._id) }, 'an outbox batch could not be delivered; the next sweep tries again'));
    }
  }

  /** The events of the records written, each part's audit document keeping its blob. */
  async function deliverParts(parts: Part[], written: (e: Event) => boolean): Promise<void> {
    const events: Event[] = [];
    const audit: Document[] = [];
    for (const part of parts) {
      const kept = part.events.filter(written);
      events.push(...kept);
      audit.push(...batchEntries(part.doc._id, part.doc.events, part.events, kept.filter(isAudited)));
    }
    if (events.length) await deps.deliver({ events, audit });
  }

  async function recover(batch: BatchDoc): Promise<void> {
    const all = eventsOf(batch.events);
    const ids = all.map((e) => e.recordId);
    const [stored, binned] = await Promise.all([
      db.collection(batch.collection).find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray(),
      db.collection('recycle_bin').find({ recordId: { $in: ids } }, { projection: { recordId: 1 } }).toArray(),
    ]);
    const written = new Set([...stored.map((d) => String(d._id)), ...binned.map((d) => String(d.recordId))]);
    await deliverParts([{ doc: batch, events: all }], (e) => written.has(String(e.recordId)));
    await batches.deleteOne({ _id: batch._id });
  }

  return {
    stageRecords,
    insertRecords: (collection: string, docs: Document[]) => stageRecords(collection, docs).insert(),
    sweep,
    idle: () => tail,
  };
}

/** The events as BSON blobs of at most EVENTS_PER_DOC events and MAX_DOC_BYTES, each serialized once unless it is larger. */
function blobs(events: Event[]): Array<{ blob: Uint8Array; events: Event[] }> {
  const out: Array<{ blob: Uint8Array; events: Event[] }> = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_DOC) out.push(...bySize(events.slice(i, i + EVENTS_PER_DOC)));
  return out;
}

function bySize(events: Event[]): Array<{ blob: Uint8Array; events: Event[] }> {
  const whole = BSON.serialize({ events });
  if (whole.length <= MAX_DOC_BYTES) return [{ blob: whole, events }];
  const parts: Event[][] = [];
  let bytes = Infinity;
  for (const event of events) {
    const size = BSON.calculateObjectSize(event);
    if (bytes + size > MAX_DOC_BYTES) {
      parts.push([]);
      bytes = 0;
    }
    parts.at(-1)!.push(event);
    bytes += size;
  }
  return parts.map((part) => ({ blob: BSON.serialize({ events: part }), events: part }));
}

/** The records an unordered insertMany refused; anything but per-record refusals is thrown on. */
function refusalsOf(err: MongoBulkWriteError): InsertRefusal[] {
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : null;
  if (!errors?.length) throw err;
  return errors.map((e) => ({ index: e.index, code: e.code, keyPattern: keyPatternOf(e.err as { keyPattern?: Document; errmsg?: string }) }));
}
