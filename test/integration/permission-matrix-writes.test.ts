/**
 * Permission matrix, writes (issue 4): create, patch, put and delete follow the object
 * permissions and the edit scope; system fields cannot be mass-assigned; a hidden field is
 * refused exactly as an unknown one and a read-only one as read-only; PUT leaves what the user
 * cannot see or change as it was; a relation cannot point at a record the user cannot read.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, storedRecords } from '../support/crm-fixture.ts';
import {
  apiKeys, ENTITY_NAMES, MATRIX, NO_SUCH_ID, problemShape, seedsOf, useScenario, MATRIX_CASES, recordsUrl, USER_KEYS,
  type EntityName, type UserKey,
} from '../support/permission-fixture.ts';

const sc = useScenario();

const url = recordsUrl;
const cases = MATRIX_CASES;
const SYSTEM = ['_id', '_version', 'ownerId', 'createdBy', 'createdAt', 'updatedAt', 'updatedBy'];

/** A valid new record of `entity` for `user`, inside their scope where the scope allows it. */
function newRecord(user: UserKey, entity: EntityName, n: string): Record<string, unknown> {
  if (entity === 'serviceuser') return { name: { first: 'New', last: `Person${n}` }, caseworker: sc.users[user].id, department: 'West' };
  if (entity === 'casenote') return { subject: `Note ${n}` };
  return { name: `Staff ${n}`, department: 'HR' };
}
/** A field every user who may update `entity` may edit, for no-op patches. */
const EDITABLE: Record<EntityName, string> = { serviceuser: 'department', casenote: 'body', staff: 'department' };

async function adminGet(entity: EntityName, id: string) {
  return (await sc.as('admin')('GET', url(entity, `/${id}`))).body as Record<string, unknown>;
}

