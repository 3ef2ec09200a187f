/**
 * Duplicate rules over HTTP (issue 5): rules are validated with pointers, checked on create and
 * on update (warn lets the write through, block refuses it with duplicate-record), exact and
 * normalised matching per field type, lookups of a record's duplicates and the scan of duplicate
 * sets, all within the caller's read scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { issueToken, startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, storedRecords } from '../support/crm-fixture.ts';
import { addUser, emailOf, passwordOf } from '../support/permission-fixture.ts';
import { createMetadataRegistry, createMetadataStore } from '../../server/metadata/index.ts';
import { createDuplicateGuard } from '../../server/duplicates/index.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { SYSTEM_ACTOR } from '../../server/shared/actor.ts';
import type { DuplicateBatch } from '../../server/records/duplicate-guard.ts';

let server: AppServer;
let sam: Record<string, string>;

const rules = (entity: string, name = '') => `/api/entities/${entity}/duplicate-rules${name ? `/${name}` : ''}`;
const records = (entity: string, rest = '') => `/api/entities/${entity}/records${rest}`;
const putRule = async (entity: string, name: string, rule: Record<string, unknown>) => {
  const res = await server.call('PUT', rules(entity, name), rule);
  if (res.status !== 201 && res.status !== 200) throw new Error(`rule ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};
const person = (first: string, last: string, extra: Record<string, unknown> = {}) => ({ name: { first, last }, ...extra });

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, {
    name: 'person', label: 'Person', pluralLabel: 'People', titleField: 'name',
    fields: [
      { name: 'name', type: 'fullName', required: true },
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'phone', defaultCountry: 'GB' },
      { name: 'postcode', type: 'text', maxLength: 20 },
      { name: 'home', type: 'address' },
      { name: 'notes', type: 'text' },
      { name: 'vip', type: 'boolean' },
    ],
  });
  await defineEntity(server, { name: 'lead', label: 'Lead', pluralLabel: 'Leads', titleField: 'company', fields: [{ name: 'company', type: 'text' }, { name: 'email', type: 'email' }] });
  const role = await server.call('PUT', '/api/roles/seller', { name: 'seller', label: 'Seller', entities: { lead: { read: true, create: true, update: true, scope: 'own' } } });
  expect(role.status).toBe(200);
  await addUser(server, 'sam', { roles: ['seller'] });
  const token = await issueToken(server.call, { email: emailOf('sam' as never), password: passwordOf('sam' as never) });
  sam = { authorization: `Bearer ${token}` };
});

afterAll(async () => {
  await server?.stop();
});

describe('managing rules', () => {
  it('refuses a rule with unknown or unsuitable fields, every problem at its pointer, storing nothing', async () => {
    const res = await server.call('PUT', rules('person', 'bad'), { fields: [{ field: 'nope' }, { field: 'vip' }, { field: 'email', match: 'fuzzy' }, { field: 'home.zip' }, { field: 'email' }], action: 'stop', extra: 1 });
    const problem = expectProblem(res, 422, ['/fields/2/match', '/action', '/extra']);
    expect(problem.type).toMatch(/invalid-duplicate-rule$/);
    const semantic = expectProblem(await server.call('PUT', rules('person', 'bad'), { fields: [{ field: 'nope' }, { field: 'vip' }, { field: 'home.zip' }, { field: 'email' }, { field: 'email' }] }), 422, ['/fields/0/field', '/fields/1/field', '/fields/2/field', '/fields/4/field']);
    expect(semantic.errors!.find((e) => e.pointer === '/fields/0/field')!.detail).toBe('is not a field of person');
    expectProblem(await server.call('PUT', rules('person', 'Bad-Name'), { fields: [{ field: 'email' }] }), 422, ['/name']);
    expectProblem(await server.call('PUT', rules('person', 'other'), { name: 'different', fields: [{ field: 'email' }] }), 422, ['/name']);
    expectProblem(await server.call('PUT', rules('person', 'empty'), { fields: [] }), 422, ['/fields']);
    expectProblem(await server.call('PUT', rules('person', 'notobject'), [1, 2]), 422, ['/']);
    expectProblem(await server.call('PUT', rules('ghost', 'byEmail'), { fields: [{ field: 'email' }] }), 404);
    expect((await server.call('GET', rules('person'))).body.data).toEqual([]);
  });

  it('is for administrators; reading rules is for whoever reads the entity', async () => {
    expectProblem(await server.call('PUT', rules('lead', 'byEmail'), { fields: [{ field: 'email' }] }, sam), 403);
    await putRule('lead', 'byEmail', { fields: [{ field: 'email' }], action: 'block' });
    const read = await server.call('GET', rules('lead', 'byEmail'), undefined, sam);
    expect(read.body).toMatchObject({ name: 'byEmail', fields: [{ field: 'email', match: 'normalised' }], action: 'block', active: true });
    expectProblem(await server.call('DELETE', rules('lead', 'byEmail'), undefined, sam), 403);
    expectProblem(await server.call('GET', rules('person'), undefined, sam), 404);
  });

  it('creates (201), replaces (200), lists and deletes (204) a rule, dropping its keys and index', async () => {
    const created = await server.call('PUT', rules('person', 'temp'), { label: 'Temporary', fields: [{ field: 'notes', match: 'exact' }] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'temp', label: 'Temporary', action: 'warn', active: true, keyedRecords: 0 });
    const again = await server.call('PUT', rules('person', 'temp'), { label: 'Temporary', fields: [{ field: 'notes', match: 'exact' }], active: false });
    expect(again.status).toBe(200);
    expect(again.body.keyedRecords).toBeUndefined();
    expect((await server.call('GET', rules('person'))).body.data.map((r: { name: string }) => r.name)).toContain('temp');
    const note = await createRecord(server, 'person', person('Nora', 'Note', { notes: 'x' }));
    expect((await collection(server, 'rec_person').findOne({ _id: new ObjectId(note._id) }))!._dupkeys).toHaveProperty('temp');
    expect((await server.call('DELETE', rules('person', 'temp'))).status).toBe(204);
    expectProblem(await server.call('GET', rules('person', 'temp')), 404);
    expect((await collection(server, 'rec_person').findOne({ _id: new ObjectId(note._id) }))!._dupkeys ?? {}).not.toHaveProperty('temp');
    expect((await collection(server, 'rec_person').listIndexes().toArray()).map((i) => i.name)).not.toContain('dup_temp');
    await server.call('DELETE', records('person', `/${note._id}`));
  });
});

describe('checks on create and update', () => {
  beforeAll(async () => {
    await putRule('person', 'byEmail', { label: 'Same e-mail', fields: [{ field: 'email' }], action: 'block' });
    await putRule('person', 'byPhone', { fields: [{ field: 'phone' }], action: 'warn' });
    await putRule('person', 'namePostcode', { fields: [{ field: 'name' }, { field: 'postcode' }], action: 'block' });
    await putRule('person', 'exactName', { fields: [{ field: 'name', match: 'exact' }, { field: 'home.postalCode', match: 'exact' }], action: 'block', active: true });
  });

  it('blocks an e-mail written in another case with 409 duplicate-record naming the match at /email', async () => {
    const ann = await createRecord(server, 'person', person('Ann', 'Archer', { email: 'ann@example.org' }));
    const before = await storedRecords(server, 'person');
    const problem = expectProblem(await server.call('POST', records('person'), person('Annie', 'Archer', { email: 'ANN@Example.ORG' })), 409, ['/email']);
    expect(problem.type).toBe('https://rapport.dev/problems/duplicate-record');
    expect(problem.detail).toContain('Same e-mail');
    expect(problem.errors!.find((e) => e.pointer === '/email')!.detail).toContain(ann._id);
    expect(await storedRecords(server, 'person')).toEqual(before);
  });

  it('warns on a phone number written another way: the record is saved, and its duplicates are listed', async () => {
    const first = await createRecord(server, 'person', person('Phil', 'Phone', { phone: '+44 20 7183 8750' }));
    const second = await server.call('POST', records('person'), person('Philip', 'Phone', { phone: '020 7183 8750' }));
    expect(second.status).toBe(201);
    // The answer to the save itself says what it looks like.
    expect(second.body._duplicates).toEqual([{ rule: 'byPhone', fields: ['phone'], ids: [first._id], unseen: 0 }]);
    expect(first).not.toHaveProperty('_duplicates');
    const listed = await server.call('GET', records('person', `/${second.body._id}/duplicates`));
    expect(listed.body.data).toEqual([{ rule: 'byPhone', action: 'warn', records: [{ _id: first._id, title: 'Phil Phone' }], unseen: 0 }]);
    const checked = await server.call('POST', '/api/entities/person/duplicates/check', { phone: '(020) 7183-8750' });
    expect(checked.body.data[0].records.map((r: { _id: string }) => r._id).sort()).toEqual([first._id, second.body._id].sort());
    expectProblem(await server.call('POST', '/api/entities/person/duplicates/check', { nope: 1 }), 422, ['/nope']);
  });

  it('matches name + postcode across accents, case and spaces, but an exact rule does not', async () => {
    const jose = await createRecord(server, 'person', person('José', 'García', { postcode: 'SW1A 1AA', home: { postalCode: 'SW1A 1AA' } }));
    const problem = expectProblem(await server.call('POST', records('person'), person('jose', 'GARCIA', { postcode: 'sw1a1aa', home: { postalCode: 'sw1a1aa' } })), 409, ['/name', '/postcode']);
    expect(problem.errors!.map((e) => e.pointer)).not.toContain('/home/postalCode');
    expect(problem.errors![0]!.detail).toContain(jose._id);
    // Another postcode is another person; the exact rule still matches the very same values.
    expect((await server.call('POST', records('person'), person('José', 'García', { postcode: 'SW1A 2AA' }))).status).toBe(201);
    expectProblem(await server.call('POST', records('person'), person('José', 'García', { home: { postalCode: 'SW1A 1AA' } })), 409, ['/name', '/home/postalCode']);
  });

  it('checks an update only when it changes a rule field, and blocks or warns like a create', async () => {
    const a = await createRecord(server, 'person', person('Uma', 'Update', { email: 'uma@example.org', phone: '+33 1 42 68 53 00' }));
    const b = await createRecord(server, 'person', person('Ulla', 'Update', { email: 'ulla@example.org' }));
    const before = await storedRecords(server, 'person');
    expectProblem(await server.call('PATCH', records('person', `/${b._id}`), { email: 'UMA@example.org' }), 409, ['/email']);
    expect(await storedRecords(server, 'person')).toEqual(before);
    expect((await server.call('PATCH', records('person', `/${b._id}`), { phone: '+33142685300' })).status).toBe(200);
    // b now shares a's phone (warn): changing another field is not checked again.
    expect((await server.call('PATCH', records('person', `/${b._id}`), { notes: 'met at the fair' })).status).toBe(200);
    const bulk = await server.call('POST', records('person', '/bulk-update'), { records: [{ _id: b._id, email: 'uma@example.org' }] });
    expect(bulk.body.results[0]).toMatchObject({ status: 409, problem: { errors: [{ pointer: '/records/0/email' }] } });
    expect((await server.call('GET', records('person', `/${a._id}/duplicates`))).body.data[0]).toMatchObject({ rule: 'byPhone', records: [{ _id: b._id }] });
  });

  it('checks nothing for an inactive rule or a record with a blank rule field', async () => {
    await putRule('person', 'byEmail', { fields: [{ field: 'email' }], action: 'block', active: false });
    expect((await server.call('POST', records('person'), person('Ann', 'Again', { email: 'ann@example.org' }))).status).toBe(201);
    await putRule('person', 'byEmail', { label: 'Same e-mail', fields: [{ field: 'email' }], action: 'block' });
    expect((await server.call('POST', records('person'), person('No', 'Email'))).status).toBe(201);
    expect((await server.call('POST', records('person'), person('No', 'Email2'))).status).toBe(201);
  });
});

describe('what the caller may not read', () => {
  it('still blocks on records the caller cannot read, without naming them', async () => {
    const hidden = await createRecord(server, 'lead', { company: 'Hidden Ltd', email: 'boss@hidden.example' });
    const before = await storedRecords(server, 'lead');
    const problem = expectProblem(await server.call('POST', records('lead'), { company: 'Mine', email: 'Boss@hidden.example' }, sam), 409, ['/email']);
    expect(JSON.stringify(problem)).not.toContain(hidden._id);
    expect(problem.errors![0]!.detail).toContain('1 record(s) you cannot see');
    expect(await storedRecords(server, 'lead')).toEqual(before);
  });
});

describe('rules that no longer fit, or compare what the caller cannot see', () => {
  it('reports a rule whose field was removed, and checks nothing with it', async () => {
    await defineEntity(server, { name: 'donor', label: 'Donor', pluralLabel: 'Donors', fields: [{ name: 'ref', type: 'text' }, { name: 'code', type: 'text' }] });
    await putRule('donor', 'byCode', { fields: [{ field: 'ref' }, { field: 'code' }], action: 'block' });
    await createRecord(server, 'donor', { ref: 'R1', code: 'C1' });
    expect((await server.call('DELETE', '/api/metadata/entities/donor/fields/code')).status).toBeLessThan(300);
    const rule = await server.call('GET', rules('donor', 'byCode'));
    expect(rule.body.problems).toEqual([{ pointer: '/fields/1/field', detail: 'is not a field of donor' }]);
    expect((await server.call('POST', records('donor'), { ref: 'R1' })).status).toBe(201);
  });

  it('does not scan by, nor name matches of, a rule on a field hidden from the caller', async () => {
    const role = await server.call('PUT', '/api/roles/auditor', { name: 'auditor', label: 'Auditor', entities: { person: { read: true, create: true, update: true, scope: 'all', fields: { email: 'hidden' } } } });
    expect(role.status).toBe(200);
    await addUser(server, 'hal', { roles: ['auditor'] });
    const hal = { authorization: `Bearer ${await issueToken(server.call, { email: emailOf('hal' as never), password: passwordOf('hal' as never) })}` };
    expectProblem(await server.call('GET', '/api/entities/person/duplicates?rule=byEmail', undefined, hal), 404);
    const ann = (await server.call('GET', `${records('person')}?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ann@example.org' }))}`)).body.data[0];
    expect((await server.call('GET', records('person', `/${ann._id}/duplicates`))).body.data.map((m: { rule: string }) => m.rule)).toContain('byEmail');
    const lookup = await server.call('GET', records('person', `/${ann._id}/duplicates`), undefined, hal);
    expect(lookup.body.data.map((m: { rule: string }) => m.rule)).not.toContain('byEmail');
  });
});

describe('the duplicates scan', () => {
  beforeAll(async () => {
    // Records made before the rule get their keys when it is saved.
    for (const company of ['Acme', 'ACME ', 'acme', 'Globex', 'globex', 'Initech']) await createRecord(server, 'lead', { company });
    const rule = await putRule('lead', 'byCompany', { fields: [{ field: 'company' }], action: 'warn' });
    expect(rule.keyedRecords).toBeGreaterThanOrEqual(6);
  });

  it('lists each set of likely duplicates once, with ids and titles, a page at a time', async () => {
    const first = await server.call('GET', '/api/entities/lead/duplicates?rule=byCompany&limit=1');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await server.call('GET', `/api/entities/lead/duplicates?rule=byCompany&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const sets = [...first.body.data, ...second.body.data].map((s: { count: number; records: Array<{ title: string }> }) => ({ count: s.count, titles: s.records.map((r) => r.title.trim().toLowerCase()) }));
    expect(sets.sort((x, y) => x.count - y.count)).toEqual([{ count: 2, titles: ['globex', 'globex'] }, { count: 3, titles: ['acme', 'acme', 'acme'] }]);
  });

  it('shows a caller only the sets within their read scope', async () => {
    await server.call('POST', records('lead'), { company: 'Umbrella' }, sam);
    await server.call('POST', records('lead'), { company: 'umbrella' }, sam);
    const res = await server.call('GET', '/api/entities/lead/duplicates?rule=byCompany', undefined, sam);
    expect(res.body.data.map((s: { records: Array<{ title: string }> }) => s.records.map((r) => r.title))).toEqual([['Umbrella', 'umbrella']]);
  });

  it('answers bad parameters with problems at their pointers', async () => {
    expectProblem(await server.call('GET', '/api/entities/lead/duplicates'), 400, ['/rule']);
    expectProblem(await server.call('GET', '/api/entities/lead/duplicates?rule=nope'), 404);
    expectProblem(await server.call('GET', '/api/entities/lead/duplicates?rule=byCompany&limit=0'), 400, ['/limit']);
    expectProblem(await server.call('GET', '/api/entities/lead/duplicates?rule=byCompany&cursor=%24bad'), 400, ['/cursor']);
    expectProblem(await server.call('GET', '/api/entities/lead/duplicates?rule=byCompany&sort=x'), 400, ['/sort']);
    expectProblem(await server.call('GET', '/api/entities/ghost/duplicates?rule=byCompany'), 404);
  });
});

describe('imports', () => {
  it('sees rows of the same batch through the batch map: block refuses the second row, warn names the first', async () => {
    const store = createMetadataStore(server.engine.client.db('rapport'));
    const registry = createMetadataRegistry({ store, logger: createLogger({ level: 'silent' }) });
    await registry.refresh();
    const guard = createDuplicateGuard({ db: server.engine.client.db('rapport'), registry });
    const entity = registry.require('lead');
    const batch: DuplicateBatch = new Map();
    const row = (company: string, email: string) => ({ _id: new ObjectId(), company, email });
    const first = row('Batchco', 'first@batch.example');
    expect(await guard.check({ entity, doc: first, before: null, actor: SYSTEM_ACTOR, pointerBase: '/rows/0', options: { batch } })).toEqual([]);
    const warned = await guard.check({ entity, doc: row('BATCHCO', 'second@batch.example'), before: null, actor: SYSTEM_ACTOR, options: { batch } });
    expect(warned).toEqual([{ rule: 'byCompany', action: 'warn', fields: ['company'], ids: [first._id.toHexString()], unseen: 0 }]);
    await expect(guard.check({ entity, doc: row('Other', 'FIRST@batch.example'.toLowerCase()), before: null, actor: SYSTEM_ACTOR, pointerBase: '/rows/2', options: { batch } }))
      .rejects.toMatchObject({ status: 409, errors: [{ pointer: '/rows/2/email' }] });
  });
});
