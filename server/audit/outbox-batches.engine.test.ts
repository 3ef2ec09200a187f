/**
 * New records' events through one outbox document per batch (issue 5), against the embedded
 * engine: each written record gets its audit entry and its subscribers' call, a refused one none;
 * what a crash or a failed delivery leaves behind, the sweep delivers for the records that exist.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectId, type Db, type Document } from 'mongodb';
import { startTestEngine, type TestEngine } from '../../test/support/test-engine.ts';
import { createLogger } from '../shared/logger.ts';
import { createOutboxDispatcher, type OutboxEvent } from './outbox-dispatcher.ts';
import { entryOf } from './audit-batches.ts';
import { changesOf } from './event-changes.ts';

let t: TestEngine;
let db: Db;
const COLLECTION = 'rec_client';

beforeAll(async () => {
  t = await startTestEngine();
  db = t.client.db('outbox_batches_test');
  await db.collection(COLLECTION).createIndex({ ref: 1 }, { unique: true });
});
afterAll(async () => t.cleanup());
beforeEach(async () => {
  for (const name of [COLLECTION, 'audit_log', 'outbox_batches', 'recycle_bin']) await db.collection(name).deleteMany({});
});

function dispatcher(batchGraceMs?: number) {
  const received: OutboxEvent[] = [];
  const outbox = createOutboxDispatcher({ db, logger: createLogger({ level: 'silent' }), collections: () => [COLLECTION, 'recycle_bin'], batchGraceMs });
  return { outbox, received };
}

/** A new record as the write pipeline prepares it: its created event in `_outbox`. */
function prepared(ref: string, extra: Document = {}): Document {
  const _id = new ObjectId();
  return { _id, ref, ...extra, _version: 1, _outbox: [{ id: new ObjectId(), type: 'created', entity: 'client', recordId: _id, at: new Date(), actorId: 'u1', channel: 'import', values: { ref, ...extra } }] };
}

/** The records with an audit entry: a batch's document lists all of its records. */
const auditedIds = async (): Promise<string[]> => (await db.collection('audit_log').find().sort({ _id: 1 }).toArray()).flatMap((e) => (Array.isArray(e.recordId) ? e.recordId : [e.recordId]).map(String));
const auditEntry = async (recordId: ObjectId): Promise<Document | undefined> => {
  const stored = await db.collection('audit_log').findOne({ recordId });
  return stored ? entryOf(stored, recordId) : undefined;
};

describe('insertRecords', () => {
  it('writes the records without an outbox of their own and delivers the events of those written, not of those refused', async () => {
    const { outbox, received } = dispatcher();
    outbox.subscribe(async (events) => void received.push(...events));
    await db.collection(COLLECTION).insertOne({ _id: new ObjectId(), ref: 'taken' });
    const docs = [prepared('a'), prepared('taken'), prepared('b')];
    const ids = docs.map((d) => String(d._id));
    const created = docs.map((d) => (d._outbox as Document[])[0]!);

    const refusals = await outbox.insertRecords(COLLECTION, docs);
    await outbox.idle();

    expect(refusals).toEqual([{ index: 1, code: 11000, keyPattern: { ref: 1 } }]);
    expect(await db.collection(COLLECTION).countDocuments({ _outbox: { $exists: true } })).toBe(0);
    expect(await auditedIds()).toEqual([ids[0], ids[2]]);
    // One audit document for the batch, which reads as the record's own entry.
    expect(await db.collection('audit_log').countDocuments()).toBe(1);
    const { id, ...event } = created[0]!;
    expect(await auditEntry(docs[0]!._id)).toEqual({ _id: id, ...event });
    expect((await auditEntry(docs[2]!._id))?.values).toEqual({ ref: 'b' });
    expect(await auditEntry(docs[1]!._id)).toBeUndefined();
    // Subscribers read the changes with changesOf, as they do for every event.
    expect(received.map((e) => [String(e.recordId), changesOf(e)])).toEqual([[ids[0], [{ field: 'ref', before: null, after: 'a' }]], [ids[2], [{ field: 'ref', before: null, after: 'b' }]]]);
    expect(await db.collection('outbox_batches').countDocuments()).toBe(0);
  });

  it('keeps a batch of long texts in several documents, each under the 16 MiB a document may hold', async () => {
    const { outbox } = dispatcher();
    const docs = Array.from({ length: 6 }, (_, i) => prepared(`long${i}`, { notes: String(i).repeat(3 * 1024 * 1024) }));
    expect(await outbox.insertRecords(COLLECTION, docs)).toEqual([]);
    await outbox.idle();
    expect((await auditedIds()).sort()).toEqual(docs.map((d) => String(d._id)).sort());
  });

  it('keeps a large batch in audit documents of at most 100 records, so a history reads a small one', async () => {
    const { outbox } = dispatcher();
    const docs = Array.from({ length: 250 }, (_, i) => prepared(`r${i}`));
    expect(await outbox.insertRecords(COLLECTION, docs)).toEqual([]);
    await outbox.idle();
    const stored = await db.collection('audit_log').find().sort({ _id: 1 }).toArray();
    expect(stored.map((d) => (d.recordId as ObjectId[]).length)).toEqual([100, 100, 50]);
    expect(await auditedIds()).toEqual(docs.map((d) => String(d._id)));
    // The first and last record of each document read as their own entry.
    for (const i of [0, 99, 100, 199, 200, 249]) expect((await auditEntry(docs[i]!._id))?.values).toEqual({ ref: `r${i}` });
    expect(await db.collection('outbox_batches').countDocuments()).toBe(0);
  });

  it('leaves the batch to the sweep when delivery fails, which delivers it once', async () => {
    const { outbox } = dispatcher(0);
    let failing = true;
    const calls: string[][] = [];
    outbox.subscribe(async (events) => {
      if (failing) throw new Error('subscriber down');
      calls.push(events.map((e) => String(e.recordId)));
    });
    const docs = [prepared('a'), prepared('b')];
    await outbox.insertRecords(COLLECTION, docs);
    await outbox.idle();
    expect(await db.collection(COLLECTION).countDocuments()).toBe(2);
    expect(await db.collection('outbox_batches').countDocuments()).toBe(1);
    // A sweep while it still fails keeps the batch for the next one (and does not stop the sweep).
    await outbox.sweep();
    expect(await db.collection('outbox_batches').countDocuments()).toBe(1);

    failing = false;
    await outbox.sweep();
    await outbox.sweep();
    expect(calls).toEqual([docs.map((d) => String(d._id))]);
    expect(await auditedIds()).toHaveLength(2);
    expect(await db.collection('outbox_batches').countDocuments()).toBe(0);
  });
});

