/** The embedded engine through the official driver: the operations Rapport and its users rely on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Binary, MongoClient, MongoServerError, ObjectId, Timestamp, type Collection } from 'mongodb';
import { startTestEngine, type TestEngine } from '../support/test-engine.ts';

let t: TestEngine;
let contacts: Collection;

beforeAll(async () => {
  t = await startTestEngine();
  contacts = t.client.db('crm').collection('contacts');
  await contacts.createIndex({ email: 1 }, { unique: true });
  await contacts.createIndex({ score: 1 });
  await contacts.insertMany(
    Array.from({ length: 500 }, (_, i) => ({ email: `p${i}@example.org`, score: i, team: i % 5, tags: i % 2 ? ['vip'] : [] })),
  );
});
afterAll(() => t.cleanup());

describe('queries', () => {
  it('projects top-level fields as MongoDB does: exclusion, inclusion with _id, _id excluded, _id alone; stored data untouched', async () => {
    const one = (projection: Record<string, 0 | 1 | boolean>) => contacts.findOne({ email: 'p7@example.org' }, { projection });
    const full = await contacts.findOne({ email: 'p7@example.org' });
    expect(Object.keys((await one({ tags: 0, team: 0 }))!)).toEqual(['_id', 'email', 'score']);
    expect(await one({ score: 1, email: true })).toEqual({ _id: full!._id, email: 'p7@example.org', score: 7 });
    expect(await one({ _id: 0, team: 1 })).toEqual({ team: 2 });
    expect(await one({ _id: 1 })).toEqual({ _id: full!._id });
    expect(Object.keys((await one({ _id: false }))!)).toEqual(['email', 'score', 'team', 'tags']);
    await expect(one({ team: 1, tags: 0 })).rejects.toThrow();
    expect(await contacts.findOne({ email: 'p7@example.org' })).toEqual(full);
  });

  it('answers equality on an indexed field through the index, not a collection scan', async () => {
    const plan = await contacts.find({ email: 'p42@example.org' }).explain('executionStats');
    expect(plan.queryPlanner.winningPlan.inputStage).toMatchObject({ stage: 'IXSCAN', indexName: 'email_1' });
    expect(plan.executionStats.totalDocsExamined).toBe(1);
  });

  it('answers a range with sort and limit by walking the index and stopping at the limit', async () => {
    const docs = await contacts.find({ score: { $gte: 100, $lt: 400 } }).sort({ score: -1 }).limit(5).toArray();
    expect(docs.map((d) => d.score)).toEqual([399, 398, 397, 396, 395]);
    const plan = await contacts.find({ score: { $gte: 100 } }).sort({ score: 1 }).limit(5).explain('executionStats');
    expect(plan.executionStats.totalDocsExamined).toBe(5);
  });

  it('serves a compound sort from a compound index in either direction, stopping at the limit', async () => {
    await contacts.createIndex({ team: -1, score: -1 });
    const expected = (dir: 1 | -1) => Array.from({ length: 500 }, (_, i) => ({ team: i % 5, score: i }))
      .sort((a, b) => dir * (b.team - a.team || b.score - a.score)).slice(0, 6).map((d) => `${d.team}:${d.score}`);
    for (const dir of [1, -1] as const) {
      const sort = { team: -dir, score: -dir } as Record<string, 1 | -1>;
      const docs = await contacts.find({}).sort(sort).limit(6).toArray();
      expect(docs.map((d) => `${d.team}:${d.score}`)).toEqual(expected(dir));
      const plan = await contacts.find({}).sort(sort).limit(6).explain('executionStats');
      expect(plan.executionStats.totalDocsExamined).toBe(6);
    }
    // Mixed directions the index cannot give are sorted in memory, and still right.
    const mixed = await contacts.find({ team: { $lte: 1 } }).sort({ team: 1, score: -1 }).limit(3).toArray();
    expect(mixed.map((d) => `${d.team}:${d.score}`)).toEqual(['0:495', '0:490', '0:485']);
  });

  it('pages through a large result with getMore and reports counts and distinct values', async () => {
    const all = await contacts.find({}, { batchSize: 7 }).toArray();
    expect(all).toHaveLength(500);
    expect(await contacts.countDocuments({ tags: 'vip' })).toBe(250);
    expect((await contacts.distinct('team')).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('kills a cursor on request, after which getMore finds no cursor', async () => {
    const cursor = contacts.find({}, { batchSize: 2 });
    await cursor.next();
    const id = cursor.id!;
    expect(id.isZero()).toBe(false);
    await cursor.close();
    await expect(t.client.db('crm').command({ getMore: id, collection: 'contacts' })).rejects.toMatchObject({ code: 43 });
  });

  it('matches $type by BSON type, alias or number, array elements included, a missing field never', async () => {
    const typed = t.client.db('crm').collection<{ _id: string; v?: unknown }>('typed');
    const oid = new ObjectId();
    await typed.insertMany([
      { _id: 'bin', v: new Binary(Buffer.from('abc')) }, { _id: 'oid', v: oid }, { _id: 'ts', v: new Timestamp({ t: 1, i: 1 }) },
      { _id: 'str', v: 'text' }, { _id: 'int', v: 3 }, { _id: 'dbl', v: 2.5 }, { _id: 'date', v: new Date() }, { _id: 'null', v: null },
      { _id: 'obj', v: { a: 1 } }, { _id: 'arr', v: [oid, 'x'] }, { _id: 'bool', v: true }, { _id: 'missing' },
    ]);
    const ids = async (type: unknown) => (await typed.find({ v: { $type: type } } as never).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids('binData')).toEqual(['bin']);
    expect(await ids(5)).toEqual(['bin']);
    expect(await ids('objectId')).toEqual(['arr', 'oid']);
    expect(await ids('timestamp')).toEqual(['ts']);
    expect(await ids('string')).toEqual(['arr', 'str']);
    expect(await ids('array')).toEqual(['arr']);
    expect(await ids('number')).toEqual(['dbl', 'int']);
    expect(await ids('int')).toEqual(['int']);
    expect(await ids(['date', 'bool'])).toEqual(['bool', 'date']);
    expect(await ids('null')).toEqual(['null']);
    expect(await ids('object')).toEqual(['obj']);
  });

  it('aggregates with $group and $lookup across collections', async () => {
    const teams = t.client.db('crm').collection('teams');
    await teams.insertMany([0, 1, 2, 3, 4].map((i) => ({ _id: i as unknown as ObjectId, name: `Team ${i}` })));
    const rows = await contacts
      .aggregate([
        { $group: { _id: '$team', n: { $sum: 1 } } },
        { $lookup: { from: 'teams', localField: '_id', foreignField: '_id', as: 'team' } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(rows[0]).toMatchObject({ _id: 0, n: 100, team: [{ name: 'Team 0' }] });
  });
});

describe('writes', () => {
  it('updates with operators, arrayFilters and pipelines, and upserts', async () => {
    const c = t.client.db('crm').collection('deals');
    await c.insertOne({ _id: 'd1' as unknown as ObjectId, stage: 'new', lines: [{ q: 1 }, { q: 5 }] });
    await c.updateOne({ _id: 'd1' as never }, { $set: { 'lines.$[big].flag': true } }, { arrayFilters: [{ 'big.q': { $gt: 2 } }] });
    await c.updateOne({ _id: 'd1' as never }, [{ $set: { total: { $sum: '$lines.q' } } }]);
    const res = await c.updateOne({ name: 'fresh' }, { $set: { stage: 'won' }, $setOnInsert: { created: true } }, { upsert: true });
    expect(res.upsertedCount).toBe(1);
    expect(await c.findOne({ _id: 'd1' as never })).toMatchObject({ total: 6, lines: [{ q: 1 }, { q: 5, flag: true }] });
    expect(await c.findOne({ name: 'fresh' })).toMatchObject({ stage: 'won', created: true });
  });

  it('refuses to change _id', async () => {
    const c = t.client.db('crm').collection('deals');
    await expect(c.updateOne({ _id: 'd1' as never }, { $set: { _id: 'other' } })).rejects.toMatchObject({ code: 66 });
  });

  it('enforces unique indexes on every write path with MongoDB-shaped errors', async () => {
    const dup = { email: 'p1@example.org' };
    const err = await contacts.insertOne({ ...dup }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: dup });
    await expect(contacts.updateOne({ email: 'p2@example.org' }, { $set: dup })).rejects.toMatchObject({ code: 11000 });
    await expect(contacts.replaceOne({ email: 'p3@example.org' }, { ...dup })).rejects.toMatchObject({ code: 11000 });
    await expect(contacts.updateOne({ email: 'nobody' }, { $set: dup }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
    await expect(contacts.findOneAndUpdate({ email: 'p4@example.org' }, { $set: dup })).rejects.toMatchObject({ code: 11000 });
    // The first matching document is updated; the second would duplicate it and is refused.
    await expect(contacts.updateMany({ team: 1 }, { $set: { email: 'same' } })).rejects.toMatchObject({ code: 11000 });
    expect(await contacts.countDocuments({ email: 'same' })).toBe(1);
    expect(await contacts.countDocuments({ team: 1 })).toBe(100);
    expect(await contacts.countDocuments({ email: 'p6@example.org' })).toBe(1);
  });

  it('enforces compound and partial unique indexes', async () => {
    const c = t.client.db('crm').collection('memberships');
    await c.createIndex({ person: 1, programme: 1 }, { unique: true });
    await c.insertMany([{ person: 1, programme: 'a' }, { person: 1, programme: 'b' }, { person: 2, programme: 'a' }]);
    await expect(c.insertOne({ person: 1, programme: 'a' })).rejects.toMatchObject({ code: 11000, keyValue: { person: 1, programme: 'a' } });
    // Documents without the fields share the key (null, null), as in MongoDB.
    await expect(c.insertMany([{ ref: 'R0' }, { ref: 'R9' }])).rejects.toMatchObject({ code: 11000 });
    const refs = t.client.db('crm').collection('refs');
    await refs.createIndex({ ref: 1 }, { unique: true, partialFilterExpression: { ref: { $type: 'string' } } });
    await refs.insertMany([{ ref: null }, { ref: null }, { ref: 'R1' }]);
    await expect(refs.insertOne({ ref: 'R1' })).rejects.toMatchObject({ code: 11000 });
  });

  it('tells indexes on the same key apart by their unique, sparse and partial options, as MongoDB 5.0+ does', async () => {
    const c = t.client.db('crm').collection('signatures');
    await c.createIndex({ code: 1 }, { name: 'code_plain' });
    // Same key, another signature: each is a new index.
    await c.createIndex({ code: 1 }, { name: 'code_unique', unique: true, partialFilterExpression: { code: { $type: 'string' } } });
    await c.createIndex({ code: 1 }, { name: 'code_open', partialFilterExpression: { status: 'open' } });
    await c.createIndex({ code: 1 }, { name: 'code_sparse', sparse: true });
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'code_plain', 'code_unique', 'code_open', 'code_sparse']);
    // The same signature under another name is the same index.
    await expect(c.createIndex({ code: 1 }, { name: 'code_again', partialFilterExpression: { status: 'open' } })).rejects.toMatchObject({ code: 85, codeName: 'IndexOptionsConflict' });
    // The same name for another key or identifying option is a key conflict, not "already exists".
    await expect(c.createIndex({ code: 1 }, { name: 'code_open', partialFilterExpression: { status: 'closed' } })).rejects.toMatchObject({ code: 86, codeName: 'IndexKeySpecsConflict' });
    await expect(c.createIndex({ code: 1 }, { name: 'code_plain', unique: true })).rejects.toMatchObject({ code: 86 });
    await expect(c.createIndex({ other: 1 }, { name: 'code_plain' })).rejects.toMatchObject({ code: 86, codeName: 'IndexKeySpecsConflict' });
    // The same index with another non-identifying option is an options conflict.
    await c.createIndex({ seen: 1 }, { name: 'seen_ttl', expireAfterSeconds: 10 });
    await expect(c.createIndex({ seen: 1 }, { name: 'seen_ttl', expireAfterSeconds: 99 })).rejects.toMatchObject({ code: 85, codeName: 'IndexOptionsConflict' });
    await c.dropIndex('seen_ttl');
    // Specs in one command are checked against each other too, and nothing of a refused command is built.
    await expect(c.createIndexes([{ key: { x: 1 }, name: 'x_a' }, { key: { x: 1 }, name: 'x_b' }])).rejects.toMatchObject({ code: 85 });
    await expect(c.createIndexes([{ key: { x: 1 }, name: 'x_a' }, { key: { x: 1 }, name: 'x_a', unique: true }])).rejects.toMatchObject({ code: 86 });
    // Asking again for an index exactly as it is changes nothing.
    await c.createIndex({ code: 1 }, { name: 'code_sparse', sparse: true });
    // Each index holds what it should: numbers are outside code_unique's filter, so 7 may repeat.
    await c.insertMany([{ code: 'A', status: 'open' }, { code: 'B', status: 'closed' }, { code: 7 }, { code: 7 }]);
    await expect(c.insertOne({ code: 'A' })).rejects.toMatchObject({ code: 11000 });
    expect(await c.countDocuments({ code: 'A', status: 'open' })).toBe(1);
    expect((await c.indexes()).length).toBe(5);
    // Dropping by key is ambiguous when several indexes share it; by name it is not.
    await expect(c.dropIndex({ code: 1 } as never)).rejects.toMatchObject({ code: 181, codeName: 'AmbiguousIndexKeyPattern' });
    await c.dropIndex('code_open');
    expect((await c.indexes()).map((i) => i.name)).toEqual(['_id_', 'code_plain', 'code_unique', 'code_sparse']);
  });

  it('refuses a unique index over existing duplicates and keeps the data', async () => {
    await expect(contacts.createIndex({ team: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await contacts.indexes()).map((i) => i.name)).not.toContain('team_1');
  });

  it('applies an unordered batch around its failures and reports each one', async () => {
    const c = t.client.db('crm').collection('batch');
    const err = await c
      .insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as never[], { ordered: false })
      .catch((e: unknown) => e as { writeErrors: unknown[] });
    expect((err as { writeErrors: unknown[] }).writeErrors).toHaveLength(2);
    expect(await c.countDocuments()).toBe(3);
  });
});

describe('limits', () => {
  it('rejects a document over 16 MiB with MongoDB\'s error, and keeps serving', async () => {
    const c = t.client.db('crm').collection('big');
    const big = { _id: 1, blob: 'x'.repeat(16 * 1024 * 1024) };
    await expect(c.insertOne(big as never)).rejects.toThrow(/too large|larger than|exceeds/i);
    await c.insertOne({ _id: 2, small: true } as never);
    await c.updateOne({ _id: 2 } as never, { $set: { a: 'y'.repeat(9 * 1024 * 1024) } });
    await expect(c.updateOne({ _id: 2 } as never, { $set: { b: 'z'.repeat(9 * 1024 * 1024) } })).rejects.toMatchObject({ code: 10334 });
    expect(await c.countDocuments()).toBe(1);
  });

  it('rejects nesting deeper than 100 levels', async () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 120; i++) deep = { d: deep };
    const err = await t.client.db('crm').collection('deep').insertOne(deep).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(await t.client.db('crm').collection('deep').countDocuments()).toBe(0);
  });

  it('rejects $-prefixed fields inside _id and arrays as _id', async () => {
    const c = t.client.db('crm').collection('ids');
    await expect(c.insertOne({ _id: { $bad: 1 } } as never)).rejects.toMatchObject({ code: 52 });
    await expect(c.insertOne({ _id: [1, 2] } as never)).rejects.toMatchObject({ code: 2 });
  });
});

describe('catalog', () => {
  it('is visible to a second client, as mongosh or Compass would see it', async () => {
    const other = new MongoClient(`mongodb://127.0.0.1:${t.engine.port}/`, { directConnection: true });
    await other.connect();
    try {
      const dbs = await other.db('admin').admin().listDatabases();
      expect(dbs.databases.map((d) => d.name)).toContain('crm');
      expect(await other.db('crm').collection('contacts').countDocuments()).toBe(500);
      const info = await other.db('admin').command({ buildInfo: 1 });
      expect(info.version).toBe('8.0.0');
    } finally {
      await other.close();
    }
  });

  it('renames, drops indexes and collections, and drops databases', async () => {
    const db = t.client.db('scratch');
    await db.collection('a').insertOne({ x: 1 });
    await db.collection('a').createIndex({ x: 1 });
    await db.renameCollection('a', 'b');
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['b']);
    expect((await db.collection('b').indexes()).map((i) => i.name)).toEqual(['_id_', 'x_1']);
    await db.collection('b').dropIndex('x_1');
    await expect(db.collection('b').dropIndex('_id_')).rejects.toThrow();
    await db.collection('b').drop();
    await db.collection('c').insertOne({});
    await db.dropDatabase();
    expect(await db.listCollections().toArray()).toEqual([]);
  });

  it('answers an unknown command with CommandNotFound', async () => {
    await expect(t.client.db('admin').command({ noSuchThing: 1 })).rejects.toMatchObject({ code: 59 });
  });
});

describe('hostile update paths', () => {
  it('refuses __proto__ in upsert filters and update paths, and Object.prototype stays clean', async () => {
    const c = t.client.db('crm').collection('proto');
    await expect(c.updateOne({ '__proto__.polluted': 1 } as never, { $set: { a: 1 } }, { upsert: true })).rejects.toMatchObject({ code: 2 });
    await c.insertOne({ _id: 'p' } as never);
    await expect(c.updateOne({ _id: 'p' } as never, { $set: { '__proto__.multi': true } } as never)).rejects.toMatchObject({ code: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).multi).toBeUndefined();
  });
});

describe('fail points (test commands)', () => {
  it('fails the chosen command the chosen number of times, then lets it run', async () => {
    const admin = t.client.db('admin');
    await admin.command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['count'], errorCode: 8 } });
    await expect(contacts.estimatedDocumentCount()).rejects.toMatchObject({ code: 8 });
    expect(await contacts.estimatedDocumentCount()).toBe(500);
  });

  it('is not offered unless the engine was started with test commands', async () => {
    const { startEmbeddedEngine } = await import('../../server/storage/embedded/index.ts');
    const { tempDir } = await import('../support/test-engine.ts');
    const engine = await startEmbeddedEngine({ dataDir: await tempDir(), port: 0, mode: 'in-process' });
    const client = await new MongoClient(engine.uri).connect();
    try {
      const cmd = client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'alwaysOn', data: { failCommands: ['ping'] } });
      await expect(cmd).rejects.toMatchObject({ code: 59 });
    } finally {
      await client.close();
      await engine.stop();
    }
  });
});
