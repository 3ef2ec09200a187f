/**
 * Permission matrix, object references (issue 4): a record outside a user's scope answers every
 * endpoint exactly as a record that does not exist (no IDOR, no existence oracle); an entity they
 * cannot read answers exactly as an entity that does not exist; bulk writes give each item the
 * answer a single write would.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, storedRecords, type ApiRecord } from '../support/crm-fixture.ts';
import type { JsonResponse } from '../support/app-server.ts';
import { MATRIX, NO_SUCH_ID, problemShape, useScenario, recordsUrl, type EntityName, type UserKey } from '../support/permission-fixture.ts';

const sc = useScenario();

const url = recordsUrl;
const statuses = (res: JsonResponse) => (res.body.results as Array<{ status: number }>).map((r) => r.status);
const NAME = { name: { first: 'Ida', last: 'Or' } };

/** Every way to reach one record by id. */
const byId: Array<[string, string, (id: string) => string, unknown?]> = [
  ['read', 'GET', (id) => url('serviceuser', `/${id}`)],
  ['patch', 'PATCH', (id) => url('serviceuser', `/${id}`), { department: 'Hijacked' }],
  ['replace', 'PUT', (id) => url('serviceuser', `/${id}`), NAME],
  ['delete', 'DELETE', (id) => url('serviceuser', `/${id}`)],
  ['history', 'GET', (id) => url('serviceuser', `/${id}/history`)],
  ['related', 'GET', (id) => url('serviceuser', `/${id}/related`)],
  ['file download', 'GET', (id) => url('serviceuser', `/${id}/files/consent`)],
];
const idor: Array<[UserKey, string]> = [['cwB', 'S1'], ['cwB', 'S3'], ['cwA', 'S5'], ['lead', 'S2'], ['lead', 'S1'], ['dual', 'S2']];

describe.each(idor)('%s reaching %s by id', (user, key) => {
  it.each(byId)('%s: the same answer as for an id that does not exist, and nothing changes', async (_what, method, path, body) => {
    const stored = await storedRecords(sc.s, 'serviceuser');
    const id = sc.ids[key]!;
    const theirs = await sc.as(user)(method, path(id), body);
    const missing = await sc.as(user)(method, path(NO_SUCH_ID), body);
    expectProblem(theirs, method === 'DELETE' && !MATRIX[user].serviceuser!.ops.delete ? 403 : 404);
    expect(problemShape(theirs, { [id]: 'ID' })).toEqual(problemShape(missing, { [NO_SUCH_ID]: 'ID' }));
    expect(await storedRecords(sc.s, 'serviceuser')).toEqual(stored);
  });
});

describe('file downloads', () => {
  it('serve the consent form to those who can read S1, and 404 to everyone else', async () => {
    for (const user of ['admin', 'cwA', 'cwB', 'lead', 'dual', 'hr', 'none'] as UserKey[]) {
      const res = await sc.raw(user, url('serviceuser', `/${sc.ids.S1}/files/consent`));
      const allowed = MATRIX[user].serviceuser?.records.includes('S1') ?? false;
      expect(res.status, user).toBe(allowed ? 200 : 404);
      if (allowed) expect(res.text).toBe('Consent to share: signed.\n');
    }
  });
});

/** Every endpoint of an entity; `E` stands for the entity name, `ID` for an id. */
const endpoints: Array<[string, string, string, unknown?, Record<string, string>?]> = [
  ['list', 'GET', '/api/entities/E/records'],
  ['query', 'POST', '/api/entities/E/records/query', {}],
  ['count', 'GET', '/api/entities/E/records/count'],
  ['group-by', 'GET', '/api/entities/E/records/group-by?by=department'],
  ['export', 'GET', '/api/entities/E/records/export?format=json'],
  ['create', 'POST', '/api/entities/E/records', NAME],
  ['get', 'GET', '/api/entities/E/records/ID'],
  ['patch', 'PATCH', '/api/entities/E/records/ID', { department: 'x' }],
  ['put', 'PUT', '/api/entities/E/records/ID', NAME],
  ['delete', 'DELETE', '/api/entities/E/records/ID'],
  ['history', 'GET', '/api/entities/E/records/ID/history'],
  ['related', 'GET', '/api/entities/E/records/ID/related'],
  ['metadata', 'GET', '/api/metadata/entities/E'],
];
const bulkEndpoints: Array<[string, string, string, unknown?]> = [
  ['bulk-create', 'POST', '/api/entities/E/records/bulk-create', { records: [NAME] }],
  ['bulk-update', 'POST', '/api/entities/E/records/bulk-update', { records: [{ _id: 'ID', department: 'x' }] }],
  ['bulk-delete', 'POST', '/api/entities/E/records/bulk-delete', { ids: ['ID'] }],
];
const fileEndpoints: Array<[string, string, string, unknown?, Record<string, string>?]> = [
  ['file upload', 'POST', '/api/entities/E/files/consent', 'a consent form', { 'content-type': 'text/plain' }],
  ['file download', 'GET', '/api/entities/E/records/ID/files/consent'],
];
const unreadable: Array<[UserKey, EntityName, string]> = [['hr', 'serviceuser', 'S1'], ['none', 'serviceuser', 'S1'], ['hr', 'casenote', 'N1'], ['cwA', 'staff', 'T1'], ['dual', 'staff', 'T2']];

