/**
 * Moves the events that record writes leave in their documents' `_outbox` to where they belong:
 * the audit log, then the subscribers (plugins' after-save hooks; workflows later). A write announces its document with
 * `notify`; batches are drained together so ten concurrent writes cost one audit insert and one
 * bulk update. New records written many at a time keep their events in one document for the
 * batch instead (outbox-batches.ts). A periodic sweep picks up events a crash left behind. Delivery is idempotent:
 * the audit entry's _id is the event id, so re-delivering after a crash inserts nothing twice.
 */
import type { Db, Document, ObjectId } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import { NOT_AWAITING_JOURNAL } from '../storage/index.ts';
import type { FieldChange } from './event-changes.ts';
import { eventEntry, isAudited } from './audit-batches.ts';
import { createOutboxBatches } from './outbox-batches.ts';

export type OutboxEvent = { id: ObjectId; changes?: FieldChange[] } & Document;
/**
 * Gets every delivered event, in its stored form: its field changes are read with `changesOf`
 * (event-changes.ts), only for the events a subscriber acts on. Throws to have the batch delivered
 * again later (so it must be idempotent).
 */
export type OutboxSubscriber = (events: OutboxEvent[]) => Promise<void>;
export type OutboxDispatcher = ReturnType<typeof createOutboxDispatcher>;

const BATCH = 200;
const SWEEP_BATCHES = 10;

/** `batchGraceMs`: how old a batch document must be before the sweep takes it over (tests shorten it). */
export function createOutboxDispatcher(deps: { db: Db; logger: Logger; collections: () => string[]; sweepMs?: number; batchGraceMs?: number }) {
  const { db, logger } = deps;
  const queue = new Map<string, Set<unknown>>();
  let draining: Promise<void> | null = null;
  let sweepTimer: NodeJS.Timeout | undefined;
  const audit = db.collection('audit_log');
  const subscribers: OutboxSubscriber[] = [];

  /**
   * Audit entries (their _id the event id, or for a batch of new records the batch's: a repeat
   * inserts nothing twice), then the subscribers. `batchEntries`: a batch's own (audit-batches.ts).
   */
  async function deliverEvents(events: OutboxEvent[], batchEntries?: Document[]): Promise<void> {
    // Audit entries and subscribers get the event in its stored form (event-changes.ts).
    const entries = batchEntries ?? events.filter(isAudited).map(eventEntry);
    if (entries.length) {
      await audit.insertMany(entries, { ordered: false, ...NOT_AWAITING_JOURNAL }).catch((err: { code?: number; writeErrors?: Array<{ code: number }> }) => {
        const errors = err.writeErrors ?? [err];
        if (!errors.every((e) => e.code === 11000)) throw err;
      });
    }
    for (const subscriber of subscribers) await subscriber(events);
  }

  async function deliver(collection: string, docs: Document[]): Promise<void> {
    const events = docs.flatMap((d) => d._outbox as OutboxEvent[]);
    if (!events.length) return;
    await deliverEvents(events);
    // One statement for the batch, not one per document: event ids are unique, so pulling all of
    // them from each document removes exactly its own delivered events and keeps any added since.
    const ids = events.map((event) => event.id);
    await db.collection(collection).updateMany({ _id: { $in: docs.map((d) => d._id) } }, { $pull: { _outbox: { id: { $in: ids } } } } as Document);
  }

  const batches = createOutboxBatches({ db, logger, deliver: ({ events, audit }) => deliverEvents(events, audit), graceMs: deps.batchGraceMs });

  async function drain(): Promise<void> {
    while (queue.size) {
      const [collection, ids] = queue.entries().next().value as [string, Set<unknown>];
      const batch = [...ids].slice(0, BATCH);
      for (const id of batch) ids.delete(id);
      if (!ids.size) queue.delete(collection);
      const docs = await db.collection(collection).find({ _id: { $in: batch as ObjectId[] }, '_outbox.0': { $exists: true } }, { projection: { _outbox: 1 } }).toArray();
      await deliver(collection, docs);
    }
  }

  function kick(): void {
    draining ??= drain()
      .catch((err) => logger.error({ err }, 'outbox delivery failed; the sweep will retry'))
      .finally(() => {
        draining = null;
        if (queue.size) kick();
      });
  }

  /**
   * One pass over each collection for events nobody announced (a crash between a write and its
   * delivery). Bounded: under steady writes something is always pending, and those events are
   * delivered by `notify` anyway, so looping "until nothing is left" would rescan forever.
   */
  async function sweep(): Promise<void> {
    await batches.sweep();
    for (const collection of deps.collections()) {
      for (let pass = 0; pass < SWEEP_BATCHES; pass++) {
        const docs = await db.collection(collection).find({ '_outbox.0': { $exists: true } }, { projection: { _outbox: 1 } }).limit(BATCH).toArray();
        await deliver(collection, docs);
        if (docs.length < BATCH) break;
      }
    }
  }

  return {
    /**
     * A record's field history (records/record-history.ts) reads its entries newest first: without
     * this index every history request scanned the whole audit log (48 ms with 80k entries, 20x a GET).
     */
    init: () => audit.createIndex({ recordId: 1, _id: -1 }, { name: 'audit_record_history' }),
    /** After-save hooks and (issue 7) workflows: called with each batch before it leaves the outbox. */
    subscribe(subscriber: OutboxSubscriber): void {
      subscribers.push(subscriber);
    },
    /** Inserts new records, their events delivered through one outbox document (outbox-batches.ts). */
    insertRecords: batches.insertRecords,
    /** The same in two steps, the events stored at once (outbox-batches.ts). */
    stageRecords: batches.stageRecords,
    /** A write to `collection` left events in document `id`. */
    notify(collection: string, id: unknown): void {
      const ids = queue.get(collection) ?? new Set();
      ids.add(id);
      queue.set(collection, ids);
      kick();
    },
    /** Resolves when everything notified so far is delivered (tests, shutdown). */
    async idle(): Promise<void> {
      while (draining) await draining;
      await batches.idle();
    },
    sweep,
    start(): void {
      const run = () => sweep().catch((err) => logger.warn({ err }, 'outbox sweep failed'));
      void run();
      sweepTimer = setInterval(run, deps.sweepMs ?? 60_000);
      sweepTimer.unref();
    },
    stop(): void {
      clearInterval(sweepTimer);
    },
  };
}
