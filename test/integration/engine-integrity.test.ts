/**
 * A refused command changes nothing, or exactly what it journals: what the engine holds in
 * memory is always what it recovers after a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { engineStarter, type TestEngine } from '../support/test-engine.ts';

const start = engineStarter(afterEach);

/** Stops the engine cleanly and starts it again on the same data. */
async function restart(t: TestEngine): Promise<TestEngine> {
  await t.stop();
  return start(t.dataDir);
}

describe('engine integrity', () => {
  it('refuses a whole $out whose results collide, leaving the target as it was', async () => {
    const t = await start();
    const db = t.client.db('crm');
    await db.collection('target').insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }] as never[]);
    await db.collection('source').insertMany([{ k: 9 }, { k: 9 }]);
    const out = db.collection('source').aggregate([{ $project: { _id: '$k' } }, { $out: 'target' }]).toArray();
    await expect(out).rejects.toMatchObject({ code: 11000 });
    expect(await db.collection('target').countDocuments()).toBe(3);
    const again = await restart(t);
    expect(await again.client.db('crm').collection('target').countDocuments()).toBe(3);
  });

  it('leaves the stored document whole when a find excludes a nested field', async () => {
    const t = await start();
    const c = t.client.db('crm').collection('nested');
    await c.insertOne({ _id: 1, a: { b: 1, c: 2 }, list: [{ x: 1, y: 2 }] } as never);
    expect(await c.findOne({ _id: 1 } as never, { projection: { 'a.b': 0, 'list.y': 0 } })).toEqual({ _id: 1, a: { c: 2 }, list: [{ x: 1 }] });
    expect(await c.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: { b: 1, c: 2 }, list: [{ x: 1, y: 2 }] });
  });

  it('refuses parallel arrays in a compound index without storing the document', async () => {
    const t = await start();
    const c = t.client.db('crm').collection('pairs');
    await c.createIndex({ a: 1, b: 1 });
    await expect(c.insertOne({ a: [1, 2], b: [3, 4] })).rejects.toMatchObject({ code: 171 });
    expect(await c.countDocuments()).toBe(0);
    await c.insertOne({ a: [1, 2], b: 3 });
    expect(await c.countDocuments({ a: 2, b: 3 })).toBe(1);
  });

  it('keeps what a partly refused createIndexes did, in memory and after a restart', async () => {
    const t = await start();
    const c = t.client.db('crm').collection('people');
    await c.insertMany([{ email: 'a', team: 1 }, { email: 'b', team: 1 }]);
    const create = t.client.db('crm').command({
      createIndexes: 'people',
      indexes: [{ key: { email: 1 }, name: 'email_1', unique: true }, { key: { team: 1 }, name: 'team_1', unique: true }],
    });
    await expect(create).rejects.toMatchObject({ code: 11000 });
    const names = async (e: TestEngine) => (await e.client.db('crm').collection('people').indexes()).map((i) => i.name);
    const before = await names(t);
    const again = await restart(t);
    expect(await names(again)).toEqual(before);
  });

  it('snapshots and recovers documents far larger than a snapshot chunk', async () => {
    const t = await start();
    const c = t.client.db('crm').collection('files');
    const big = 'x'.repeat(2 * 1024 * 1024);
    for (let i = 0; i < 12; i++) await c.insertOne({ i, big });
    const again = await restart(t);
    const docs = await again.client.db('crm').collection('files').find({}, { projection: { i: 1, size: { $strLenCP: '$big' } } }).toArray();
    expect(docs.map((d) => d.size)).toEqual(Array(12).fill(big.length));
  });

  it('matches NaN only to NaN, with or without an index', async () => {
    const t = await start();
    const c = t.client.db('crm').collection('scores');
    await c.createIndex({ a: 1 });
    await c.insertMany([{ a: 1 }, { a: 2 }, { a: Number.NaN }]);
    expect(await c.countDocuments({ a: Number.NaN })).toBe(1);
    await c.deleteMany({ a: Number.NaN });
    expect(await c.countDocuments()).toBe(2);
  });

  it('lists more collections than fit in one batch', async () => {
    const t = await start();
    const db = t.client.db('many');
    for (let i = 0; i < 130; i++) await db.createCollection(`c${i}`);
    expect(await db.listCollections({}, { batchSize: 50 }).toArray()).toHaveLength(130);
  });
});
