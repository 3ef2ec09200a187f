/**
 * Hostile and malformed input against the records and metadata APIs: every case is a clear 4xx
 * problem+json, the server keeps running, nothing is written and no prototype is touched.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { addField, createRecord, defineEntity, expectProblem, qs, settled, storedRecords, type ApiRecord } from '../support/crm-fixture.ts';

let server: AppServer;
let accounts: ApiRecord[];
let before: { account: Document[]; deal: Document[] };

const ACCOUNT = {
  name: 'account',
  label: 'Account',
  pluralLabel: 'Accounts',
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 200 },
    { name: 'code', type: 'text', pattern: '^[A-Z]{3}$' },
    { name: 'status', type: 'select', options: [{ value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }] },
    { name: 'number', type: 'autonumber', pattern: 'ACC-{0000}' },
    { name: 'display', type: 'formula', expression: 'name & "!"', resultType: 'text' },
    { name: 'parent', type: 'relation', target: 'account', onDelete: 'setNull' },
  ],
};

const DEAL = {
  name: 'deal',
  label: 'Deal',
  pluralLabel: 'Deals',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'account', type: 'relation', target: 'account', onDelete: 'cascade' },
  ],
};

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, ACCOUNT);
  await defineEntity(server, DEAL);
  await addField(server, 'account', { name: 'dealCount', type: 'rollup', entity: 'deal', relationField: 'account', function: 'count' });
  accounts = [];
  for (const name of ['Acme', 'Globex', 'Initech']) accounts.push(await createRecord(server, 'account', { name, status: 'open' }));
  await createRecord(server, 'deal', { title: 'Big one', account: accounts[0]!._id });
  await settled(server, ['account', 'deal']);
  before = { account: await storedRecords(server, 'account'), deal: await storedRecords(server, 'deal') };
});

afterAll(async () => {
  await server?.stop();
});

/** Whatever a hostile request did, the stored records are exactly as they were and no prototype gained a key. */
afterEach(async () => {
  expect(await storedRecords(server, 'account')).toEqual(before.account);
  expect(await storedRecords(server, 'deal')).toEqual(before.deal);
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('isAdmin');
  expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
});

const list = (query: string) => server.call('GET', `/api/entities/account/records${query}`);
const queryBody = (json: string) => server.call('POST', '/api/entities/account/records/query', json);
const INVALID_QUERY = /\/invalid-query$/;

/** Filters as raw JSON text: a JS object literal would turn `__proto__` into a prototype, not a key. */
const HOSTILE_FILTERS: Array<[label: string, json: string, pointer: string]> = [
  ['$where at the top', '{"$where":"sleep(5000) || true"}', '/filter/$where'],
  ['$function', '{"$function":{"body":"function(){return true}","args":[],"lang":"js"}}', '/filter/$function'],
  ['$expr', '{"$expr":{"$gt":["$name",""]}}', '/filter/$expr'],
  ['a $regex object as the value', '{"field":"name","op":"eq","value":{"$regex":".*"}}', '/filter/value/$regex'],
  ['{"$gt": ""} as the value', '{"field":"name","op":"eq","value":{"$gt":""}}', '/filter/value/$gt'],
  ['$ne inside an and', '{"and":[{"field":"status","op":"eq","value":{"$ne":null}}]}', '/filter/and/0/value/$ne'],
  ['$gt inside an in list', '{"field":"name","op":"in","value":[{"$gt":""}]}', '/filter/value/0/$gt'],
  ['an operator object as op', '{"field":"name","op":{"$ne":null},"value":"x"}', '/filter/op/$ne'],
  ['a $ field name', '{"field":"$where","op":"eq","value":"x"}', '/filter/field'],
  ['an operator inside a dotted field name', '{"field":"name.$gt","op":"eq","value":"x"}', '/filter/field'],
  ['a __proto__ key', '{"__proto__":{"isAdmin":true}}', '/filter/__proto__'],
  ['a constructor key', '{"constructor":{"prototype":{"isAdmin":true}}}', '/filter/constructor'],
  ['__proto__ nested in a condition', '{"field":"name","op":"eq","value":"x","__proto__":{"isAdmin":true}}', '/filter/__proto__'],
  ['__proto__ as a field name', '{"field":"__proto__","op":"eq","value":"x"}', '/filter/field'],
  ['constructor as a field name', '{"field":"constructor","op":"isSet"}', '/filter/field'],
  ['a prototype path as a field name', '{"field":"name.constructor.prototype","op":"eq","value":"x"}', '/filter/field'],
];

