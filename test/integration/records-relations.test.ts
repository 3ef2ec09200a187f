/**
 * Relations keep their integrity over HTTP: links must point at real records, deletes follow each
 * relation's onDelete rule, the related view lists every record pointing at one, expand inlines
 * parents, formulas and rollups follow their sources, and the audit log records every change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId, type Document } from 'mongodb';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { addField, collection, createRecord, defineEntity, expectProblem, getRecord, storedRecords, waitFor, type ApiRecord } from '../support/crm-fixture.ts';
import { changesOf } from '../../server/audit/event-changes.ts';

let server: AppServer;

const entity = (name: string, fields: unknown[]) => ({ name, label: name, pluralLabel: `${name}s`, fields });
const STATUS = { name: 'status', type: 'select', options: ['open', 'won', 'lost'].map((value) => ({ value, label: value })) };

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, entity('employee', [{ name: 'name', type: 'text', required: true }]));
  await defineEntity(server, entity('account', [
    { name: 'name', type: 'text', required: true },
    { name: 'owner', type: 'relation', target: 'employee', onDelete: 'setNull' },
  ]));
  await defineEntity(server, entity('deal', [
    { name: 'title', type: 'text', required: true },
    { name: 'account', type: 'relation', target: 'account', onDelete: 'cascade', relatedLabel: 'Opportunities' },
    STATUS,
    { name: 'amount', type: 'currency', currency: 'USD' },
    { name: 'probability', type: 'number' },
    { name: 'closeDate', type: 'date' },
    { name: 'label', type: 'formula', expression: 'account.name & " / " & title', resultType: 'text' },
    { name: 'ownerName', type: 'formula', expression: 'account.owner.name', resultType: 'text' },
  ]));
  await defineEntity(server, entity('line_item', [
    { name: 'deal', type: 'relation', target: 'deal', onDelete: 'cascade' },
    { name: 'qty', type: 'integer' },
  ]));
  await defineEntity(server, entity('quote', [{ name: 'deal', type: 'relation', target: 'deal', onDelete: 'restrict' }]));
  await defineEntity(server, entity('contact', [
    { name: 'name', type: 'text', required: true },
    { name: 'account', type: 'relation', target: 'account', onDelete: 'restrict' },
  ]));
  await defineEntity(server, entity('note', [
    { name: 'body', type: 'text' },
    { name: 'account', type: 'relation', target: 'account', onDelete: 'setNull' },
  ]));
  await defineEntity(server, entity('campaign', [
    { name: 'name', type: 'text', required: true },
    { name: 'members', type: 'manyToMany', target: 'contact', attributes: [{ name: 'role', type: 'text' }, { name: 'score', type: 'integer' }] },
  ]));
  const rollup = (name: string, fn: string, extra: Record<string, unknown> = {}) =>
    addField(server, 'account', { name, type: 'rollup', entity: 'deal', relationField: 'account', function: fn, ...extra });
  const open = { field: 'status', op: 'eq', value: 'open' };
  await rollup('dealCount', 'count');
  await rollup('openDeals', 'count', { filter: open });
  await rollup('totalAmount', 'sum', { field: 'amount' });
  await rollup('openAmount', 'sum', { field: 'amount', filter: open });
  await rollup('avgAmount', 'avg', { field: 'amount' });
  await rollup('avgProbability', 'avg', { field: 'probability' });
  await rollup('minProbability', 'min', { field: 'probability' });
  await rollup('maxProbability', 'max', { field: 'probability' });
  await rollup('maxOpenProbability', 'max', { field: 'probability', filter: open });
  await rollup('latestClose', 'max', { field: 'closeDate' });
});

afterAll(async () => {
  await server?.stop();
});

const records = (name: string) => `/api/entities/${name}/records`;
const account = (name: string, extra: Record<string, unknown> = {}) => createRecord(server, 'account', { name, ...extra });
const deal = (accountId: string, extra: Record<string, unknown> = {}) => createRecord(server, 'deal', { title: 'Deal', account: accountId, ...extra });
const stored = (name: string, id: string) => collection(server, `rec_${name}`).findOne({ _id: new ObjectId(id) }, { projection: { _outbox: 0 } });
const remove = (name: string, id: string) => server.call('DELETE', `${records(name)}/${id}`);
const missingId = () => new ObjectId().toHexString();

describe('links point at records that exist', () => {
  it('refuses a relation to a missing record with 422 at its pointer, writing nothing', async () => {
    const before = await storedRecords(server, 'deal');
    const problem = expectProblem(await server.call('POST', records('deal'), { title: 'Ghost', account: missingId() }), 422, ['/account']);
    expect(problem.errors![0]!.detail).toMatch(/points at no account record/);
    expectProblem(await server.call('POST', records('deal'), { title: 'Ghost', account: 'not-an-id' }), 422, ['/account']);
    expect(await storedRecords(server, 'deal')).toEqual(before);
  });

  it('refuses a relation to a record of another entity', async () => {
    const person = await createRecord(server, 'employee', { name: 'Eve' });
    expectProblem(await server.call('POST', records('deal'), { title: 'Wrong', account: person._id }), 422, ['/account']);
  });

  it('refuses to repoint an existing record at a missing one, leaving it unchanged', async () => {
    const d = await deal((await account('Stable'))._id);
    const before = await stored('deal', d._id);
    expectProblem(await server.call('PATCH', `${records('deal')}/${d._id}`, { account: missingId() }), 422, ['/account']);
    expect(await stored('deal', d._id)).toEqual(before);
  });

  it('stores many-to-many links with their attributes and refuses a link to a missing record', async () => {
    const [ann, bob] = [await createRecord(server, 'contact', { name: 'Ann' }), await createRecord(server, 'contact', { name: 'Bob' })];
    const before = await storedRecords(server, 'campaign');
    expectProblem(await server.call('POST', records('campaign'), { name: 'Bad', members: [ann._id, missingId()] }), 422, ['/members/1']);
    expectProblem(await server.call('POST', records('campaign'), { name: 'Bad', members: [{ id: missingId(), role: 'host' }] }), 422, ['/members/0']);
    expectProblem(await server.call('POST', records('campaign'), { name: 'Bad', members: [{ id: ann._id, score: 'high' }] }), 422, ['/members/0/score']);
    expectProblem(await server.call('POST', records('campaign'), { name: 'Bad', members: [ann._id, ann._id] }), 422);
    expect(await storedRecords(server, 'campaign')).toEqual(before);

    const c = await createRecord(server, 'campaign', { name: 'Spring', members: [{ id: ann._id, role: 'speaker', score: 5 }, bob._id] });
    expect(c.members).toEqual([{ id: ann._id, role: 'speaker', score: 5 }, { id: bob._id }]);
    expect((await getRecord(server, 'campaign', c._id)).members).toEqual(c.members);
    const doc = await stored('campaign', c._id);
    expect(doc!.members[0]._id).toBeInstanceOf(ObjectId);

    expectProblem(await server.call('PATCH', `${records('campaign')}/${c._id}`, { members: [bob._id, missingId()] }), 422, ['/members/1']);
    expect((await getRecord(server, 'campaign', c._id)).members).toEqual(c.members);
  });
});

describe('onDelete rules', () => {
  it('restrict: refuses with 409 while children exist, and deletes once they are gone', async () => {
    const a = await account('Restricted');
    const c = await createRecord(server, 'contact', { name: 'Child', account: a._id });
    const problem = expectProblem(await remove('account', a._id), 409);
    expect(problem.type).toMatch(/\/relation-restricted$/);
    expect(problem.detail).toMatch(/contact/);
    expect(await stored('account', a._id)).not.toBeNull();
    expect(await stored('contact', c._id)).not.toBeNull();
    expect((await remove('contact', c._id)).status).toBe(204);
    expect((await remove('account', a._id)).status).toBe(204);
    expect(await stored('account', a._id)).toBeNull();
  });

  it('setNull: clears the child link and bumps its _version', async () => {
    const a = await account('Nulled');
    const n = await createRecord(server, 'note', { body: 'remember', account: a._id });
    expect((await remove('account', a._id)).status).toBe(204);
    const after = await getRecord(server, 'note', n._id);
    expect(after.account).toBeNull();
    expect(after.body).toBe('remember');
    expect(after._version).toBe(n._version + 1);
    expect(await stored('note', n._id)).not.toHaveProperty('account');
  });

  it('cascade: deletes children and grandchildren, all into the recycle bin', async () => {
    const a = await account('Cascading');
    const d1 = await deal(a._id, { title: 'One' });
    const d2 = await deal(a._id, { title: 'Two' });
    const items = [await createRecord(server, 'line_item', { deal: d1._id, qty: 1 }), await createRecord(server, 'line_item', { deal: d2._id, qty: 2 })];
    expect((await remove('account', a._id)).status).toBe(204);
    for (const [name, id] of [['account', a._id], ['deal', d1._id], ['deal', d2._id], ['line_item', items[0]!._id], ['line_item', items[1]!._id]] as const) {
      expect(await stored(name, id), `${name} ${id}`).toBeNull();
      expectProblem(await server.call('GET', `${records(name)}/${id}`), 404);
      const binned = await collection(server, 'recycle_bin').findOne({ entity: name, recordId: new ObjectId(id) });
      expect(binned, `${name} ${id} in the recycle bin`).not.toBeNull();
      expect(binned!.record._id.toHexString()).toBe(id);
    }
  });

  it('cascade: a restricted grandchild refuses the whole delete and nothing is deleted', async () => {
    const a = await account('Half-deleted?');
    const free = await deal(a._id, { title: 'Free' });
    const held = await deal(a._id, { title: 'Held' });
    await createRecord(server, 'quote', { deal: held._id });
    expectProblem(await remove('account', a._id), 409);
    expect(await stored('account', a._id)).not.toBeNull();
    expect(await stored('deal', held._id)).not.toBeNull();
    expect(await stored('deal', free._id), 'a refused delete must not have deleted a sibling').not.toBeNull();
    expect(await collection(server, 'recycle_bin').countDocuments({ recordId: { $in: [new ObjectId(a._id), new ObjectId(free._id)] } })).toBe(0);
  });

  it('pulls many-to-many links from records that pointed at a deleted target', async () => {
    const [ann, bob] = [await createRecord(server, 'contact', { name: 'Ann' }), await createRecord(server, 'contact', { name: 'Bob' })];
    const c = await createRecord(server, 'campaign', { name: 'Autumn', members: [{ id: ann._id, role: 'host', score: 3 }, { id: bob._id, role: 'guest' }] });
    expect((await remove('contact', ann._id)).status).toBe(204);
    const after = await getRecord(server, 'campaign', c._id);
    expect(after.members).toEqual([{ id: bob._id, role: 'guest' }]);
    expect(after._version).toBe(c._version + 1);
    expect(await collection(server, 'recycle_bin').findOne({ entity: 'contact', recordId: new ObjectId(ann._id) })).not.toBeNull();
  });
});

describe('GET .../records/:id/related', () => {
  type Group = { entity: string; field: string; label: string; total: number; data: ApiRecord[]; filter: { field: string; op: string; value: unknown } };
  const related = async (name: string, id: string, query = '') => {
    const res = await server.call<{ data: Group[] }>('GET', `${records(name)}/${id}/related${query}`);
    expect(res.status).toBe(200);
    return (entityName: string, field: string) => res.body.data.find((g) => g.entity === entityName && g.field === field)!;
  };

  it('groups every record pointing at this one by relation, with totals', async () => {
    const a = await account('Hub');
    const deals = [await deal(a._id, { title: 'D1' }), await deal(a._id, { title: 'D2' }), await deal(a._id, { title: 'D3' })];
    await createRecord(server, 'contact', { name: 'C1', account: a._id });
    await createRecord(server, 'contact', { name: 'C2', account: a._id });
    await createRecord(server, 'note', { body: 'n', account: a._id });
    await deal((await account('Elsewhere'))._id);
    const group = await related('account', a._id);
    expect(group('deal', 'account')).toMatchObject({ label: 'Opportunities', total: 3 });
    expect(group('deal', 'account').data.map((r) => r._id).sort()).toEqual(deals.map((d) => d._id).sort());
    expect(group('contact', 'account')).toMatchObject({ label: 'contacts', total: 2 });
    expect(group('contact', 'account').data.map((r) => r.name).sort()).toEqual(['C1', 'C2']);
    expect(group('note', 'account').total).toBe(1);

    const page = await related('account', a._id, '?limit=2');
    expect(page('deal', 'account').total).toBe(3);
    expect(page('deal', 'account').data).toHaveLength(2);

    // The group's filter lists the same records on the child's list endpoint.
    const filter = encodeURIComponent(JSON.stringify(group('deal', 'account').filter));
    expect((await server.call('GET', `${records('deal')}/count?filter=${filter}`)).body.count).toBe(3);
  });

  it('includes many-to-many links pointing at the record', async () => {
    const ann = await createRecord(server, 'contact', { name: 'Linked' });
    const c = await createRecord(server, 'campaign', { name: 'Winter', members: [{ id: ann._id, role: 'host' }] });
    await createRecord(server, 'campaign', { name: 'Other', members: [] });
    const group = await related('contact', ann._id);
    expect(group('campaign', 'members').total).toBe(1);
    expect(group('campaign', 'members').data.map((r) => r._id)).toEqual([c._id]);
  });

  it('answers 404 for a record that does not exist', async () => {
    expectProblem(await server.call('GET', `${records('account')}/${missingId()}/related`), 404);
  });
});

describe('expand inlines parents', () => {
  it('expand=account and expand=account.owner (two levels) on a record and a list', async () => {
    const alice = await createRecord(server, 'employee', { name: 'Alice' });
    const a = await account('Expanded', { owner: alice._id });
    const d = await deal(a._id, { title: 'X' });
    expect((await getRecord(server, 'deal', d._id)).account).toBe(a._id);

    const one = await getRecord(server, 'deal', d._id, '?expand=account');
    expect(one.account).toMatchObject({ _id: a._id, name: 'Expanded', owner: alice._id });

    const two = await getRecord(server, 'deal', d._id, '?expand=account.owner');
    expect(two.account).toMatchObject({ _id: a._id, name: 'Expanded', owner: { _id: alice._id, name: 'Alice' } });

    const filter = encodeURIComponent(JSON.stringify({ field: '_id', op: 'eq', value: d._id }));
    const listed = await server.call('GET', `${records('deal')}?expand=account.owner&filter=${filter}`);
    expect(listed.body.data[0].account).toMatchObject({ name: 'Expanded', owner: { name: 'Alice' } });
  });

  it('leaves an empty link empty', async () => {
    const a = await account('Ownerless');
    const d = await deal(a._id);
    expect((await getRecord(server, 'deal', d._id, '?expand=account.owner')).account).toMatchObject({ name: 'Ownerless', owner: null });
  });
});

describe('formulas over parent records', () => {
  it('are right on create and reflect a later change of the parent on read', async () => {
    const bob = await createRecord(server, 'employee', { name: 'Bob' });
    const a = await account('Acme', { owner: bob._id });
    const d = await deal(a._id, { title: 'Big deal' });
    expect(d.label).toBe('Acme / Big deal');
    expect(d.ownerName).toBe('Bob');

    await server.call('PATCH', `${records('account')}/${a._id}`, { name: 'Acme Corp' });
    await server.call('PATCH', `${records('employee')}/${bob._id}`, { name: 'Robert' });
    const read = await getRecord(server, 'deal', d._id);
    expect(read.label).toBe('Acme Corp / Big deal');
    expect(read.ownerName).toBe('Robert');
    const filter = encodeURIComponent(JSON.stringify({ field: '_id', op: 'eq', value: d._id }));
    expect((await server.call('GET', `${records('deal')}?filter=${filter}`)).body.data[0]).toMatchObject({ label: 'Acme Corp / Big deal', ownerName: 'Robert' });

    const patched = await server.call('PATCH', `${records('deal')}/${d._id}`, { title: 'Bigger deal' });
    expect(patched.body.label).toBe('Acme Corp / Bigger deal');
  });
});

describe('rollups', () => {
  it('count, sum, avg, min and max, with and without a filter, exact for currency', async () => {
    const a = await account('Rolled');
    await deal(a._id, { status: 'open', amount: { amount: '0.10' }, probability: 10, closeDate: '2024-03-01' });
    await deal(a._id, { status: 'open', amount: { amount: '0.20' }, probability: 30, closeDate: '2024-06-30' });
    await deal(a._id, { status: 'won', amount: { amount: '5.00' }, probability: 100, closeDate: '2024-01-15' });
    expect(await getRecord(server, 'account', a._id)).toMatchObject({
      dealCount: 3, openDeals: 2, totalAmount: 5.3, openAmount: 0.3, avgProbability: (10 + 30 + 100) / 3,
      minProbability: 10, maxProbability: 100, maxOpenProbability: 30,
    });
  });

  it('sums money exactly: 0.10 + 0.20 is 0.30, and 0.15 on average', async () => {
    const a = await account('Pennies');
    await deal(a._id, { amount: { amount: '0.10' } });
    await deal(a._id, { amount: { amount: 0.2 } });
    const read = await getRecord(server, 'account', a._id);
    expect(read.totalAmount).toBe(0.3);
    expect(read.avgAmount).toBe(0.15);
  });

  it('max of a date field gives the latest date', async () => {
    const a = await account('Dated');
    await deal(a._id, { closeDate: '2024-03-01' });
    await deal(a._id, { closeDate: '2024-06-30' });
    expect((await getRecord(server, 'account', a._id)).latestClose).toBe('2024-06-30');
  });

  it('give 0 for count and sum and null for avg, min and max without children', async () => {
    const read = await getRecord(server, 'account', (await account('Empty'))._id);
    expect(read).toMatchObject({ dealCount: 0, totalAmount: 0, openAmount: 0, avgProbability: null, minProbability: null, maxProbability: null });
  });

  it('reflect child changes immediately: update, move, delete', async () => {
    const [a, b] = [await account('Source'), await account('Target')];
    const d1 = await deal(a._id, { status: 'open', amount: { amount: '1.25' }, probability: 20 });
    const d2 = await deal(a._id, { status: 'open', amount: { amount: '2.50' }, probability: 40 });
    expect(await getRecord(server, 'account', a._id)).toMatchObject({ dealCount: 2, openDeals: 2, totalAmount: 3.75, maxProbability: 40 });

    await server.call('PATCH', `${records('deal')}/${d2._id}`, { status: 'won', amount: { amount: '3.00' }, probability: 90 });
    expect(await getRecord(server, 'account', a._id)).toMatchObject({ dealCount: 2, openDeals: 1, totalAmount: 4.25, openAmount: 1.25, maxProbability: 90, maxOpenProbability: 20 });

    await server.call('PATCH', `${records('deal')}/${d1._id}`, { account: b._id });
    expect(await getRecord(server, 'account', a._id)).toMatchObject({ dealCount: 1, openDeals: 0, totalAmount: 3, openAmount: 0 });
    expect(await getRecord(server, 'account', b._id)).toMatchObject({ dealCount: 1, openDeals: 1, totalAmount: 1.25 });

    expect((await remove('deal', d2._id)).status).toBe(204);
    expect(await getRecord(server, 'account', a._id)).toMatchObject({ dealCount: 0, totalAmount: 0, maxProbability: null });
  });

  it('are the same in a list read', async () => {
    const a = await account('Listed');
    await deal(a._id, { amount: { amount: '0.10' } });
    await deal(a._id, { amount: { amount: '0.20' } });
    const filter = encodeURIComponent(JSON.stringify({ field: '_id', op: 'eq', value: a._id }));
    expect((await server.call('GET', `${records('account')}?filter=${filter}`)).body.data[0]).toMatchObject({ dealCount: 2, totalAmount: 0.3 });
  });
});

describe('audit log', () => {
  const entries = (recordId: string, count: number) =>
    waitFor(async () => {
      const found = await collection(server, 'audit_log').find({ recordId: new ObjectId(recordId) }).sort({ at: 1, _id: 1 }).toArray();
      return found.length >= count ? found : null;
    });
  const change = (entry: Document, field: string) => changesOf(entry)!.find((c) => c.field === field);

  it('records created, updated and deleted entries with each field before and after', async () => {
    const a = await account('Audited');
    const d = await deal(a._id, { title: 'Draft', probability: 10 });
    await server.call('PATCH', `${records('deal')}/${d._id}`, { title: 'Final', probability: 50 });
    expect((await remove('deal', d._id)).status).toBe(204);

    const [created, updated, deleted] = await entries(d._id, 3);
    const me = (await server.call('GET', '/api/auth/session')).body.user.id;
    expect(created).toMatchObject({ type: 'created', entity: 'deal', actorId: me, channel: 'api' });
    expect(change(created!, 'title')).toEqual({ field: 'title', before: null, after: 'Draft' });
    expect(change(created!, 'account')).toEqual({ field: 'account', before: null, after: a._id });

    expect(updated).toMatchObject({ type: 'updated', entity: 'deal' });
    expect(change(updated!, 'title')).toEqual({ field: 'title', before: 'Draft', after: 'Final' });
    expect(change(updated!, 'probability')).toEqual({ field: 'probability', before: 10, after: 50 });
    expect(change(updated!, 'account')).toBeUndefined();

    expect(deleted).toMatchObject({ type: 'deleted', entity: 'deal' });
    expect(change(deleted!, 'title')).toEqual({ field: 'title', before: 'Final', after: null });
  });

  it('records the link a setNull delete cleared', async () => {
    const a = await account('Gone');
    const n = await createRecord(server, 'note', { body: 'x', account: a._id });
    expect((await remove('account', a._id)).status).toBe(204);
    const [, cleared] = await entries(n._id, 2);
    expect(cleared).toMatchObject({ type: 'updated', entity: 'note' });
    expect(change(cleared!, 'account')).toEqual({ field: 'account', before: a._id, after: null });
  });
});
