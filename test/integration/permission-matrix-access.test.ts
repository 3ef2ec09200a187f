/**
 * Permission matrix, the edges of access (issue 4): the metadata each user may read, the
 * administrator-only endpoints, and the credentials that must not work: a deactivated user's,
 * an expired or tampered token, a read-only token for writes, a cross-site form post riding a
 * session cookie.
 */
import { describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { issueToken, signIn } from '../support/app-server.ts';
import { collection, defineEntity, expectProblem, storedRecords } from '../support/crm-fixture.ts';
import {
  addUser, emailOf, ENTITY_NAMES, MATRIX, NON_ADMINS, passwordOf, problemShape, sorted, useScenario, recordsUrl, USER_KEYS, visibleFields,
  type Scenario, type UserKey,
} from '../support/permission-fixture.ts';

const sc = useScenario();

const url = recordsUrl;
type Definition = { name: string; fields: Array<{ name: string }>; searchFields?: string[]; permissions?: Record<string, unknown> };

describe.each(USER_KEYS)('metadata as %s', (user) => {
  it('lists only the readable entities, without hidden fields, with the user’s permissions', async () => {
    const res = await sc.as(user)('GET', '/api/metadata/entities');
    expect(res.status).toBe(200);
    const readable = ENTITY_NAMES.filter((e) => MATRIX[user][e]);
    expect(sorted((res.body.data as Definition[]).map((d) => d.name))).toEqual(sorted(readable));
    for (const entity of readable) {
      const v = MATRIX[user][entity]!;
      const listed = (res.body.data as Definition[]).find((d) => d.name === entity)!;
      const one = await sc.as(user)('GET', `/api/metadata/entities/${entity}`);
      const { updatedAt: _updatedAt, ...single } = one.body as Definition & { updatedAt: string };
      expect(single).toEqual(listed);
      expect(listed.fields.map((f) => f.name)).toEqual(visibleFields(entity, v));
      for (const name of listed.searchFields ?? []) expect(v.hidden).not.toContain(name);
      if (user === 'admin') continue;
      expect(listed.permissions).toEqual({ read: true, ...v.ops, fields: Object.fromEntries(v.readOnly.map((f) => [f, 'read'])) });
    }
  });

  it('answers 404 for an unreadable entity exactly as for an unknown one', async () => {
    const unknown = await sc.as(user)('GET', '/api/metadata/entities/nosuchentity');
    for (const entity of ENTITY_NAMES.filter((e) => !MATRIX[user][e])) {
      const res = await sc.as(user)('GET', `/api/metadata/entities/${entity}`);
      expect(problemShape(res, { [entity]: 'E' })).toEqual(problemShape(unknown, { nosuchentity: 'E' }));
    }
  });
});

const metadataWrites: Array<[string, string, unknown?]> = [
  ['POST', '/api/metadata/entities', { name: 'sneaky', label: 'Sneaky', pluralLabel: 'Sneaky', fields: [{ name: 'a', type: 'text' }] }],
  ['PUT', '/api/metadata/entities/serviceuser', { name: 'serviceuser', label: 'Mine', pluralLabel: 'Mine', fields: [{ name: 'name', type: 'text' }] }],
  ['DELETE', '/api/metadata/entities/staff'],
  ['POST', '/api/metadata/entities/serviceuser/fields', { name: 'extra', type: 'text' }],
  ['PUT', '/api/metadata/entities/serviceuser/fields/ssn', { name: 'ssn', type: 'text' }],
  ['DELETE', '/api/metadata/entities/serviceuser/fields/ssn'],
  ['GET', '/api/metadata/entities/serviceuser/history'],
];
const adminOnly: Array<[string, string | ((s: Scenario, user: UserKey) => string), unknown?]> = [
  ['GET', '/api/users'],
  ['POST', '/api/users', { email: 'sneaky@permissions.test', name: 'Sneaky', roles: ['admin'], password: 'a long enough password' }],
  ['GET', (s, user) => `/api/users/${s.users[user].id}`],
  ['PATCH', (s, user) => `/api/users/${s.users[user].id}`, { roles: ['admin'] }],
  ['POST', (s, user) => `/api/users/${s.users[user].id}/password-link`],
  ['GET', '/api/roles'],
  ['GET', '/api/roles/caseworker'],
  ['PUT', '/api/roles/caseworker', { name: 'caseworker', label: 'Caseworker', entities: { serviceuser: { read: true, scope: 'all' } } }],
  ['DELETE', '/api/roles/hr'],
  ['GET', '/api/access-log'],
  ['GET', '/api/openapi.json'],
];

describe.each(NON_ADMINS)('administration as %s', (user) => {
  it.each(metadataWrites)('%s %s: 403, and the definitions do not change', async (method, path, body) => {
    const before = (await sc.as('admin')('GET', '/api/metadata/entities')).body;
    expectProblem(await sc.as(user)(method, path, body), 403);
    expect((await sc.as('admin')('GET', '/api/metadata/entities')).body).toEqual(before);
  });

  it.each(adminOnly)('%s %s: 403', async (method, path, body) => {
    const res = await sc.as(user)(method, typeof path === 'string' ? path : path(sc, user), body);
    expectProblem(res, 403);
  });

  it('cannot make itself an administrator or mint an admin-scoped token', async () => {
    const session = await signIn(sc.s.call, { email: emailOf(user), password: passwordOf(user) });
    const res = await sc.s.call('POST', '/api/auth/tokens', { name: 'escalate', scopes: ['admin'] }, { cookie: session.cookie, 'x-csrf-token': session.csrf });
    expectProblem(res, 422, ['/scopes']);
    expect((await sc.as('admin')('GET', `/api/users/${sc.users[user].id}`)).body.roles).not.toContain('admin');
  });
});

describe('administration as admin', () => {
  it('reaches every admin-only endpoint that reads', async () => {
    for (const [method, path] of [...adminOnly, ...metadataWrites].filter(([m]) => m === 'GET')) {
      const res = await sc.as('admin')(method, typeof path === 'string' ? path : path(sc, 'admin'));
      expect(res.status, String(path)).toBe(200);
    }
  });
});

describe('credentials that must not work', () => {
  it('a deactivated user: token, session and sign-in all 401', async () => {
    const id = await addUser(sc.s, 'gone', { roles: ['caseworker'], team: 'north' });
    const who = { email: emailOf('gone' as UserKey), password: passwordOf('gone' as UserKey) };
    const token = await issueToken(sc.s.call, who, ['records:write']);
    const session = await signIn(sc.s.call, who);
    const asToken = () => sc.s.call('GET', url('serviceuser'), undefined, { authorization: `Bearer ${token}` });
    const asSession = () => sc.s.call('GET', url('serviceuser'), undefined, { cookie: session.cookie });
    expect((await asToken()).status).toBe(200);
    expect((await asSession()).status).toBe(200);
    expect((await sc.as('admin')('PATCH', `/api/users/${id}`, { active: false })).status).toBe(200);
    expectProblem(await asToken(), 401);
    expectProblem(await asSession(), 401);
    expectProblem(await sc.s.call('POST', url('serviceuser'), { name: { first: 'A', last: 'B' } }, { authorization: `Bearer ${token}` }), 401);
    expect((await signIn(sc.s.call, who)).status).toBe(401);
    // Created inactive: never signs in.
    await addUser(sc.s, 'dormant', { roles: ['caseworker'], active: false });
    expect((await signIn(sc.s.call, { email: emailOf('dormant' as UserKey), password: passwordOf('dormant' as UserKey) })).status).toBe(401);
  });

  it('an expired token, a tampered token and a malformed header: 401', async () => {
    const token = await issueToken(sc.s.call, { email: emailOf('cwA'), password: passwordOf('cwA') }, ['records:write']);
    const tokenId = /^rpt_([0-9a-f]{24})_/.exec(token)![1]!;
    await collection(sc.s, 'auth_tokens').updateOne({ _id: new ObjectId(tokenId) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const good = sc.users.cwA.token;
    const tampered = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const otherId = good.replace(/^rpt_[0-9a-f]{24}_/, `rpt_${sc.users.admin.token.slice(4, 28)}_`);
    for (const authorization of [`Bearer ${token}`, `Bearer ${tampered}`, `Bearer ${otherId}`, 'Bearer rpt_nonsense', `Basic ${good}`, `Bearer ${good} extra`]) {
      expectProblem(await sc.s.call('GET', url('serviceuser'), undefined, { authorization }), 401);
    }
    expect((await sc.s.call('GET', url('serviceuser'), undefined, { authorization: `Bearer ${good}` })).status).toBe(200);
  });

  it('a records:read token reads what its user may, and every write is 403', async () => {
    const token = await issueToken(sc.s.call, { email: emailOf('lead'), password: passwordOf('lead') }, ['records:read']);
    const read = sc.withToken('lead', token);
    expect(sorted((await read('GET', url('serviceuser'))).body.data.map((r: { _id: string }) => sc.keyOf(r._id)))).toEqual(MATRIX.lead.serviceuser!.records);
    expect((await read('GET', url('serviceuser', '/export?format=json'))).status).toBe(200);
    const stored = await storedRecords(sc.s, 'serviceuser');
    const id = sc.ids.S4!;
    for (const [method, path, body] of [
      ['POST', url('serviceuser'), { name: { first: 'R', last: 'O' } }], ['PATCH', url('serviceuser', `/${id}`), { department: 'x' }],
      ['PUT', url('serviceuser', `/${id}`), { name: { first: 'R', last: 'O' } }], ['DELETE', url('serviceuser', `/${id}`)],
      ['POST', url('serviceuser', '/bulk-create'), { records: [{ name: { first: 'R', last: 'O' } }] }],
      ['POST', url('serviceuser', '/bulk-update'), { records: [{ _id: id, department: 'x' }] }], ['POST', url('serviceuser', '/bulk-delete'), { ids: [id] }],
      ['POST', '/api/entities/serviceuser/files/consent', 'a file', { 'content-type': 'text/plain' }],
    ] as Array<[string, string, unknown, Record<string, string>?]>) {
      expectProblem(await read(method, path, body), 403);
    }
    expect(await storedRecords(sc.s, 'serviceuser')).toEqual(stored);
  });
});

describe('a cross-site request riding the session cookie', () => {
  it('is refused (403) whether it is a form post or JSON, and writes nothing; same-site with the CSRF token works', async () => {
    const session = await signIn(sc.s.call, { email: emailOf('cwA'), password: passwordOf('cwA') });
    const before = (await storedRecords(sc.s, 'serviceuser')).length;
    const post = (body: string, headers: Record<string, string>) => sc.s.call('POST', url('serviceuser'), body, { cookie: session.cookie, ...headers });
    const form = await post('name[first]=Evil&name[last]=Corp', { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' });
    expect(expectProblem(form, 403).type).toBe('https://rapport.dev/problems/csrf-rejected');
    const json = JSON.stringify({ name: { first: 'Evil', last: 'Corp' } });
    expectProblem(await post(json, { origin: 'http://evil.example', 'content-type': 'application/json', 'x-csrf-token': session.csrf }), 403);
    expectProblem(await post(json, { 'content-type': 'application/json' }), 403);
    expectProblem(await sc.s.call('POST', '/api/auth/sign-in', 'email=cwa%40permissions.test&password=x', { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, { anonymous: true }), 403);
    expect((await storedRecords(sc.s, 'serviceuser')).length).toBe(before);
    const ok = await post(JSON.stringify({ name: { first: 'Same', last: 'Site' }, caseworker: sc.users.cwA.id }), { 'content-type': 'application/json', 'x-csrf-token': session.csrf });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).not.toHaveProperty('ssn');
    const listed = await sc.s.call('GET', url('serviceuser'), undefined, { cookie: session.cookie });
    expect(sorted(listed.body.data.map((r: { _id: string }) => sc.keyOf(r._id)))).toEqual(sorted([...MATRIX.cwA.serviceuser!.records, ok.body._id]));
  });
});

describe('changes to a user', () => {
  it('apply from the next request: a sharing rule follows the user attribute it names', async () => {
    const staffSeen = async () => sorted((await sc.s.call('GET', url('staff'), undefined, { authorization: `Bearer ${sc.users.hr.token}` })).body.data.map((r: { _id: string }) => sc.keyOf(r._id)));
    expect(await staffSeen()).toEqual(['T1', 'T3']);
    expect((await sc.as('admin')('PATCH', `/api/users/${sc.users.hr.id}`, { attributes: { department: 'IT' } })).status).toBe(200);
    expect(await staffSeen()).toEqual(['T2']);
    expect((await sc.as('admin')('PATCH', `/api/users/${sc.users.hr.id}`, { attributes: {} })).status).toBe(200);
    expect(await staffSeen()).toEqual([]);
    expect((await sc.as('admin')('PATCH', `/api/users/${sc.users.hr.id}`, { attributes: { department: 'HR' } })).status).toBe(200);
    expect(await staffSeen()).toEqual(['T1', 'T3']);
  });
});

describe('roles and entity names', () => {
  it('a role can grant access to any entity the metadata allows, e.g. case_file', async () => {
    await defineEntity(sc.s, { name: 'case_file', label: 'Case file', pluralLabel: 'Case files', fields: [{ name: 'title', type: 'text' }] });
    const res = await sc.as('admin')('PUT', '/api/roles/filer', { name: 'filer', label: 'Filer', entities: { case_file: { read: true, scope: 'all' } } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});
