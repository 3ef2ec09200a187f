/** Writes that race, crash halfway or carry odd values never lose or invent data. */
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord } from '../support/crm-fixture.ts';

let s: AppServer;

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, {
    name: 'client', label: 'Client', pluralLabel: 'Clients', titleField: 'name',
    fields: [
      { name: 'name', type: 'fullName' }, { name: 'ref', type: 'text', unique: true }, { name: 'notes', type: 'text' }, { name: 'score', type: 'integer' },
      { name: 'mixed', type: 'formula', resultType: 'text', expression: 'IF(score > 1, score, notes)' },
      { name: 'opened', type: 'date' },
    ],
  });
});
afterAll(async () => s.stop());

const url = (id: string) => `/api/entities/client/records/${id}`;

async function auditTypes(recordId: string): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const entries = await collection(s, 'audit_log').find({ recordId: new ObjectId(recordId) }).sort({ at: 1 }).toArray();
    if (entries.some((e) => e.type === 'deleted')) return entries.map((e) => e.type as string);
    await new Promise((r) => setTimeout(r, 20));
  }
  return [];
}

describe('deletes', () => {
  it('deletes a record once when three deletes race, with one bin entry and one audit entry', async () => {
    const c = await createRecord(s, 'client', { name: { last: 'Race' } });
    const statuses = (await Promise.all([1, 2, 3].map(() => s.call('DELETE', url(c._id))))).map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 204)).toHaveLength(1);
    expect(statuses.filter((x) => x !== 204).every((x) => x === 404 || x === 412)).toBe(true);
    expect(await collection(s, 'recycle_bin').countDocuments({ recordId: new ObjectId(c._id) })).toBe(1);
    expect((await auditTypes(c._id)).filter((t) => t === 'deleted')).toHaveLength(1);
  });

  it('never loses an acknowledged update to a racing delete: the bin holds what was last saved', async () => {
    const made = await Promise.all(Array.from({ length: 10 }, (_, i) => createRecord(s, 'client', { name: { last: `R${i}` }, notes: 'v1' })));
    const outcomes = await Promise.all(made.map(async (c) => {
      const [patched, deleted] = await Promise.all([s.call('PATCH', url(c._id), { notes: 'v2' }), s.call('DELETE', url(c._id))]);
      return { c, patched: patched.status, deleted: deleted.status };
    }));
    for (const { c, patched, deleted } of outcomes) {
      expect([200, 404, 412]).toContain(patched);
      expect([204, 412]).toContain(deleted);
      const binned = await collection(s, 'recycle_bin').findOne({ recordId: new ObjectId(c._id) });
      if (deleted === 204 && patched === 200) expect(binned?.record.notes).toBe('v2');
      if (deleted === 412) expect((await getRecord(s, 'client', c._id)).notes).toBe('v2');
    }
  });

  it('keeps events still pending in the record when it is deleted', async () => {
    const c = await createRecord(s, 'client', { name: { last: 'Pending' } });
    const eventId = new ObjectId();
    await collection(s, 'rec_client').updateOne({ _id: new ObjectId(c._id) }, { $push: { _outbox: { id: eventId, type: 'updated', entity: 'client', recordId: new ObjectId(c._id), at: new Date(), actorId: 'test', channel: 'api', changes: [] } } } as never);
    expect((await s.call('DELETE', url(c._id))).status).toBe(204);
    expect(await auditTypes(c._id)).toContain('updated');
    expect(await collection(s, 'audit_log').countDocuments({ _id: eventId })).toBe(1);
  });

  it('finishes a delete that was claimed but interrupted before the record left', async () => {
    const c = await createRecord(s, 'client', { name: { last: 'Interrupted' } });
    const claimId = new ObjectId();
    await collection(s, 'rec_client').updateOne({ _id: new ObjectId(c._id) }, { $set: { _deleting: { id: claimId, at: new Date(), by: 'system' } } });
    await s.rapport.start(); // what a restart runs
    await s.rapport.stop();
    expect(await collection(s, 'rec_client').countDocuments({ _id: new ObjectId(c._id) })).toBe(0);
    expect(await collection(s, 'recycle_bin').countDocuments({ _id: claimId })).toBe(1);
  });
});

describe('values', () => {
  it('treats an empty string as no value: required says so, unique fields do not collide', async () => {
    const a = await createRecord(s, 'client', { name: { last: 'A' }, ref: '' });
    const b = await createRecord(s, 'client', { name: { last: 'B' }, ref: '' });
    expect([a.ref, b.ref]).toEqual([null, null]);
  });

  it('stores a formula as its declared type whatever the branch returns, so it sorts and pages', async () => {
    await createRecord(s, 'client', { name: { last: 'N' }, score: 5 });
    await createRecord(s, 'client', { name: { last: 'T' }, score: 0, notes: 'text' });
    const raw = await collection(s, 'rec_client').find({ mixed: { $exists: true } }).toArray();
    expect(raw.every((d) => typeof d.mixed === 'string')).toBe(true);
    const page = await s.call('GET', '/api/entities/client/records?sort=mixed&limit=1');
    expect(page.status).toBe(200);
  });

  it('takes back a record exactly as it was read (PUT of a GET)', async () => {
    const c = await createRecord(s, 'client', { name: { first: 'Ada', last: 'Lovelace' }, opened: '2026-03-01' });
    const { _id, _version, createdAt, createdBy, updatedAt, updatedBy, ownerId, mixed, ...writable } = await getRecord(s, 'client', c._id);
    void [_id, _version, createdAt, createdBy, updatedAt, updatedBy, ownerId, mixed];
    const put = await s.call('PUT', url(c._id), writable);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.name).toEqual({ first: 'Ada', last: 'Lovelace', display: 'Ada Lovelace' });
  });

  it('checks read options before writing: a bad ?fields= stores nothing', async () => {
    const before = await collection(s, 'rec_client').countDocuments();
    expectProblem(await s.call('POST', '/api/entities/client/records?fields=nope', { name: { last: 'X' } }), 400, ['/fields']);
    expect(await collection(s, 'rec_client').countDocuments()).toBe(before);
  });

  it('never adds up money in different currencies', async () => {
    await defineEntity(s, { name: 'gift', label: 'Gift', pluralLabel: 'Gifts', fields: [{ name: 'amount', type: 'currency' }, { name: 'fund', type: 'text' }] });
    for (const [amount, currency, fund] of [['0.10', 'EUR', 'a'], ['0.20', 'EUR', 'a'], ['1.00', 'USD', 'b'], ['100', 'JPY', 'b']]) {
      await createRecord(s, 'gift', { amount: { amount, currency }, fund });
    }
    const res = await s.call('GET', '/api/entities/gift/records/group-by?by=fund&metrics=sum:amount');
    const sums = Object.fromEntries(res.body.groups.map((g: { key: { fund: string } } & Record<string, unknown>) => [g.key.fund, g['sum:amount']]));
    expect(sums).toEqual({ a: 0.3, b: null });
  });

  it('answers 400 for group-by buckets that are object internals', async () => {
    for (const bucket of ['toString', 'constructor', '__proto__']) {
      expectProblem(await s.call('GET', `/api/entities/client/records/group-by?by=opened:${bucket}`), 400, ['/by']);
    }
  });
});