describe('stageRecords', () => {
  it("stores the events at once, before the records, which are written only when asked", async () => {
    const { outbox, received } = dispatcher();
    outbox.subscribe(async (events) => void received.push(...events));
    const docs = [prepared('a'), prepared('b')];
    const staged = outbox.stageRecords(COLLECTION, docs);
    await expect.poll(() => db.collection('outbox_batches').countDocuments()).toBe(1);
    expect(await db.collection(COLLECTION).countDocuments()).toBe(0);
    expect(await auditedIds()).toEqual([]);

    expect(await staged.insert()).toEqual([]);
    await outbox.idle();
    expect(await db.collection(COLLECTION).countDocuments()).toBe(2);
    expect(await auditedIds()).toEqual(docs.map((d) => String(d._id)));
    expect(received).toHaveLength(2);
    expect(await db.collection('outbox_batches').countDocuments()).toBe(0);
  });

  it('abandoned (the records will not be written), leaves a batch the sweep drops without inventing an event', async () => {
    const { outbox, received } = dispatcher(0);
    outbox.subscribe(async (events) => void received.push(...events));
    outbox.stageRecords(COLLECTION, [prepared('never')]).abandon();
    await expect.poll(() => db.collection('outbox_batches').countDocuments()).toBe(1);
    // The grace period is 0 here, and the batch is no longer this process's: the sweep takes it at once.
    await outbox.sweep();
    expect(await db.collection('outbox_batches').countDocuments()).toBe(0);
    expect(await auditedIds()).toEqual([]);
    expect(received).toEqual([]);
  });
});

describe('the sweep, after a crash', () => {
  it('delivers the events of records that were written (or deleted since), none of a record never written, and leaves young batches alone', async () => {
    // A delivery that fails leaves the batch document as a crash right after the insert would.
    const crashed = dispatcher();
    crashed.outbox.subscribe(() => Promise.reject(new Error('the server stopped here')));
    await db.collection(COLLECTION).insertOne({ _id: new ObjectId(), ref: 'taken' });
    const [stored, binned, refused] = [prepared('stored'), prepared('binned'), prepared('taken')];
    expect(await crashed.outbox.insertRecords(COLLECTION, [stored, binned, refused])).toHaveLength(1);
    await crashed.outbox.idle();
    await db.collection(COLLECTION).deleteOne({ _id: binned._id });
    await db.collection('recycle_bin').insertOne({ _id: new ObjectId(), entity: 'client', recordId: binned._id, record: { ref: 'binned' } });

    // Within the grace period the batch may belong to a write still running (here or on another server).
    const restarted = dispatcher();
    restarted.outbox.subscribe(async (events) => void restarted.received.push(...events));
    await restarted.outbox.sweep();
    expect(restarted.received).toEqual([]);
    expect(await db.collection('outbox_batches').countDocuments()).toBe(1);

    const later = dispatcher(0);
    later.outbox.subscribe(async (events) => void later.received.push(...events));
    await later.outbox.sweep();
    const expected = [String(stored._id), String(binned._id)].sort();
    expect((await auditedIds()).sort()).toEqual(expected);
    expect(later.received.map((e) => String(e.recordId)).sort()).toEqual(expected);
    expect(await auditEntry(stored._id)).toMatchObject({ type: 'created', channel: 'import', values: { ref: 'stored' } });
    expect(await db.collection('outbox_batches').countDocuments()).toBe(0);
  });
});
