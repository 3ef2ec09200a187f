import NedbModule from '@seald-io/nedb';
import { MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { join } from 'node:path';
import type { Contact } from './contact-fixture.ts';

/** The operations the storage benchmark times, over the embedded engine or the NeDB baseline. */
export type ContactStore = {
  name: string;
  insert(doc: Contact): Promise<void>;
  findById(id: string): Promise<void>;
  findByEmail(email: string): Promise<void>;
  /** Newest first in [from, to), limit 50: "recent activity" lists. */
  recentActivity(from: Date, to: Date): Promise<number>;
  touch(id: string, change: { status: string; lastActivityAt: Date }): Promise<void>;
  /** A command that does no work: the driver and wire round-trip floor (absent for NeDB). */
  ping?(): Promise<void>;
  close(): Promise<void>;
};

export const POOL_SIZE = 10;

// NeDB is CommonJS (`module.exports = Datastore`) typed as `export default`: under NodeNext the
// types see the class on `.default`, the runtime hands it over directly.
type NedbClass = typeof NedbModule.default;
const Datastore = ((NedbModule as unknown as { default?: NedbClass }).default ?? NedbModule) as NedbClass;
const RANGE_LIMIT = 50;

// A wrong answer is not a fast answer: misses are thrown, so they show up as errors in the table.
function expectFound(doc: unknown, what: string): void {
  if (!doc) throw new Error(`${what}: not found`);
}

export async function createEngineStore({ dataDir }: { dataDir: string }): Promise<ContactStore> {
  // Loaded on use, so listing benchmarks and the baseline still work while the engine does not load.
  const { startEmbeddedEngine } = await import('../../server/storage/embedded/index.ts');
  const engine = await startEmbeddedEngine({ dataDir, port: 0, mode: 'worker' });
  return driverStore('engine', engine.uri, () => engine.stop());
}

/** The wire floor: the same driver calls against a server that answers without doing anything. */
export async function createCannedStore(): Promise<ContactStore> {
  const { startCannedWire } = await import('./canned-wire.ts');
  const canned = await startCannedWire();
  return driverStore('canned', canned.uri, () => canned.stop());
}

/** The operations through the driver, over a pool of POOL_SIZE connections to `uri`. */
async function driverStore(name: string, uri: string, stopServer: () => Promise<void>): Promise<ContactStore> {
  const client = new MongoClient(uri, { maxPoolSize: POOL_SIZE, retryWrites: false, directConnection: true });
  try {
    await client.connect();
  } catch (err) {
    await stopServer();
    throw err;
  }
  // journal: true is the durable acknowledgement the target is about (the engine fsyncs every write anyway).
  const contacts: Collection<Document> = client.db('bench').collection('contacts', { writeConcern: { w: 1, journal: true } });
  await contacts.createIndex({ email: 1 }, { unique: true });
  await contacts.createIndex({ lastActivityAt: 1 });
  return {
    name,
    async insert(doc) {
      await contacts.insertOne({ ...doc, _id: ObjectId.createFromHexString(doc._id) });
    },
    async findById(id) {
      expectFound(await contacts.findOne({ _id: ObjectId.createFromHexString(id) }), `_id ${id}`);
    },
    async findByEmail(email) {
      expectFound(await contacts.findOne({ email }), `email ${email}`);
    },
    async recentActivity(from, to) {
      const page = await contacts.find({ lastActivityAt: { $gte: from, $lt: to } }).sort({ lastActivityAt: -1 }).limit(RANGE_LIMIT).toArray();
      return page.length;
    },
    async touch(id, change) {
      const result = await contacts.updateOne(
        { _id: ObjectId.createFromHexString(id) },
        { $set: { ...change, updatedAt: new Date() }, $inc: { activityCount: 1, _version: 1 } },
      );
      if (result.matchedCount !== 1) throw new Error(`update ${id}: matched ${result.matchedCount}`);
    },
    async ping() {
      await client.db('admin').command({ ping: 1 });
    },
    async close() {
      await client.close();
      await stopServer();
    },
  };
}

/**
 * NeDB, persistent, same indexes. Its appends are not fsynced (the OS flushes them when it likes),
 * so its inserts are not durable in the sense the engine's are: the comparison flatters NeDB.
 */
export async function createNedbStore({ dataDir }: { dataDir: string }): Promise<ContactStore> {
  const db = new Datastore<Contact>({ filename: join(dataDir, 'contacts.db') });
  await db.loadDatabaseAsync();
  await db.ensureIndexAsync({ fieldName: 'email', unique: true });
  await db.ensureIndexAsync({ fieldName: 'lastActivityAt' });
  return {
    name: 'nedb',
    async insert(doc) {
      await db.insertAsync(doc);
    },
    async findById(id) {
      expectFound(await db.findOneAsync({ _id: id }), `_id ${id}`);
    },
    async findByEmail(email) {
      expectFound(await db.findOneAsync({ email }), `email ${email}`);
    },
    async recentActivity(from, to) {
      const page = (await db.findAsync({ lastActivityAt: { $gte: from, $lt: to } }).sort({ lastActivityAt: -1 }).limit(RANGE_LIMIT)) as unknown as unknown[];
      return page.length;
    },
    async touch(id, change) {
      const result = await db.updateAsync({ _id: id }, { $set: { ...change, updatedAt: new Date() }, $inc: { activityCount: 1, _version: 1 } });
      if (result.numAffected !== 1) throw new Error(`update ${id}: matched ${result.numAffected}`);
    },
    async close() {
      // NeDB holds no handle between writes: nothing to release.
    },
  };
}