describe.each(cases)('%s writing %s', (user, entity) => {
  const v = MATRIX[user][entity];

  it('creates only with create permission, and answers with the visible fields only', async () => {
    const before = (await storedRecords(sc.s, entity)).length;
    const res = await sc.as(user)('POST', url(entity), newRecord(user, entity, `${user}c`));
    if (!v || !v.ops.create) {
      expectProblem(res, v ? 403 : 404);
      expect((await storedRecords(sc.s, entity)).length).toBe(before);
      return;
    }
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(apiKeys(entity, v));
    expect(res.body).toMatchObject({ ownerId: sc.users[user].id, createdBy: sc.users[user].id, _version: 1 });
  });

  it('patches a record only with update permission and inside the edit scope', async () => {
    const field = EDITABLE[entity];
    const missing = await sc.as(user)('PATCH', url(entity, `/${NO_SUCH_ID}`), { [field]: 'x' });
    for (const seed of seedsOf(entity)) {
      const id = sc.ids[seed.key]!;
      const current = (await adminGet(entity, id))[field] ?? null;
      const res = await sc.as(user)('PATCH', url(entity, `/${id}`), { [field]: current });
      if (!v) expectProblem(res, 404);
      else if (!v.ops.update) expectProblem(res, 403);
      else if (!v.records.includes(seed.key)) expect(problemShape(res, { [id]: 'ID' }), seed.key).toEqual(problemShape(missing, { [NO_SUCH_ID]: 'ID' }));
      else if (!v.editable.includes(seed.key)) expect(expectProblem(res, 403).detail).toMatch(/may read this .* but not change it/);
      else expect(res.status, `${seed.key}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });

  it('deletes nothing it may not: 403 without permission, 404 outside the scope', async () => {
    const before = (await storedRecords(sc.s, entity)).length;
    for (const seed of seedsOf(entity)) {
      // Allowed deletes are checked on records made for the purpose.
      if (v?.ops.delete && v.editable.includes(seed.key)) continue;
      const res = await sc.as(user)('DELETE', url(entity, `/${sc.ids[seed.key]}`));
      if (!v) expectProblem(res, 404);
      else if (!v.ops.delete) expectProblem(res, 403);
      else if (!v.records.includes(seed.key)) expectProblem(res, 404);
      else expectProblem(res, 403);
    }
    expect((await storedRecords(sc.s, entity)).length).toBe(before);
  });

  it('refuses every system field in POST, PATCH and PUT (422) and writes nothing', async () => {
    if (!v?.ops.create || !v.ops.update) return;
    const own = await sc.as(user)('POST', url(entity), newRecord(user, entity, `${user}m`));
    expect(own.status).toBe(201);
    const stored = await storedRecords(sc.s, entity);
    for (const key of SYSTEM) {
      const value = key === '_version' ? 99 : key.endsWith('At') ? '2020-01-01T00:00:00.000Z' : sc.users.admin.id;
      const bad = { ...newRecord(user, entity, `${user}m`), [key]: key === '_id' ? NO_SUCH_ID : value };
      for (const [method, path] of [['POST', url(entity)], ['PATCH', url(entity, `/${own.body._id}`)], ['PUT', url(entity, `/${own.body._id}`)]]) {
        const res = await sc.as(user)(method!, path!, bad);
        expectProblem(res, 422);
        expect(res.body.errors, `${method} ${key}`).toContainEqual({ pointer: `/${key}`, detail: 'is set by the server' });
      }
    }
    expect(await storedRecords(sc.s, entity)).toEqual(stored);
  });
});

const hiddenCases = USER_KEYS.flatMap((user) =>
  ENTITY_NAMES.flatMap((entity) => (MATRIX[user][entity]?.ops.update ? MATRIX[user][entity]!.hidden : []).map((field) => [user, entity, field] as [UserKey, EntityName, string])),
);

describe.each(hiddenCases)('%s writing hidden %s.%s', (user, entity, field) => {
  const target = () => sc.ids[MATRIX[user][entity]!.editable[0]!]!;

  it('is refused in POST, PATCH and PUT exactly as an unknown field, and nothing is written', async () => {
    const stored = await storedRecords(sc.s, entity);
    for (const [method, path] of [['POST', url(entity)], ['PATCH', url(entity, `/${target()}`)], ['PUT', url(entity, `/${target()}`)]] as const) {
      const body = newRecord(user, entity, 'h');
      const hidden = await sc.as(user)(method, path, { ...body, [field]: 'ssn-mass-assigned' });
      const unknown = await sc.as(user)(method, path, { ...body, noSuchField: 'ssn-mass-assigned' });
      expectProblem(unknown, 422, ['/noSuchField']);
      expect(problemShape(hidden, { [field]: 'F' }), method).toEqual(problemShape(unknown, { noSuchField: 'F' }));
    }
    expect(await storedRecords(sc.s, entity)).toEqual(stored);
  });

  it('is refused exactly as an unknown field even when the body has other problems too', async () => {
    const body = { ...newRecord(user, entity, 'h2'), department: 'x'.repeat(41) };
    const hidden = await sc.as(user)('POST', url(entity), { ...body, [field]: 'ssn-mass-assigned' });
    const unknown = await sc.as(user)('POST', url(entity), { ...body, noSuchField: 'ssn-mass-assigned' });
    expect(unknown.body.errors).toHaveLength(2);
    expect(problemShape(hidden, { [field]: 'F' })).toEqual(problemShape(unknown, { noSuchField: 'F' }));
  });
});

const readOnlyCases = USER_KEYS.flatMap((user) =>
  ENTITY_NAMES.flatMap((entity) => (MATRIX[user][entity]?.ops.update ? MATRIX[user][entity]!.readOnly : []).map((field) => [user, entity, field] as [UserKey, EntityName, string])),
);

describe.each(readOnlyCases)('%s writing read-only %s.%s', (user, entity, field) => {
  it('is 422 "is read-only for you" in POST, PATCH and PUT, even with the current value', async () => {
    const key = MATRIX[user][entity]!.editable[0]!;
    const id = sc.ids[key]!;
    const current = (await adminGet(entity, id))[field];
    const value = field === 'risk' ? 'high' : field === 'salary' ? { amount: '1.00', currency: 'USD' } : 'ssn-read-only';
    const stored = await storedRecords(sc.s, entity);
    const attempts: Array<[string, string, unknown]> = [['PATCH', url(entity, `/${id}`), value], ['PATCH', url(entity, `/${id}`), current], ['PUT', url(entity, `/${id}`), value]];
    if (MATRIX[user][entity]!.ops.create) attempts.push(['POST', url(entity), value]);
    for (const [method, path, v] of attempts) {
      const res = await sc.as(user)(method, path, { ...newRecord(user, entity, 'ro'), [field]: v });
      expectProblem(res, 422);
      expect(res.body.errors, `${method} ${JSON.stringify(v)}`).toEqual([{ pointer: `/${field}`, detail: 'is read-only for you' }]);
    }
    expect(await storedRecords(sc.s, entity)).toEqual(stored);
  });
});

describe('PUT by a user who cannot see or change some fields', () => {
  it('replaces what they can edit and leaves hidden and read-only fields as stored', async () => {
    const made = await sc.as('admin')('POST', url('serviceuser'), { name: { first: 'Put', last: 'Target' }, caseworker: sc.users.cwA.id, risk: 'high', ssn: 'ssn-put-kept9', notes: 'cleared by PUT', department: 'North' });
    const put = await sc.as('cwA')('PUT', url('serviceuser', `/${made.body._id}`), { name: { first: 'Put', last: 'Replaced' }, caseworker: sc.users.cwA.id });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain('ssn-put-kept9');
    expect(put.body).not.toHaveProperty('ssn');
    expect(put.body).toMatchObject({ risk: 'high', notes: null, department: null, name: { last: 'Replaced' } });
    expect(await adminGet('serviceuser', made.body._id)).toMatchObject({ ssn: 'ssn-put-kept9', risk: 'high', notes: null, department: null });
    // The same for HR on staff: salary is read-only to them.
    const staff = await sc.as('admin')('POST', url('staff'), { name: 'Kim Kettle', department: 'HR', salary: { amount: '40000.00', currency: 'USD' } });
    expect((await sc.as('hr')('PUT', url('staff', `/${staff.body._id}`), { name: 'Kim Kettle-Jones', department: 'HR' })).status).toBe(200);
    expect(await adminGet('staff', staff.body._id)).toMatchObject({ name: 'Kim Kettle-Jones', salary: { amount: '40000.00', currency: 'USD' } });
  });
});

describe('deleting', () => {
  it('a team lead deletes a record of their team; it is gone for everyone', async () => {
    const made = await sc.as('cwA')('POST', url('serviceuser'), { name: { first: 'Del', last: 'Ete' } });
    expect((await sc.as('cwA')('DELETE', url('serviceuser', `/${made.body._id}`))).status).toBe(403);
    expect((await sc.as('lead')('DELETE', url('serviceuser', `/${made.body._id}`))).status).toBe(204);
    expect((await sc.as('admin')('GET', url('serviceuser', `/${made.body._id}`))).status).toBe(404);
  });
});

describe('deleting a record other records still point at', () => {
  it('is refused without counting the records the user cannot read', async () => {
    const stored = await storedRecords(sc.s, 'serviceuser');
    const res = await sc.as('lead')('DELETE', url('serviceuser', `/${sc.ids.S5}`));
    expectProblem(res, 409);
    expect(await storedRecords(sc.s, 'serviceuser')).toEqual(stored);
    expect(res.body.detail).not.toMatch(/\b1 casenote/);
  });
});

describe('linking to a record the user cannot read', () => {
  const cases: Array<[UserKey, string, string]> = [['cwA', 'S2', 'S1'], ['cwB', 'S1', 'S5'], ['lead', 'S1', 'S4'], ['dual', 'S2', 'S7']];

  it.each(cases)('%s linking a case note to %s: 422 exactly as a record that does not exist', async (user, hiddenKey, visibleKey) => {
    const stored = await storedRecords(sc.s, 'casenote');
    const hidden = await sc.as(user)('POST', url('casenote'), { subject: 'Link attempt', serviceUser: sc.ids[hiddenKey] });
    const missing = await sc.as(user)('POST', url('casenote'), { subject: 'Link attempt', serviceUser: NO_SUCH_ID });
    expectProblem(missing, 422, ['/serviceUser']);
    expect(problemShape(hidden, { [sc.ids[hiddenKey]!]: 'ID' })).toEqual(problemShape(missing, { [NO_SUCH_ID]: 'ID' }));
    const bulk = async (id: string) => (await sc.as(user)('POST', url('casenote', '/bulk-create'), { records: [{ subject: 'Bulk link', serviceUser: id }] })).body;
    const [bulkHidden, bulkMissing] = [await bulk(sc.ids[hiddenKey]!), await bulk(NO_SUCH_ID)];
    expect(bulkMissing.results[0]).toMatchObject({ status: 422 });
    expect(JSON.stringify(bulkHidden).split(sc.ids[hiddenKey]!).join('ID')).toBe(JSON.stringify(bulkMissing).split(NO_SUCH_ID).join('ID'));
    expect(await storedRecords(sc.s, 'casenote')).toEqual(stored);
    expect((await sc.as(user)('POST', url('casenote'), { subject: 'Linked', serviceUser: sc.ids[visibleKey] })).status).toBe(201);
  });
});