async function expectAsUnknown(method: string, path: string, body: unknown, headers?: Record<string, string>): Promise<void> {
  for (const [user, entity, key] of unreadable) {
    const id = sc.ids[key]!;
    const fill = (name: string) => (text: string) => text.split('E/').join(`${name}/`).split('/E').join(`/${name}`).split('ID').join(id);
    const payload = typeof body === 'string' ? body : body === undefined ? undefined : JSON.parse(fill(entity)(JSON.stringify(body)));
    const stored = await storedRecords(sc.s, entity);
    const real = await sc.as(user)(method, fill(entity)(path), payload, headers);
    const unknown = await sc.as(user)(method, fill('nosuchentity')(path), payload, headers);
    expect(unknown.status).toBe(404);
    expect(problemShape(real, { [entity]: 'E' }), `${user} ${method} ${entity}`).toEqual(problemShape(unknown, { nosuchentity: 'E' }));
    expect(await storedRecords(sc.s, entity)).toEqual(stored);
  }
}

describe('an entity the user cannot read', () => {
  it.each(endpoints)('%s: answers exactly as an entity that does not exist', async (_what, method, path, body, headers) => {
    await expectAsUnknown(method, path, body, headers);
  });

  it.each(bulkEndpoints)('%s: answers exactly as an entity that does not exist', async (_what, method, path, body) => {
    await expectAsUnknown(method, path, body);
  });

  it.each(fileEndpoints)('%s: answers exactly as an entity that does not exist', async (_what, method, path, body, headers) => {
    await expectAsUnknown(method, path, body, headers);
  });
});

describe('bulk writes', () => {
  it('update: 404 per item outside the scope, exactly as for a missing id; read-only fields refused', async () => {
    const res = await sc.as('cwA')('POST', url('serviceuser', '/bulk-update'), {
      records: [{ _id: sc.ids.S1, department: 'North' }, { _id: sc.ids.S2, department: 'Hijacked' }, { _id: NO_SUCH_ID, department: 'Hijacked' }, { _id: sc.ids.S3, risk: 'high' }, { _id: sc.ids.S3, ssn: 'ssn-bulk' }],
    });
    expect(statuses(res)).toEqual([200, 404, 404, 422, 422]);
    const [, outOfScope, missing, readOnly, hidden] = res.body.results as Array<{ problem: unknown }>;
    expect(JSON.stringify(outOfScope!.problem).split(sc.ids.S2!).join('ID')).toBe(JSON.stringify(missing!.problem).split(NO_SUCH_ID).join('ID'));
    expect(readOnly!.problem).toMatchObject({ errors: [{ pointer: '/records/3/risk', detail: 'is read-only for you' }] });
    expect(hidden!.problem).toMatchObject({ errors: [{ pointer: '/records/4/ssn', detail: 'is not a field of serviceuser' }] });
    expect((await sc.as('admin')('GET', url('serviceuser', `/${sc.ids.S2}`))).body.department).toBe('South');
  });

  it('update: 403 per item the user may read but not change', async () => {
    const res = await sc.as('dual')('POST', url('serviceuser', '/bulk-update'), { records: [{ _id: sc.ids.S6, notes: 'seen' }, { _id: sc.ids.S1, notes: 'changed' }, { _id: sc.ids.S2, notes: 'changed' }] });
    expect(statuses(res)).toEqual([200, 403, 404]);
    const hr = await sc.as('hr')('POST', url('staff', '/bulk-update'), { records: [{ _id: sc.ids.T1, name: 'Hana Hartwell' }, { _id: sc.ids.T2, name: 'Ivan I.' }] });
    expect(statuses(hr)).toEqual([200, 404]);
  });

  it('create: a hidden field per item is refused exactly as an unknown one', async () => {
    const res = await sc.as('cwB')('POST', url('serviceuser', '/bulk-create'), { records: [NAME, { ...NAME, ssn: 'ssn-bulk-1' }, { ...NAME, noSuchField: 'ssn-bulk-1' }, { ...NAME, ownerId: sc.users.cwA.id }] });
    expect(statuses(res)).toEqual([201, 422, 422, 422]);
    const [, hidden, unknown, owner] = res.body.results as Array<{ problem: unknown }>;
    expect(JSON.stringify(hidden!.problem).split('records/1/ssn').join('X')).toBe(JSON.stringify(unknown!.problem).split('records/2/noSuchField').join('X'));
    expect(owner!.problem).toMatchObject({ errors: [{ pointer: '/records/3/ownerId', detail: 'is set by the server' }] });
    expect((res.body.results[0].record as ApiRecord).ownerId).toBe(sc.users.cwB.id);
  });

  it('without the permission the whole request is 403 and nothing is written', async () => {
    const stored = await storedRecords(sc.s, 'serviceuser');
    expectProblem(await sc.as('cwA')('POST', url('serviceuser', '/bulk-delete'), { ids: [sc.ids.S1, NO_SUCH_ID] }), 403);
    expectProblem(await sc.as('dual')('POST', url('serviceuser', '/bulk-delete'), { ids: [sc.ids.S6] }), 403);
    expectProblem(await sc.as('lead')('POST', url('staff', '/bulk-update'), { records: [{ _id: sc.ids.T1, name: 'Changed' }] }), 403);
    expectProblem(await sc.as('hr')('POST', url('staff', '/bulk-create'), { records: [{ name: 'New hire' }] }), 403);
    expectProblem(await sc.as('cwA')('POST', url('casenote', '/bulk-update'), { records: [{ _id: sc.ids.N1, body: 'x' }] }), 403);
    expect(await storedRecords(sc.s, 'serviceuser')).toEqual(stored);
  });

  it('delete: 404 per item outside the scope, exactly as for a missing id', async () => {
    const own = await sc.as('lead')('POST', url('serviceuser'), NAME);
    const res = await sc.as('lead')('POST', url('serviceuser', '/bulk-delete'), { ids: [own.body._id, sc.ids.S2, NO_SUCH_ID] });
    expect(statuses(res)).toEqual([204, 404, 404]);
    expect((await sc.as('admin')('GET', url('serviceuser', `/${sc.ids.S2}`))).status).toBe(200);
  });
});
