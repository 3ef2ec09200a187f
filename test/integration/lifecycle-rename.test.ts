/**
 * Issue 5, "rename a field or an entity's labels: data follows, no downtime": values, references
 * in the definitions, history, recycle bin copies and role permissions follow a field rename.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, settled } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';

let server: AppServer;
const define = (d: Record<string, unknown>) => defineEntity(server, { pluralLabel: `${String(d.label)}s`, ...d });
const rename = (entity: string, field: string, body: unknown, headers?: Record<string, string>) => server.call('POST', `/api/metadata/entities/${entity}/fields/${field}/rename`, body, headers);
const definition = async (entity: string) => (await server.call('GET', `/api/metadata/entities/${entity}`)).body;

beforeAll(async () => {
  server = await startAppServer();
  await define({ name: 'household', label: 'Household', fields: [{ name: 'name', type: 'text' }] });
  await define({
    name: 'person', label: 'Person', titleField: 'surname', searchFields: ['surname'],
    indexes: [{ fields: [{ field: 'surname', direction: 'asc' }] }],
    fields: [
      { name: 'surname', type: 'text', required: true },
      { name: 'postcode', type: 'text' },
      { name: 'niNumber', type: 'text', unique: true },
      { name: 'dependants', type: 'integer' },
      { name: 'household', type: 'relation', target: 'household', onDelete: 'setNull' },
      { name: 'consent', type: 'boolean' },
      { name: 'consentNote', type: 'text', requiredWhen: { field: 'consent', op: 'eq', value: false } },
      { name: 'label', type: 'formula', expression: 'surname & " (" & postcode & ")"', resultType: 'text' },
    ],
  });
  // The household's rollup summarises person, defined after it.
  const withRollup = await server.call('PUT', '/api/metadata/entities/household', { name: 'household', label: 'Household', pluralLabel: 'Households', fields: [{ name: 'name', type: 'text' }, { name: 'members', type: 'rollup', entity: 'person', relationField: 'household', function: 'sum', field: 'dependants', filter: { field: 'niNumber', op: 'isSet' } }] });
  expect(withRollup.status, JSON.stringify(withRollup.body)).toBe(200);
});
afterAll(() => server?.stop());

describe('renaming a field', () => {
  it('moves the values, the references, the history and the recycle bin copies to the new name', async () => {
    const household = await createRecord(server, 'household', { name: 'Hill' });
    const kept = await createRecord(server, 'person', { surname: 'Hill', niNumber: 'QQ123456C', dependants: 2, household: household._id });
    await server.call('PATCH', `/api/entities/person/records/${kept._id}`, { niNumber: 'QQ123456D' });
    const binned = await createRecord(server, 'person', { surname: 'Gone', niNumber: 'QQ999999A' });
    // Records created many at a time share one audit document for the batch (audit/audit-batches.ts).
    const bulk = await server.call('POST', '/api/entities/person/records/bulk-create', { records: [{ surname: 'Bulk', niNumber: 'QQ111111B' }, { surname: 'Bulk', niNumber: 'QQ222222B' }] });
    expect(bulk.status, JSON.stringify(bulk.body)).toBe(200);
    await server.call('DELETE', `/api/entities/person/records/${binned._id}`);
    await settled(server, ['person']);

    const res = await rename('person', 'niNumber', { name: 'nationalInsurance' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const record = await getRecord(server, 'person', kept._id);
    expect(record.nationalInsurance).toBe('QQ123456D');
    expect(record).not.toHaveProperty('niNumber');
    expect(await collection(server, 'rec_person').countDocuments({ niNumber: { $exists: true } })).toBe(0);

    // Unique still enforced, under the new name.
    expectProblem(await server.call('POST', '/api/entities/person/records', { surname: 'Dup', nationalInsurance: 'QQ123456D' }), 409, ['/nationalInsurance']);
    // The rollup of another entity follows (its filter named the field).
    const members = (await definition('household')).fields.find((f: { name: string }) => f.name === 'members');
    expect(members.filter).toEqual({ field: 'nationalInsurance', op: 'isSet' });
    expect((await getRecord(server, 'household', household._id)).members).toBe(2);
    // History shows the change under the new name.
    const history = await server.call('GET', `/api/entities/person/records/${kept._id}/history`);
    expect(history.body.data[0].changes).toEqual([{ field: 'nationalInsurance', before: 'QQ123456C', after: 'QQ123456D' }]);
    // The created entry too (stored as values by field name), its changes still in the entity's field order.
    const created = history.body.data.find((e: { type: string }) => e.type === 'created');
    expect(created.changes).toContainEqual({ field: 'nationalInsurance', before: null, after: 'QQ123456C' });
    const fields = (await definition('person')).fields.map((f: { name: string }) => f.name);
    expect(created.changes.map((c: { field: string }) => c.field)).toEqual(fields.filter((f: string) => created.changes.some((c: { field: string }) => c.field === f)));
    expect(created.changes.map((c: { field: string }) => c.field)).not.toContain('niNumber');
    const bulkId = bulk.body.results[1].record._id;
    const bulkHistory = (await server.call('GET', `/api/entities/person/records/${bulkId}/history`)).body.data;
    expect(bulkHistory).toHaveLength(1);
    expect(bulkHistory[0].changes).toContainEqual({ field: 'nationalInsurance', before: null, after: 'QQ222222B' });
    expect(bulkHistory[0].changes.map((c: { field: string }) => c.field)).not.toContain('niNumber');
    // A restored record comes back with its value under the new name.
    const entry = (await server.call('GET', '/api/recycle-bin?entity=person')).body.data.find((e: { recordId: string }) => e.recordId === binned._id);
    await server.call('POST', `/api/recycle-bin/${entry.id}/restore`);
    expect((await getRecord(server, 'person', binned._id)).nationalInsurance).toBe('QQ999999A');
  });

  it('carries title, search fields, indexes and required-when conditions along', async () => {
    expect((await rename('person', 'consent', { name: 'hasConsent' })).status).toBe(200);
    expect((await definition('person')).fields.find((f: { name: string }) => f.name === 'consentNote').requiredWhen).toEqual({ field: 'hasConsent', op: 'eq', value: false });
    expectProblem(await server.call('POST', '/api/entities/person/records', { surname: 'X', hasConsent: false }), 422, ['/consentNote']);
  });

  it('refuses while a formula reads the field, naming the formula', async () => {
    const refused = expectProblem(await rename('person', 'postcode', { name: 'postCode' }), 409);
    expect(refused.detail).toContain('person.label');
    expect((await definition('person')).fields.some((f: { name: string }) => f.name === 'postcode')).toBe(true);
    // Nothing was left behind, and the field is writable again.
    expect(await collection(server, 'rec_person').countDocuments({ postCode: { $exists: true } })).toBe(0);
    const p = await createRecord(server, 'person', { surname: 'After', postcode: 'AB1 2CD' });
    expect(p.postcode).toBe('AB1 2CD');
  });

  it('keeps a hidden field hidden, and sharing rules working, under the new name', async () => {
    await define({ name: 'staff', label: 'Staff', fields: [{ name: 'name', type: 'text' }, { name: 'salary', type: 'integer' }, { name: 'team', type: 'text' }] });
    const visible = await createRecord(server, 'staff', { name: 'Ann', salary: 50_000, team: 'north' });
    await createRecord(server, 'staff', { name: 'Bob', salary: 60_000, team: 'south' });
    const token = await issueUserToken(server, {
      roles: [{ name: 'northViewer', label: 'North viewer', entities: { staff: { read: true, scope: 'none', fields: { salary: 'hidden' }, sharing: [{ filter: { field: 'team', op: 'eq', value: 'north' } }] } } }],
    });
    const as = { authorization: `Bearer ${token}` };
    expect((await rename('staff', 'salary', { name: 'pay' })).status).toBe(200);
    expect((await rename('staff', 'team', { name: 'region' })).status).toBe(200);
    const seen = await server.call('GET', '/api/entities/staff/records', undefined, as);
    expect(seen.body.data.map((r: { _id: string }) => r._id)).toEqual([visible._id]);
    expect(seen.body.data[0]).not.toHaveProperty('pay');
    expect(seen.body.data[0].region).toBe('north');
    const role = (await server.call('GET', '/api/roles/northViewer')).body;
    expect(role.entities.staff.fields).toEqual({ pay: 'hidden' });
    expect(role.entities.staff.sharing[0].filter).toEqual({ field: 'region', op: 'eq', value: 'north' });
  });

  it('takes duplicate rules along: they name the new field and still match', async () => {
    await define({ name: 'donor', label: 'Donor', fields: [{ name: 'name', type: 'text' }, { name: 'email', type: 'email' }] });
    expect((await server.call('PUT', '/api/entities/donor/duplicate-rules/byEmail', { fields: [{ field: 'email', match: 'normalised' }], action: 'block' })).status).toBe(201);
    await createRecord(server, 'donor', { name: 'Ann', email: 'ann@give.example' });
    expect((await rename('donor', 'email', { name: 'mail' })).status).toBe(200);
    expect((await server.call('GET', '/api/entities/donor/duplicate-rules/byEmail')).body.fields).toEqual([{ field: 'mail', match: 'normalised' }]);
    expectProblem(await server.call('POST', '/api/entities/donor/records', { name: 'Ann again', mail: 'ANN@give.example' }), 409, ['/mail']);
  });

  it('answers bad requests with problems that name the part at fault', async () => {
    expectProblem(await rename('person', 'dependants', {}), 400, ['/name']);
    expectProblem(await rename('person', 'dependants', { name: 'xY', also: 1 }), 400, ['/also']);
    expectProblem(await rename('person', 'dependants', { name: 'surname' }), 400, ['/name']);
    expectProblem(await rename('person', 'dependants', { name: 'Bad Name' }), 422, ['/name']);
    expectProblem(await rename('person', 'dependants', { name: '_id' }), 422, ['/name']);
    expectProblem(await rename('person', 'nope', { name: 'yes' }), 404);
    const token = await issueUserToken(server, { roles: [{ name: 'personReader', label: 'Reader', entities: { person: { read: true, scope: 'all' } } }] });
    expectProblem(await rename('person', 'dependants', { name: 'children' }, { authorization: `Bearer ${token}` }), 403);
    // None of the refusals left the field locked.
    expect((await server.call('PATCH', `/api/entities/person/records/${(await createRecord(server, 'person', { surname: 'Z' }))._id}`, { dependants: 1 })).status).toBe(200);
  });
});

describe('renaming an entity\'s labels', () => {
  it('changes what people read, never the records', async () => {
    const before = await createRecord(server, 'household', { name: 'Label test' });
    const def = await definition('household');
    const res = await server.call('PUT', '/api/metadata/entities/household', { ...def, label: 'Family', pluralLabel: 'Families', version: undefined, metadataVersion: undefined, updatedAt: undefined });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await definition('household')).pluralLabel).toBe('Families');
    expect((await getRecord(server, 'household', before._id)).name).toBe('Label test');
  });
});
