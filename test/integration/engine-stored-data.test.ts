/** Through the official driver: stored data does not change on reads, and field names are only names. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from 'mongodb';
import { startTestEngine, type TestEngine } from '../support/test-engine.ts';

let t: TestEngine;
let db: Db;

beforeAll(async () => {
  t = await startTestEngine();
  db = t.client.db('review');
});
afterAll(() => t.cleanup());

describe('a unique field named like an Object.prototype member', () => {
  it('records without the field do not collide, as entity-indexes.ts builds unique fields', async () => {
    const c = db.collection('inherited');
    await c.createIndex({ toLocaleString: 1 }, { unique: true, partialFilterExpression: { toLocaleString: { $exists: true } } });
    await c.insertOne({ name: 'a' });
    await expect(c.insertOne({ name: 'b' })).resolves.toBeTruthy();
    expect(await c.countDocuments({ toLocaleString: { $exists: false }, name: { $gte: '' } })).toBe(2);
  });
});

describe('reads with a projection leave the stored document as it was', () => {
  it('find with an embedded-form exclusion {a: {b: 0}}', async () => {
    const c = db.collection('projected');
    await c.createIndex({ 'a.b': 1 });
    await c.insertOne({ _id: 1 as never, a: { b: 1, c: 2 } });
    expect(await c.findOne({ _id: 1 as never }, { projection: { a: { b: 0 } } })).toEqual({ _id: 1, a: { c: 2 } });
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, a: { b: 1, c: 2 } });
    expect(await c.countDocuments({ 'a.b': 1, a: { $exists: true } })).toBe(1);
  });

  it('findOneAndUpdate with a dotted exclusion in its projection (the document just stored is the one projected)', async () => {
    const c = db.collection('famProjected');
    await c.insertOne({ _id: 1 as never, a: { b: 1, c: 2 }, n: 0 });
    const value = await c.findOneAndUpdate({ _id: 1 as never }, { $set: { n: 1 } }, { projection: { 'a.b': 0 }, returnDocument: 'after' });
    expect(value).toEqual({ _id: 1, a: { c: 2 }, n: 1 });
    expect(await c.findOne({ _id: 1 as never })).toEqual({ _id: 1, a: { b: 1, c: 2 }, n: 1 });
  });
});
