/** Recovery from the journal and snapshots, a torn journal tail, and the data directory lock. */
import { appendFile, cp, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Binary, BSON, Decimal128, Long, ObjectId, type Document } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedEngine } from '../../server/storage/embedded/index.ts';
import { engineStarter, tempDir } from '../support/test-engine.ts';

const start = engineStarter(afterEach);

describe('embedded engine durability', () => {
  it('recovers documents, indexes and deletions after a restart', async () => {
    const a = await start();
    const c = a.client.db('crm').collection('cases');
    await c.createIndex({ ref: 1 }, { unique: true });
    await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ ref: `CASE-${i}`, status: 'open' })));
    await c.updateMany({ ref: { $in: ['CASE-1', 'CASE-2'] } }, { $set: { status: 'closed' } });
    await c.deleteOne({ ref: 'CASE-3' });
    await a.stop();

    const b = await start(a.dataDir);
    const again = b.client.db('crm').collection('cases');
    expect(await again.countDocuments()).toBe(49);
    expect(await again.countDocuments({ status: 'closed' })).toBe(2);
    await expect(again.insertOne({ ref: 'CASE-4' })).rejects.toMatchObject({ code: 11000 });
  });

  it('replays inserted documents as they were read before the restart, whatever their BSON types', async () => {
    // Inserts are journalled as the bytes they arrived in (arrived-bytes.ts), unless the engine
    // changed the document (an _id added, or moved first); either way a restart must read the same.
    const a = await start();
    const c = a.client.db('crm').collection<Document>('typed');
    const docs: Document[] = [
      { _id: new ObjectId(), small: Long.fromNumber(5), big: Long.fromString('9007199254740993'), int: 7, double: 2.5, negZero: -0, text: 'Zoë 😀', at: new Date(0), bin: new Binary(Buffer.from([1, 2, 3])), dec: Decimal128.fromString('1.10'), re: /a+b/i, nested: { list: [1, 'two', null, { deep: true }] }, nothing: null },
      { name: 'no _id: the engine adds one' },
      { name: 'then _id', _id: 'moved-first' },
    ];
    await c.insertMany(docs.map((d) => ({ ...d })), { forceServerObjectId: true });
    const before = await c.find({}, { promoteLongs: false, promoteValues: false }).sort({ _id: 1 }).toArray();
    // A copy taken while the engine runs, as a crash leaves it: the inserts are only in the journal.
    const copy = await tempDir();
    await cp(a.dataDir, copy, { recursive: true, filter: (src) => !src.endsWith('mongod.lock') });

    const b = await start(copy);
    const after = await b.client.db('crm').collection<Document>('typed').find({}, { promoteLongs: false, promoteValues: false }).sort({ _id: 1 }).toArray();
    expect(after).toHaveLength(3);
    expect(Buffer.from(BSON.serialize({ after })).equals(BSON.serialize({ after: before }))).toBe(true);
    expect(Object.keys(after.find((d) => (d._id as unknown) === 'moved-first')!)).toEqual(['_id', 'name']);
  });

  it('keeps writes made with j: false in order: one on disk means every one before it is', async () => {
    // What the server relies on (storage/write-concerns.ts): an outbox batch, written with j: false,
    // survives a crash whenever the records inserted after it (waiting for the journal) do.
    const a = await start();
    const db = a.client.db('crm');
    await db.collection<{ _id: string; events: number }>('outbox').insertOne({ _id: 'batch', events: 3 }, { writeConcern: { w: 1, j: false } });
    await db.collection('audit').insertMany([{ n: 1 }, { n: 2 }], { writeConcern: { w: 1, j: false } });
    await db.collection<{ _id: string }>('records').insertOne({ _id: 'record' });
    const copy = await tempDir();
    await cp(a.dataDir, copy, { recursive: true, filter: (src) => !src.endsWith('mongod.lock') });

    const b = await start(copy);
    const again = b.client.db('crm');
    expect(await again.collection('records').countDocuments()).toBe(1);
    expect(await again.collection('outbox').findOne()).toEqual({ _id: 'batch', events: 3 });
    expect(await again.collection('audit').countDocuments()).toBe(2);
  });

  it('checkpoints on fsync: a copy of the directory taken right after holds every write in its snapshot, with an empty journal', async () => {
    const a = await start();
    const c = a.client.db('crm').collection('cases');
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ ref: `CASE-${i}` })));
    await expect(a.client.db('crm').command({ fsync: 1 })).rejects.toMatchObject({ code: 13 });
    await expect(a.client.db('admin').command({ fsync: 1, lock: true })).rejects.toMatchObject({ code: 20 });
    expect(await a.client.db('admin').command({ fsync: 1 })).toMatchObject({ ok: 1 });
    const copy = await tempDir();
    await cp(a.dataDir, copy, { recursive: true, filter: (src) => !src.endsWith('mongod.lock') });
    const files = (await readdir(copy)).sort();
    expect(files.filter((f) => f.startsWith('snapshot-'))).toHaveLength(1);
    for (const journal of files.filter((f) => f.startsWith('journal-'))) expect((await stat(join(copy, journal))).size).toBe(0);
    const b = await start(copy);
    expect(await b.client.db('crm').collection('cases').countDocuments()).toBe(20);
  });

  it('tolerates a torn last journal record and keeps every complete one', async () => {
    const a = await start();
    await a.client.db('crm').collection('notes').insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    // Copy the directory while the engine runs: what a crash would leave (journal, no checkpoint).
    const crashed = await tempDir();
    await cp(a.dataDir, crashed, { recursive: true, filter: (src) => !src.endsWith('mongod.lock') });
    const journal = (await readdir(crashed)).filter((f) => f.startsWith('journal-')).sort().at(-1)!;
    expect((await stat(join(crashed, journal))).size).toBeGreaterThan(0);
    // A record header promising 1000 bytes followed by only 12: the write the crash tore.
    const torn = Buffer.alloc(20);
    torn.writeUInt32LE(1000, 0);
    await appendFile(join(crashed, journal), torn);

    const b = await start(crashed);
    expect(await b.client.db('crm').collection('notes').countDocuments()).toBe(3);
    await b.client.db('crm').collection('notes').insertOne({ n: 4 });
    await b.stop();
    const c = await start(crashed);
    expect(await c.client.db('crm').collection('notes').countDocuments()).toBe(4);
  });

  it('refuses to open a data directory another engine holds', async () => {
    const a = await start();
    await expect(startEmbeddedEngine({ dataDir: a.dataDir, port: 0, mode: 'in-process' })).rejects.toThrow(/already open|in use/);
    expect(await a.client.db('x').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('compacts the journal into a snapshot on a clean stop', async () => {
    const a = await start();
    await a.client.db('crm').collection('big').insertMany(Array.from({ length: 2000 }, (_, i) => ({ i, text: 'x'.repeat(200) })));
    await a.stop();
    const files = await readdir(a.dataDir);
    expect(files.some((f) => f.startsWith('snapshot-'))).toBe(true);
    for (const f of files.filter((name) => name.startsWith('journal-'))) {
      expect((await stat(join(a.dataDir, f))).size).toBe(0);
    }
    const b = await start(a.dataDir);
    expect(await b.client.db('crm').collection('big').countDocuments({ i: { $gte: 1000 } })).toBe(1000);
  });
});
