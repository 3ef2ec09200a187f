/**
 * Issue 5, "change a field's type": each conversion path, with values that do not convert; the
 * plan's preview matches what applying does; values that do not convert are kept and listed,
 * never dropped; a rollback puts everything back; the field is locked while it converts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, waitFor } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';
import { startTestEngine } from '../support/test-engine.ts';

let server: AppServer;
const define = (d: Record<string, unknown>) => defineEntity(server, { pluralLabel: `${String(d.label)}s`, ...d });
const STAGES = [{ value: 'new', label: 'New' }, { value: 'won', label: 'Closed won' }, { value: 'lost', label: 'Closed lost' }];

beforeAll(async () => {
  server = await startAppServer();
  await define({ name: 'account', label: 'Account', titleField: 'name', fields: [{ name: 'name', type: 'text' }] });
  await define({
    name: 'deal', label: 'Deal',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'size', type: 'text' },
      { name: 'stage', type: 'text' },
      { name: 'tags', type: 'select', options: STAGES },
      { name: 'amount', type: 'number' },
      { name: 'account', type: 'text' },
      { name: 'choices', type: 'multiSelect', options: STAGES },
      { name: 'closes', type: 'text' },
    ],
  });
});
afterAll(() => server?.stop());

type Plan = { total: number; convertible: number; notConvertible: number; samples: { converted: Array<{ recordId: string; before: unknown; after: unknown }>; notConverted: Array<{ recordId: string; value: unknown; reason: string }> } };

const planOf = async (field: string, body: unknown) => {
  const res = await server.call<Plan>('POST', `/api/metadata/entities/deal/fields/${field}/conversion-plan`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
async function convert(field: string, body: unknown) {
  const started = await server.call('POST', `/api/metadata/entities/deal/fields/${field}/conversions`, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.headers.get('location')).toBe(`/api/metadata/conversions/${started.body.id}`);
  return finished(started.body.id);
}
const finished = (id: string) =>
  waitFor(async () => {
    const job = await server.call('GET', `/api/metadata/conversions/${id}`);
    return job.body.status !== 'running' && job.body;
  }, 10_000);
const leftovers = async (id: string) => (await server.call('GET', `/api/metadata/conversions/${id}/leftovers`)).body.data as Array<{ recordId: string; value: unknown; reason: string }>;
const deals = async (values: Array<Record<string, unknown>>) => Promise.all(values.map((v) => createRecord(server, 'deal', v)));
const valueOf = async (id: string, field: string) => (await getRecord(server, 'deal', id))[field];

describe('conversion paths', () => {
  it('text → number: the plan previews what applying does; what does not convert is kept and listed', async () => {
    const [a, b, c, d] = await deals([{ size: '12' }, { size: ' 3.5 ' }, { size: 'about ten' }, { title: 'no size' }]);
    const plan = await planOf('size', { to: { type: 'number' } });
    const ours = (ids: string[]) => ids.filter((id) => [a, b, c].some((r) => r!._id === id));
    expect(plan).toMatchObject({ from: 'text', to: 'number', total: 3, convertible: 2, notConvertible: 1 });
    expect(ours(plan.samples.converted.map((s) => s.recordId))).toEqual([a!._id, b!._id]);
    expect(plan.samples.converted[0]).toEqual({ recordId: a!._id, before: '12', after: 12 });
    expect(plan.samples.notConverted).toEqual([{ recordId: c!._id, value: 'about ten', reason: expect.any(String) }]);
    // A plan changes nothing.
    expect(await valueOf(a!._id, 'size')).toBe('12');

    const job = await convert('size', { to: { type: 'number', label: 'Size' } });
    expect(job).toMatchObject({ status: 'done', total: 3, processed: 3, converted: 2, failed: 1 });
    expect(await valueOf(a!._id, 'size')).toBe(12);
    expect(await valueOf(b!._id, 'size')).toBe(3.5);
    expect(await valueOf(c!._id, 'size')).toBeNull();
    expect(await valueOf(d!._id, 'size')).toBeNull();
    expect(await leftovers(job.id)).toEqual([{ recordId: c!._id, value: 'about ten', reason: plan.samples.notConverted[0]!.reason }]);
    const definition = (await server.call('GET', '/api/metadata/entities/deal')).body;
    expect(definition.fields.find((f: { name: string }) => f.name === 'size')).toMatchObject({ type: 'number', label: 'Size' });
    // The new type is enforced from now on.
    expectProblem(await server.call('PATCH', `/api/entities/deal/records/${c!._id}`, { size: 'ten' }), 422, ['/size']);
  });

  it('text → select matches option values and labels, case-insensitively', async () => {
    const [won, lost, odd] = await deals([{ stage: 'won' }, { stage: 'closed LOST' }, { stage: 'pending' }]);
    const job = await convert('stage', { to: { type: 'select', options: STAGES } });
    expect(job).toMatchObject({ converted: 2, failed: 1 });
    expect(await valueOf(won!._id, 'stage')).toBe('won');
    expect(await valueOf(lost!._id, 'stage')).toBe('lost');
    expect((await leftovers(job.id)).map((l) => [l.recordId, l.value])).toEqual([[odd!._id, 'pending']]);
  });

  it('select → multi-select keeps the choice; multi-select → select refuses more than one', async () => {
    const [one] = await deals([{ tags: 'won' }]);
    expect(await convert('tags', { to: { type: 'multiSelect', options: STAGES } })).toMatchObject({ converted: 1, failed: 0 });
    expect(await valueOf(one!._id, 'tags')).toEqual(['won']);

    const [single, many] = await deals([{ choices: ['new'] }, { choices: ['new', 'won'] }]);
    const job = await convert('choices', { to: { type: 'select', options: STAGES } });
    expect(job).toMatchObject({ converted: 1, failed: 1 });
    expect(await valueOf(single!._id, 'choices')).toBe('new');
    expect(await leftovers(job.id)).toEqual([{ recordId: many!._id, value: ['new', 'won'], reason: 'has 2 choices; a single select takes one' }]);
  });

  it('number → currency takes the field\'s currency and keeps amounts exact', async () => {
    const [r] = await deals([{ amount: 1234.5 }]);
    expect(await convert('amount', { to: { type: 'currency', currency: 'GBP' } })).toMatchObject({ converted: 1, failed: 0 });
    expect(await valueOf(r!._id, 'amount')).toEqual({ amount: '1234.50', currency: 'GBP' });
  });

  it('text → relation by a field of the target: unknown and ambiguous names are left over', async () => {
    const acme = await createRecord(server, 'account', { name: 'Acme' });
    await createRecord(server, 'account', { name: 'Twin' });
    await createRecord(server, 'account', { name: 'Twin' });
    const [known, unknown, twin] = await deals([{ account: 'Acme' }, { account: 'Nobody Ltd' }, { account: 'Twin' }]);
    const plan = await planOf('account', { to: { type: 'relation', target: 'account', onDelete: 'setNull' }, match: 'name' });
    expect(plan).toMatchObject({ total: 3, convertible: 1, notConvertible: 2 });
    const job = await convert('account', { to: { type: 'relation', target: 'account', onDelete: 'setNull' }, match: 'name' });
    expect(await valueOf(known!._id, 'account')).toBe(acme._id);
    expect(await leftovers(job.id)).toEqual([
      { recordId: unknown!._id, value: 'Nobody Ltd', reason: 'no account has name "Nobody Ltd"' },
      { recordId: twin!._id, value: 'Twin', reason: '"Twin" matches more than one account' },
    ]);
  });

  it('text → date reads ISO dates and refuses impossible ones', async () => {
    const [ok, bad] = await deals([{ closes: '2026-03-31' }, { closes: '2026-02-30' }]);
    const job = await convert('closes', { to: { type: 'date' } });
    expect(job).toMatchObject({ converted: 1, failed: 1 });
    expect(await valueOf(ok!._id, 'closes')).toBe('2026-03-31');
    expect((await leftovers(job.id))[0]).toMatchObject({ recordId: bad!._id, value: '2026-02-30' });
  });
});

describe('rollback', () => {
  it('puts back every original value, including those that did not convert, and keeps later edits', async () => {
    await define({ name: 'pledge', label: 'Pledge', fields: [{ name: 'note', type: 'text' }, { name: 'gift', type: 'text' }] });
    const made = await Promise.all(['10', '20', 'lots', '30'].map((gift) => createRecord(server, 'pledge', { gift })));
    const start = await server.call('POST', '/api/metadata/entities/pledge/fields/gift/conversions', { to: { type: 'integer' } });
    const job = await finished(start.body.id);
    expect(job).toMatchObject({ status: 'done', converted: 3, failed: 1 });
    // Someone edits a converted value before the rollback: their edit is converted back, not overwritten.
    await server.call('PATCH', `/api/entities/pledge/records/${made[3]!._id}`, { gift: 35 });

    const back = await server.call('POST', `/api/metadata/conversions/${job.id}/rollback`);
    expect(back.status).toBe(202);
    expect(await finished(back.body.id)).toMatchObject({ status: 'done', kind: 'rollback', of: job.id });
    const gifts = await Promise.all(made.map(async (r) => (await server.call('GET', `/api/entities/pledge/records/${r._id}`)).body.gift));
    expect(gifts).toEqual(['10', '20', 'lots', '35']);
    expect((await server.call('GET', `/api/metadata/conversions/${job.id}`)).body.status).toBe('rolledBack');
    expectProblem(await server.call('POST', `/api/metadata/conversions/${job.id}/rollback`), 422);
  });
});

describe('while a field converts', () => {
  it('refuses writes that would change it, and definition changes to it, until it is unlocked', async () => {
    await define({ name: 'locked', label: 'Locked', fields: [{ name: 'name', type: 'text' }, { name: 'score', type: 'text' }] });
    const r = await createRecord(server, 'locked', { name: 'x', score: '1' });
    const probe = await createRecord(server, 'locked', { name: 'probe' });
    await collection(server, 'meta_entities').updateOne({ _id: 'locked' as never }, { $set: { locks: { score: 'job' } }, $inc: { metadataVersion: 1000, version: 1 } });
    await waitFor(async () => (await server.call('PATCH', `/api/entities/locked/records/${probe._id}`, { score: '2' })).status === 422);
    const refused = expectProblem(await server.call('PATCH', `/api/entities/locked/records/${r._id}`, { score: '2' }), 422, ['/score']);
    expect(refused.errors![0]!.detail).toMatch(/being converted/);
    // Other fields stay writable, and a PUT that leaves the field out does not clear it.
    expect((await server.call('PUT', `/api/entities/locked/records/${r._id}`, { name: 'y' })).status).toBe(200);
    expect((await getRecord(server, 'locked', r._id)).score).toBe('1');
    expectProblem(await server.call('DELETE', '/api/metadata/entities/locked/fields/score'), 409);
    expectProblem(await server.call('POST', '/api/metadata/entities/locked/fields/score/conversions', { to: { type: 'integer' } }), 409);
  });

  it('resumes a conversion that a stop interrupted', async () => {
    const engine = await startTestEngine();
    const first = await startAppServer({ engine });
    let again: AppServer | undefined;
    try {
      expect((await first.call('POST', '/api/metadata/entities', { name: 'bulk', label: 'Bulk', pluralLabel: 'Bulk', fields: [{ name: 'n', type: 'text' }] })).status).toBe(201);
      const rec = engine.client.db('rapport').collection('rec_bulk');
      await rec.insertMany(Array.from({ length: 20_000 }, (_, i) => ({ n: String(i), _version: 1, createdAt: new Date(), updatedAt: new Date(), createdBy: 'seed', updatedBy: 'seed', ownerId: 'seed' })));
      const started = await first.call('POST', '/api/metadata/entities/bulk/fields/n/conversions', { to: { type: 'integer' } });
      expect(started.status).toBe(202);
      await first.stop();
      const paused = await engine.client.db('rapport').collection('field_conversions').findOne({});
      expect(paused).toMatchObject({ status: 'running' });
      expect(paused!.processed).toBeLessThan(20_000);

      again = await startAppServer({ engine });
      const job = await waitFor(async () => {
        const res = await again!.call('GET', `/api/metadata/conversions/${started.body.id}`);
        return res.body.status === 'done' && res.body;
      }, 30_000);
      expect(job).toMatchObject({ processed: 20_000, converted: 20_000, failed: 0 });
      expect(await rec.countDocuments({ n: { $type: 'int' } })).toBe(20_000);
      expect(await rec.countDocuments({ _conv: { $exists: true } })).toBe(0);
    } finally {
      await again?.stop();
      await engine.cleanup();
    }
  }, 60_000);
});

describe('refusals', () => {
  it('answers bad requests with problems that name the part at fault', async () => {
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', {}), 400, ['/to']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'number' }, extra: 1 }), 400, ['/extra']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'autonumber', pattern: 'D-{000}' } }), 422, ['/to/type']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'number', unique: true } }), 422, ['/to/unique']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'number' }, match: 'name' }), 422, ['/match']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'relation', target: 'account' }, match: 'nope' }), 422, ['/match']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'select' } }), 422, ['/to']);
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/nope/conversion-plan', { to: { type: 'number' } }), 404);
    expectProblem(await server.call('GET', '/api/metadata/conversions/nope'), 404);
  });

  it('is for administrators only', async () => {
    const token = await issueUserToken(server, { roles: [{ name: 'dealReader', label: 'Deal reader', entities: { deal: { read: true, update: true, scope: 'all' } } }] });
    const as = { authorization: `Bearer ${token}` };
    expectProblem(await server.call('POST', '/api/metadata/entities/deal/fields/title/conversion-plan', { to: { type: 'number' } }, as), 403);
    expectProblem(await server.call('GET', '/api/metadata/conversions', undefined, as), 403);
  });
});
