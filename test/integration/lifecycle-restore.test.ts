/**
 * Issue 5, "restore after delete (field, record, entity)": a deleted record comes back from the
 * recycle bin with the records its delete cascaded to and the links it cleared; a deleted field or
 * entity is archived with its data and comes back whole; purges remove data only when asked or
 * when the retention period is over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, settled } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';

let server: AppServer;
const define = (d: Record<string, unknown>) => defineEntity(server, { pluralLabel: `${String(d.label)}s`, ...d });

beforeAll(async () => {
  server = await startAppServer();
  await define({ name: 'household', label: 'Household', titleField: 'name', fields: [{ name: 'name', type: 'text' }] });
  await define({ name: 'programme', label: 'Programme', titleField: 'name', fields: [{ name: 'name', type: 'text' }] });
  await define({
    name: 'client', label: 'Client', titleField: 'name',
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'email', type: 'email', unique: true },
      { name: 'household', type: 'relation', target: 'household', onDelete: 'setNull' },
      { name: 'programmes', type: 'manyToMany', target: 'programme', attributes: [{ name: 'role', type: 'text' }] },
      { name: 'notes', type: 'longText' },
    ],
  });
  await define({ name: 'visit', label: 'Visit', fields: [{ name: 'summary', type: 'text' }, { name: 'client', type: 'relation', target: 'client', onDelete: 'cascade' }] });
});
afterAll(() => server?.stop());

const del = (entity: string, id: string) => server.call('DELETE', `/api/entities/${entity}/records/${id}`);
const binEntryOf = async (recordId: string) => {
  const res = await server.call('GET', '/api/recycle-bin?limit=100');
  expect(res.status).toBe(200);
  return (res.body.data as Array<{ id: string; recordId: string; cascadedFrom: string | null }>).find((e) => e.recordId === recordId);
};

describe('recycle bin', () => {
  it('restores a record with the records its delete cascaded to and the links it cleared', async () => {
    const household = await createRecord(server, 'household', { name: 'Okafor' });
    const programme = await createRecord(server, 'programme', { name: 'Food bank' });
    const client = await createRecord(server, 'client', { name: 'Ada', email: 'ada@example.org', household: household._id, programmes: [{ id: programme._id, role: 'volunteer' }] });
    const visits = [await createRecord(server, 'visit', { summary: 'intake', client: client._id }), await createRecord(server, 'visit', { summary: 'review', client: client._id })];

    // Deleting the household clears the client's link (setNull); deleting the client cascades to its visits.
    expect((await del('household', household._id)).status).toBe(204);
    expect((await getRecord(server, 'client', client._id)).household).toBeNull();
    expect((await del('client', client._id)).status).toBe(204);
    expect((await server.call('GET', `/api/entities/visit/records/${visits[0]!._id}`)).status).toBe(404);

    const clientEntry = await binEntryOf(client._id);
    expect(clientEntry?.cascadedFrom).toBeNull();
    expect((await binEntryOf(visits[0]!._id))?.cascadedFrom).toBe(clientEntry!.id);

    const restoredClient = await server.call('POST', `/api/recycle-bin/${clientEntry!.id}/restore`);
    expect(restoredClient.status).toBe(200);
    expect(restoredClient.body.restored.map((r: { id: string }) => r.id).sort()).toEqual([client._id, ...visits.map((v) => v._id)].sort());
    const back = await getRecord(server, 'client', client._id);
    expect(back).toMatchObject({ name: 'Ada', email: 'ada@example.org' });
    expect(back.programmes).toEqual([expect.objectContaining({ id: programme._id, role: 'volunteer' })]);
    expect((await getRecord(server, 'visit', visits[1]!._id)).client).toEqual(client._id);

    // Restoring the household puts its link back on the client, which no one had re-linked meanwhile.
    const householdEntry = await binEntryOf(household._id);
    const restoredHousehold = await server.call('POST', `/api/recycle-bin/${householdEntry!.id}/restore`);
    expect(restoredHousehold.body).toMatchObject({ relinked: 1, cleared: [] });
    expect((await getRecord(server, 'client', client._id)).household).toBe(household._id);
    expect(await binEntryOf(household._id)).toBeUndefined();

    await settled(server, ['client']);
    const history = await server.call('GET', `/api/entities/client/records/${client._id}/history`);
    expect(history.body.data.map((e: { type: string }) => e.type).slice(0, 3)).toEqual(['updated', 'restored', 'deleted']);
  });

  it('puts many-to-many links back and clears a relation whose target is gone', async () => {
    const programme = await createRecord(server, 'programme', { name: 'Choir' });
    const household = await createRecord(server, 'household', { name: 'Lindqvist' });
    const client = await createRecord(server, 'client', { name: 'Sven', household: household._id, programmes: [{ id: programme._id, role: 'tenor' }] });
    await del('programme', programme._id);
    expect((await getRecord(server, 'client', client._id)).programmes).toEqual([]);
    await del('client', client._id);
    await del('household', household._id);
    await server.call('DELETE', `/api/recycle-bin/${(await binEntryOf(household._id))!.id}`);

    const restored = await server.call('POST', `/api/recycle-bin/${(await binEntryOf(client._id))!.id}/restore`);
    expect(restored.body.cleared).toEqual([{ entity: 'client', recordId: client._id, field: 'household' }]);
    const relinked = await server.call('POST', `/api/recycle-bin/${(await binEntryOf(programme._id))!.id}/restore`);
    expect(relinked.body.relinked).toBe(1);
    expect((await getRecord(server, 'client', client._id)).programmes).toEqual([expect.objectContaining({ id: programme._id, role: 'tenor' })]);
  });

  it('refuses a restore that would break a unique value, and keeps the entry', async () => {
    const first = await createRecord(server, 'client', { name: 'Bea', email: 'bea@example.org' });
    await del('client', first._id);
    await createRecord(server, 'client', { name: 'Bea again', email: 'bea@example.org' });
    const entry = await binEntryOf(first._id);
    expectProblem(await server.call('POST', `/api/recycle-bin/${entry!.id}/restore`), 409, ['/email']);
    expect(await binEntryOf(first._id)).toBeDefined();
    expect((await server.call('GET', `/api/entities/client/records/${first._id}`)).status).toBe(404);
  });

  it('shows users only what they deleted, and lets only administrators purge', async () => {
    const record = await createRecord(server, 'household', { name: 'Mine' });
    await del('household', record._id);
    const entry = await binEntryOf(record._id);
    const reader = await issueUserToken(server, { roles: [{ name: 'binReader', label: 'Bin reader', entities: { household: { read: true, create: true, scope: 'all' } } }] });
    const asReader = { authorization: `Bearer ${reader}` };
    expect((await server.call('GET', '/api/recycle-bin', undefined, asReader)).body.data).toEqual([]);
    expectProblem(await server.call('GET', `/api/recycle-bin/${entry!.id}`, undefined, asReader), 404);
    expectProblem(await server.call('POST', `/api/recycle-bin/${entry!.id}/restore`, undefined, asReader), 404);
    expectProblem(await server.call('DELETE', `/api/recycle-bin/${entry!.id}`, undefined, asReader), 403);
    expectProblem(await server.call('GET', '/api/recycle-bin/not-an-id'), 404);
    expectProblem(await server.call('GET', '/api/recycle-bin?cursor=zz'), 400);
  });

  it('purges entries older than the retention period, and only those', async () => {
    const old = await createRecord(server, 'household', { name: 'Old' });
    const recent = await createRecord(server, 'household', { name: 'Recent' });
    await del('household', old._id);
    await del('household', recent._id);
    await collection(server, 'recycle_bin').updateOne({ recordId: (await collection(server, 'recycle_bin').findOne({ 'record.name': 'Old' }))!.recordId }, { $set: { deletedAt: new Date(Date.now() - 31 * 86_400_000) } });
    await server.rapport.housekeeping();
    expect(await binEntryOf(old._id)).toBeUndefined();
    expect(await binEntryOf(recent._id)).toBeDefined();
  });
});

describe('archived fields and entities', () => {
  it('archives a deleted field with its values and restores it', async () => {
    const client = await createRecord(server, 'client', { name: 'Cleo', notes: 'prefers mornings' });
    const removed = await server.call('DELETE', '/api/metadata/entities/client/fields/notes');
    expect(removed.status).toBe(200);
    expect((await getRecord(server, 'client', client._id)).notes).toBeUndefined();

    // A new field may not take the archived one's name (its old values would show as the new field's).
    expectProblem(await server.call('POST', '/api/metadata/entities/client/fields', { name: 'notes', type: 'integer' }), 422, ['/fields/4/name']);

    const archived = await server.call('GET', '/api/metadata/archive?entity=client');
    const entry = archived.body.data.find((e: { field?: { name: string } }) => e.field?.name === 'notes');
    expect(entry).toMatchObject({ kind: 'field', entity: 'client', field: { name: 'notes', type: 'longText' } });
    const restored = await server.call('POST', `/api/metadata/archive/${entry.id}/restore`);
    expect(restored.status).toBe(200);
    expect((await getRecord(server, 'client', client._id)).notes).toBe('prefers mornings');
  });

  it('purges an archived field: its values are removed from every record', async () => {
    const client = await createRecord(server, 'client', { name: 'Dev', notes: 'to be purged' });
    await server.call('DELETE', '/api/metadata/entities/client/fields/notes');
    const entry = (await server.call('GET', '/api/metadata/archive?entity=client')).body.data.find((e: { field?: { name: string } }) => e.field?.name === 'notes');
    expect((await server.call('DELETE', `/api/metadata/archive/${entry.id}`)).status).toBe(204);
    expect(await collection(server, 'rec_client').countDocuments({ notes: { $exists: true } })).toBe(0);
    expect((await getRecord(server, 'client', client._id)).name).toBe('Dev');
    // The name is free again.
    expect((await server.call('POST', '/api/metadata/entities/client/fields', { name: 'notes', type: 'integer' })).status).toBe(201);
  });

  it('archives a deleted entity with its records and restores it', async () => {
    await define({ name: 'grant', label: 'Grant', fields: [{ name: 'funder', type: 'text' }] });
    const grant = await createRecord(server, 'grant', { funder: 'Lottery' });
    expect((await server.call('DELETE', '/api/metadata/entities/grant')).status).toBe(204);
    expect((await server.call('GET', `/api/entities/grant/records/${grant._id}`)).status).toBe(404);
    expectProblem(await server.call('POST', '/api/metadata/entities', { name: 'grant', label: 'Grant', fields: [{ name: 'amount', type: 'integer' }] }), 409);

    const entry = (await server.call('GET', '/api/metadata/archive?entity=grant')).body.data.find((e: { kind: string }) => e.kind === 'entity');
    expect((await server.call('POST', `/api/metadata/archive/${entry.id}/restore`)).status).toBe(200);
    expect((await getRecord(server, 'grant', grant._id)).funder).toBe('Lottery');
  });

  it('purges an archived entity when its retention period is over; the name is then free', async () => {
    await define({ name: 'survey', label: 'Survey', fields: [{ name: 'title', type: 'text' }] });
    await createRecord(server, 'survey', { title: 'Winter' });
    await server.call('DELETE', '/api/metadata/entities/survey');
    await collection(server, 'meta_archive').updateOne({ entity: 'survey', kind: 'entity' }, { $set: { archivedAt: new Date(Date.now() - 31 * 86_400_000) } });
    await server.rapport.housekeeping();
    expect(await collection(server, 'rec_survey').countDocuments({})).toBe(0);
    await define({ name: 'survey', label: 'Survey', fields: [{ name: 'title', type: 'integer' }] });
    expect((await server.call('GET', '/api/entities/survey/records')).body.data).toEqual([]);
  });

  it('keeps the archive to administrators', async () => {
    const reader = await issueUserToken(server, { roles: [{ name: 'archiveReader', label: 'Reader', entities: { client: { read: true, scope: 'all' } } }] });
    expectProblem(await server.call('GET', '/api/metadata/archive', undefined, { authorization: `Bearer ${reader}` }), 403);
    expectProblem(await server.call('POST', '/api/metadata/archive/0123456789abcdef01234567/restore'), 404);
  });
});