describe('hostile filters', () => {
  it.each(HOSTILE_FILTERS)('refuses %s in ?filter= with 400 at the offending pointer', async (_label, json, pointer) => {
    const problem = expectProblem(await list(qs({ filter: json })), 400, [pointer]);
    expect(problem.type).toMatch(INVALID_QUERY);
  });

  it.each(HOSTILE_FILTERS)('refuses %s in POST .../records/query with 400', async (_label, json, pointer) => {
    expectProblem(await queryBody(`{"filter":${json}}`), 400, [pointer]);
  });

  it.each(HOSTILE_FILTERS)('refuses %s in GET .../records/count with 400', async (_label, json, pointer) => {
    expectProblem(await server.call('GET', `/api/entities/account/records/count${qs({ filter: json })}`), 400, [pointer]);
  });

  it('refuses a filter nested 50 levels deep (GET and POST)', async () => {
    let node: unknown = { field: 'name', op: 'eq', value: 'Acme' };
    for (let i = 0; i < 50; i++) node = { not: node };
    expectProblem(await list(qs({ filter: JSON.stringify(node) })), 400);
    let tree: unknown = { field: 'name', op: 'eq', value: 'Acme' };
    for (let i = 0; i < 50; i++) tree = { and: [tree] };
    expectProblem(await queryBody(JSON.stringify({ filter: tree })), 400);
  });

  it('refuses a filter of 1000 conditions', async () => {
    const or = Array.from({ length: 1000 }, (_, i) => ({ field: 'name', op: 'eq', value: `n${i}` }));
    const problem = expectProblem(await queryBody(JSON.stringify({ filter: { or } })), 400);
    expect(problem.detail).toMatch(/more than 100 conditions/);
  });

  it('refuses a filter that is not JSON, and one that is not an object', async () => {
    expectProblem(await list(qs({ filter: '{"field":"name",' })), 400, ['/filter']);
    expectProblem(await list(qs({ filter: '"name"' })), 400, ['/filter']);
    expectProblem(await list(qs({ filter: '[{"field":"name","op":"eq","value":"Acme"}]' })), 400, ['/filter']);
  });

  it('still answers a well-formed filter (the refusals above are not blanket)', async () => {
    const res = await list(qs({ filter: '{"field":"name","op":"eq","value":"Acme"}' }));
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: ApiRecord) => r.name)).toEqual(['Acme']);
  });
});

