/** GET /api/openapi.json: a valid OpenAPI 3.1 document of the live metadata, whose schemas match what the API returns. */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAjv } from '../../server/metadata/record-schema.ts';
import { startAppServer, type AppServer } from '../support/app-server.ts';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let server: AppServer;

const account = {
  name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name',
  fields: [{ name: 'name', type: 'text', required: true }, { name: 'website', type: 'url' }],
};

const contact = {
  name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name', description: 'People we talk to',
  fields: [
    { name: 'name', type: 'fullName', label: 'Name', required: true },
    { name: 'nickname', type: 'text', maxLength: 40 },
    { name: 'email', type: 'email' },
    { name: 'phone', type: 'phone' },
    { name: 'salary', type: 'currency', currency: 'EUR' },
    { name: 'stage', type: 'select', required: true, default: 'lead', options: [{ value: 'lead', label: 'Lead' }, { value: 'customer', label: 'Customer' }] },
    { name: 'birthday', type: 'date' },
    { name: 'home', type: 'address' },
    { name: 'account', type: 'relation', target: 'account' },
    { name: 'shout', type: 'formula', expression: 'UPPER(nickname)', resultType: 'text' },
    { name: 'cv', type: 'file', label: 'CV' },
  ],
};

beforeAll(async () => {
  server = await startAppServer();
  for (const definition of [account, contact]) expect((await send('POST', '/api/metadata/entities', definition)).status).toBe(201);
});
afterAll(async () => {
  await server.stop();
});

async function send(method: string, path: string, body?: unknown) {
  const res = await server.call(method, path, body);
  return { ...res, body: res.body as Doc };
}

const openApi = async (): Promise<Doc> => (await send('GET', '/api/openapi.json')).body;

/** A validator for one component schema, its $refs resolved within the document. */
function schemaValidator(doc: Doc, name: string) {
  const ajv = createAjv();
  ajv.addSchema({ $id: 'https://rapport.test/openapi.json', components: doc.components });
  const validate = ajv.getSchema(`https://rapport.test/openapi.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return (value: unknown) => (validate(value) ? [] : validate.errors);
}

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const doc = await openApi();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents each entity with its own typed paths and schemas', async () => {
    const doc = await openApi();
    expect(doc.info.version).toBe('0.1.0');
    expect(doc['x-metadata-version']).toBeGreaterThan(0);
    const { schemas } = doc.components;
    expect(Object.keys(schemas.ContactRecord.properties)).toEqual(expect.arrayContaining(['_id', '_version', 'createdAt', ...contact.fields.map((f) => f.name)]));
    expect(schemas.ContactRecord.properties.shout.readOnly).toBe(true);
    expect(schemas.ContactInput.properties).not.toHaveProperty('shout');
    // stage has a default, so only name must be sent on create.
    expect(schemas.ContactInput.required).toEqual(['name']);
    expect(schemas.ContactInput.properties.email).toMatchObject({ type: 'string', format: 'email' });
    expect(schemas.ContactPatch.properties.email.type).toEqual(['string', 'null']);
    expect(schemas.AccountInput.required).toEqual(['name']);
    expect(schemas.Problem.required).toEqual(['type', 'title', 'status']);
    expect(schemas.FilterCondition.properties.op.enum).toContain('containsAll');

    const list = doc.paths['/api/entities/contact/records'];
    expect(list.get.operationId).toBe('listContactRecords');
    expect(list.get.tags).toEqual(['Contacts']);
    expect(list.post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ContactInput');
    const item = doc.paths['/api/entities/contact/records/{id}'];
    expect(Object.keys(item)).toEqual(expect.arrayContaining(['get', 'patch', 'put', 'delete']));
    expect(item.patch.responses['412'].$ref).toBe('#/components/responses/PreconditionFailed');
    expect(doc.components.responses.UnprocessableContent.content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
    expect(doc.paths).toHaveProperty(['/api/entities/contact/files/cv', 'post']);
    expect(doc.paths).toHaveProperty(['/api/entities/contact/records/{id}/files/cv', 'get']);
    expect(doc.paths).not.toHaveProperty(['/api/entities/account/files/cv']);
    for (const path of ['/api/metadata/entities', '/healthz', '/readyz', '/api/entities/account/records/bulk-update']) expect(doc.paths).toHaveProperty([path]);
  });

  it('answers repeated calls from its cache and shows a metadata change at once', async () => {
    const first = await send('GET', '/api/openapi.json');
    const again = await fetch(`${server.base}/api/openapi.json`, {
      // fetch adds Cache-Control: no-cache to conditional requests unless one is given; a browser revalidating sends max-age=0.
      headers: { 'if-none-match': first.headers.get('etag')!, 'cache-control': 'max-age=0', authorization: `Bearer ${server.adminToken}` },
    });
    expect(again.status).toBe(304);

    expect((await send('POST', '/api/metadata/entities/contact/fields', { name: 'twitter', type: 'url', label: 'Twitter' })).status).toBe(201);
    const next = await send('GET', '/api/openapi.json');
    expect(next.headers.get('etag')).not.toBe(first.headers.get('etag'));
    expect(next.body['x-metadata-version']).toBeGreaterThan(first.body['x-metadata-version']);
    expect(next.body.components.schemas.ContactRecord.properties.twitter).toMatchObject({ format: 'uri', title: 'Twitter' });
    expect(next.body.components.schemas.ContactInput.properties).toHaveProperty('twitter');
  });

  it('describes the records the API really returns', async () => {
    const acme = await send('POST', '/api/entities/account/records', { name: 'Acme', website: 'https://acme.example' });
    expect(acme.status).toBe(201);
    const upload = await fetch(`${server.base}/api/entities/contact/files/cv?filename=cv.txt`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${server.adminToken}` }, body: 'Ada Lovelace, analyst' });
    expect(upload.status).toBe(201);
    const file = (await upload.json()) as Doc;

    const full = await send('POST', '/api/entities/contact/records', {
      name: { first: 'Ada', last: 'Lovelace' }, nickname: 'ada', email: 'Ada@Example.org', phone: '+442071838750',
      salary: { amount: '1234.50' }, stage: 'customer', birthday: '1815-12-10', home: { city: 'London', country: 'GB' },
      account: acme.body._id, cv: file.id,
    });
    expect(full.body).toMatchObject({ _version: 1 });
    expect(full.status).toBe(201);
    const bare = await send('POST', '/api/entities/contact/records', { name: { last: 'Babbage' } });
    expect(bare.status).toBe(201);

    const doc = await openApi();
    const asRecord = schemaValidator(doc, 'ContactRecord');
    const fetched = await send('GET', `/api/entities/contact/records/${full.body._id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ shout: 'ADA', cv: { id: file.id }, account: acme.body._id });
    expect(asRecord(fetched.body)).toEqual([]);
    // Empty fields come back as null, which the schema allows.
    expect(asRecord((await send('GET', `/api/entities/contact/records/${bare.body._id}`)).body)).toEqual([]);
    const expanded = await send('GET', `/api/entities/contact/records/${full.body._id}?expand=account`);
    expect(expanded.body.account).toMatchObject({ name: 'Acme' });
    expect(asRecord(expanded.body)).toEqual([]);
    expect(asRecord({ ...fetched.body, stage: 'unknown' })).not.toEqual([]);

    const page = await send('GET', '/api/entities/contact/records?limit=200');
    expect(schemaValidator(doc, 'ContactPage')(page.body)).toEqual([]);
    expect((await send('GET', '/api/entities/contact/records?limit=201')).status).toBe(400);
    const bulk = await send('POST', '/api/entities/contact/records/bulk-create', { records: [{ name: { first: 'Grace' } }, { email: 'not-an-email' }] });
    expect(schemaValidator(doc, 'ContactBulkResult')(bulk.body)).toEqual([]);
    expect(schemaValidator(doc, 'Problem')((await send('GET', '/api/entities/contact/records/000000000000000000000000')).body)).toEqual([]);
  });
});