describe('hostile sort, fields and expand parameters', () => {
  it.each(['$where', '__proto__', 'constructor', '-$natural', 'name.__proto__', 'name;db.dropDatabase()', '_search', 'name,-name'])(
    'refuses sort=%s with 400 at /sort',
    async (sort) => {
      expectProblem(await list(qs({ sort })), 400, ['/sort']);
    },
  );

  it.each(['__proto__', '$where', 'constructor', '_search', '_outbox', 'name,__proto__'])('refuses fields=%s with 400 at /fields', async (fields) => {
    expectProblem(await list(qs({ fields })), 400, ['/fields']);
    expectProblem(await server.call('GET', `/api/entities/account/records/${accounts[0]!._id}${qs({ fields })}`), 400, ['/fields']);
  });

  it.each([
    ['three levels', 'account.parent.parent'],
    ['a text field', 'title'],
    ['a field of the parent that is not a relation', 'account.name'],
    ['an unknown field', 'nope'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
  ])('refuses expand over %s with 400 at /expand', async (_label, expand) => {
    expectProblem(await server.call('GET', `/api/entities/deal/records${qs({ expand })}`), 400, ['/expand']);
  });

  it('refuses expand on a single-record read too', async () => {
    const deals = await server.call('GET', '/api/entities/deal/records');
    expectProblem(await server.call('GET', `/api/entities/deal/records/${deals.body.data[0]._id}?expand=title`), 400, ['/expand']);
  });

  it('refuses unknown and bracketed query parameters', async () => {
    expectProblem(await list('?$where=1'), 400, ['/$where']);
    expectProblem(await list('?filter[$ne]=x'), 400, ['/filter[$ne]']);
    expectProblem(await queryBody('{"$where":"1"}'), 400, ['/$where']);
  });

  it.each([['limit=1&limit=2', '/limit'], ['sort=name&sort=-name', '/sort'], ['q=a&q=b', '/q'], ['filter={}&filter={}', '/filter']])(
    'refuses the repeated parameter in ?%s with 400',
    async (query, pointer) => {
      expectProblem(await list(`?${query}`), 400, [pointer]);
    },
  );

  it.each(['0', '201', 'abc', '1.5', '-1', ''])('refuses limit=%j with 400 at /limit', async (limit) => {
    expectProblem(await list(`?limit=${limit}`), 400, ['/limit']);
  });

  it('refuses an operator object as limit in a query body', async () => {
    expectProblem(await queryBody('{"limit":{"$gt":0}}'), 400, ['/limit']);
  });

  it('refuses a q= over 8000 characters with 400 at /q', async () => {
    expectProblem(await list(qs({ q: 'acme '.repeat(2000) })), 400, ['/q']);
  });
});

describe('tampered cursors', () => {
  const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

  it('follows a genuine cursor and refuses every forged one with 400 at /cursor', async () => {
    const first = await list('?limit=1');
    const cursor: string = first.body.nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const next = await list(qs({ limit: '1', cursor }));
    expect(next.status).toBe(200);
    expect(next.body.data[0]._id).not.toBe(first.body.data[0]._id);

    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: string; k: unknown[] };
    const forged = [
      cursor.slice(0, -3),
      `${cursor.slice(0, -1)}${cursor.endsWith('A') ? 'B' : 'A'}`,
      '!!!not-base64!!!',
      b64('not json at all'),
      b64({ ...payload, extra: 1 }),
      b64({ s: payload.s, k: [{ $where: 'sleep(1000)' }, { $oid: accounts[0]!._id }] }),
      b64({ s: payload.s, k: [payload.k[0], { $ne: null }] }),
      b64({ s: payload.s, k: [payload.k[0], 'not-an-object-id'] }),
      b64({ s: payload.s, k: [payload.k[0]] }),
      b64({ s: 'AAAAAAAAAAAA', k: payload.k }),
    ];
    for (const bad of forged) expectProblem(await list(qs({ limit: '1', cursor: bad })), 400, ['/cursor']);
    // Too long for a URL, so sent in a query body.
    expectProblem(await queryBody(JSON.stringify({ limit: 1, cursor: 'A'.repeat(40_000) })), 400, ['/cursor']);
  });

  it('refuses a cursor made for another sort order', async () => {
    const byName = await list('?limit=1&sort=name');
    expectProblem(await list(qs({ cursor: byName.body.nextCursor })), 400, ['/cursor']);
  });
});

describe('hostile record bodies', () => {
  const post = (body: unknown) => server.call('POST', '/api/entities/account/records', body);
  const patch = (body: unknown) => server.call('PATCH', `/api/entities/account/records/${accounts[1]!._id}`, body);

  it('rejects {"__proto__": {"isAdmin": true}} as an unknown field without polluting Object.prototype', async () => {
    const body = '{"name":"Evil","__proto__":{"isAdmin":true}}';
    const problem = expectProblem(await post(body), 422, ['/__proto__']);
    expect(problem.errors).toContainEqual({ pointer: '/__proto__', detail: 'is not a field of account' });
    expectProblem(await patch(body), 422, ['/__proto__']);
    expectProblem(await server.call('PUT', `/api/entities/account/records/${accounts[1]!._id}`, body), 422, ['/__proto__']);
  });

  it('rejects constructor.prototype in a body', async () => {
    expectProblem(await post('{"name":"Evil","constructor":{"prototype":{"isAdmin":true}}}'), 422, ['/constructor']);
  });

  it('rejects MongoDB update operators as field names', async () => {
    expectProblem(await post('{"name":"Evil","$set":{"ownerId":"evil"}}'), 422, ['/$set']);
    expectProblem(await patch('{"$inc":{"_version":5}}'), 422, ['/$inc']);
    expectProblem(await post({ name: { $gt: '' } }), 422, ['/name']);
  });

  it('rejects system fields with one pointer each', async () => {
    const system = { _id: '0123456789abcdef01234567', _version: 42, createdBy: 'evil', ownerId: 'evil', createdAt: '2000-01-01T00:00:00Z', updatedBy: 'evil', id: 'x' };
    const problem = expectProblem(await post({ name: 'Evil', ...system }), 422, ['/_id', '/_version', '/createdBy', '/ownerId', '/createdAt', '/updatedBy', '/id']);
    expect(problem.type).toMatch(/\/validation-failed$/);
    expectProblem(await patch({ _version: 99, ownerId: 'evil' }), 422, ['/_version', '/ownerId']);
  });

  it('rejects internal storage fields', async () => {
    expectProblem(await post({ name: 'Evil', _search: ['evil'], _outbox: [] }), 422, ['/_search', '/_outbox']);
  });

  it('rejects computed fields (autonumber, formula, rollup) with one pointer each', async () => {
    expectProblem(await post({ name: 'Evil', number: 'ACC-9999', display: 'hacked', dealCount: 5 }), 422, ['/number', '/display', '/dealCount']);
    expectProblem(await patch({ number: 'ACC-0001', display: 'hacked', dealCount: 0 }), 422, ['/number', '/display', '/dealCount']);
  });

  it('rejects a body that breaks the field pattern', async () => {
    expectProblem(await post({ name: 'Evil', code: 'abcd' }), 422, ['/code']);
  });

  it('answers malformed JSON with 400', async () => {
    const problem = expectProblem(await post('{"name": "Evil",'), 400);
    expect(problem.type).toMatch(/\/bad-request$/);
    expectProblem(await queryBody('{"filter": '), 400);
  });

  it('answers a body over 1 MB with 413', async () => {
    const problem = expectProblem(await post(JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) })), 413);
    expect(problem.type).toMatch(/\/payload-too-large$/);
  });

  it.each([
    ['text/plain', '{"name":"Evil"}'],
    ['application/x-www-form-urlencoded', 'name=Evil'],
    ['application/xml', '<account><name>Evil</name></account>'],
  ])('answers a %s body with 415', async (contentType, body) => {
    expectProblem(await server.call('POST', '/api/entities/account/records', body, { 'content-type': contentType }), 415);
    expectProblem(await server.call('PATCH', `/api/entities/account/records/${accounts[1]!._id}`, body, { 'content-type': contentType }), 415);
  });

  it('answers a query body that is not JSON with 415 rather than ignoring its filter', async () => {
    const filter = '{"filter":{"field":"name","op":"eq","value":"Acme"}}';
    expectProblem(await server.call('POST', '/api/entities/account/records/query', filter, { 'content-type': 'text/plain' }), 415);
  });

  it('answers JSON in an unsupported charset with 415', async () => {
    expectProblem(await server.call('POST', '/api/entities/account/records', '{"name":"Evil"}', { 'content-type': 'application/json; charset=latin1' }), 415);
  });
});

describe('unknown entities and record ids', () => {
  it.each(['nope', '__proto__', 'constructor', '..%2F..%2Fetc', '%24where'])('answers 404 for the entity %s', async (entity) => {
    for (const [method, path] of [['GET', ''], ['GET', '/count'], ['POST', ''], ['GET', '/0123456789abcdef01234567']] as const) {
      const res = await server.call(method, `/api/entities/${entity}/records${path}`, method === 'POST' ? { name: 'x' } : undefined);
      expect(expectProblem(res, 404).type).toMatch(/\/entity-not-found$/);
    }
  });

  it.each(['abc', 'ffffffffffffffffffffffff', '0123456789abcdef0123456', '%24where', '%7B%22%24ne%22%3Anull%7D', '0123456789abcdef01234567'])(
    'answers 404 for the record id %s on read, update, replace, delete and related',
    async (id) => {
      for (const method of ['GET', 'PATCH', 'PUT', 'DELETE'] as const) {
        const res = await server.call(method, `/api/entities/account/records/${id}`, method === 'PATCH' || method === 'PUT' ? { name: 'Evil' } : undefined);
        expect(expectProblem(res, 404).type).toMatch(/\/record-not-found$/);
      }
      expectProblem(await server.call('GET', `/api/entities/account/records/${id}/related`), 404);
    },
  );
});

describe('hostile definitions on the metadata API', () => {
  const entity = (overrides: Record<string, unknown>) => ({ name: 'widget', label: 'Widget', pluralLabel: 'Widgets', fields: [{ name: 'title', type: 'text' }], ...overrides });
  const define = (body: unknown) => server.call('POST', '/api/metadata/entities', body);

  afterEach(async () => {
    expectProblem(await server.call('GET', '/api/metadata/entities/widget'), 404);
  });

  it('refuses a catastrophic text pattern with 422 at /fields/N/pattern', async () => {
    const fields = [{ name: 'title', type: 'text' }, { name: 'code', type: 'text', pattern: '(a+)+$' }];
    expect(expectProblem(await define(entity({ fields })), 422, ['/fields/1/pattern']).type).toMatch(/\/invalid-definition$/);
  });

  it('refuses a catastrophic pattern added to a live entity, leaving it unchanged', async () => {
    const version = (await server.call('GET', '/api/metadata/entities/account')).body.version;
    const index = ACCOUNT.fields.length + 1; // + the rollup added in beforeAll
    expectProblem(await server.call('POST', '/api/metadata/entities/account/fields', { name: 'sku', type: 'text', pattern: '^(a|aa)*$' }), 422, [`/fields/${index}/pattern`]);
    expectProblem(await server.call('PUT', '/api/metadata/entities/account/fields/code', { type: 'text', pattern: '(x+x+)+y' }), 422, ['/fields/1/pattern']);
    const after = (await server.call('GET', '/api/metadata/entities/account')).body;
    expect(after.version).toBe(version);
    expect(after.fields.find((f: { name: string }) => f.name === 'code').pattern).toBe('^[A-Z]{3}$');
  });

  it('refuses a pattern that is not a regular expression', async () => {
    expectProblem(await define(entity({ fields: [{ name: 'code', type: 'text', pattern: '([a-z' }] })), 422, ['/fields/0/pattern']);
  });

  it.each(['../../etc', 'a/b', '$where', 'a$b', '__proto__', 'Account', 'rec_x.y', ''])('refuses the entity name %j with 422 at /name', async (name) => {
    expectProblem(await define(entity({ name })), 422, ['/name']);
    expectProblem(await server.call('GET', `/api/metadata/entities/${encodeURIComponent(name || 'x')}`), 404);
  });

  it.each(['../x', '$set', 'a.b', '__proto__', 'constructor', '_id', 'a$', 'x/../../y'])('refuses the field name %j with 422 at /fields/0/name', async (name) => {
    expectProblem(await define(entity({ fields: [{ name, type: 'text' }] })), 422, ['/fields/0/name']);
  });

  it('refuses a hostile field name added to a live entity', async () => {
    const index = ACCOUNT.fields.length + 1;
    expectProblem(await server.call('POST', '/api/metadata/entities/account/fields', { name: '$where', type: 'text' }), 422, [`/fields/${index}/name`]);
    expectProblem(await server.call('POST', '/api/metadata/entities/account/fields', { name: 'constructor', type: 'text' }), 422, [`/fields/${index}/name`]);
  });

  it('refuses operators and prototype keys in index definitions', async () => {
    expectProblem(await define(entity({ indexes: [{ fields: [{ field: '$where' }] }] })), 422, ['/indexes/0/fields/0/field']);
    expectProblem(await define(entity({ indexes: [{ fields: [{ field: '__proto__' }] }] })), 422, ['/indexes/0/fields/0/field']);
  });

  it('refuses a __proto__ key in a definition without polluting Object.prototype', async () => {
    const json = '{"name":"widget","label":"Widget","pluralLabel":"Widgets","fields":[{"name":"title","type":"text"}],"__proto__":{"isAdmin":true}}';
    expectProblem(await define(json), 422);
  });
});
