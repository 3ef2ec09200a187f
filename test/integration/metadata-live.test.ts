/** Metadata changes are validated, versioned and live at once, here and on a second instance. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';

let s: AppServer;
let other: AppServer;

const contact = {
  name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
  fields: [{ name: 'name', type: 'text', required: true }, { name: 'email', type: 'email' }],
};

beforeAll(async () => {
  s = await startAppServer();
  // A second server instance on the same database, as behind a load balancer.
  other = await startAppServer({ engine: s.engine, metadataPollMs: 100 });
});
afterAll(async () => {
  await other.stop();
  await s.stop();
});

describe('entity definitions', () => {
  it('creates an entity whose records API works at once', async () => {
    const created = await s.call('POST', '/api/metadata/entities', contact);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'contact', version: 1 });
    expect(created.headers.get('etag')).toBe('"1"');
    const record = await s.call('POST', '/api/entities/contact/records', { name: 'Ada', email: 'ADA@Example.org' });
    expect(record.status).toBe(201);
    expect(record.body).toMatchObject({ name: 'Ada', email: 'ada@example.org', _version: 1 });
  });

  it('refuses a duplicate entity and reports every problem of a bad definition with pointers', async () => {
    expect((await s.call('POST', '/api/metadata/entities', contact)).status).toBe(409);
    const bad = await s.call('POST', '/api/metadata/entities', {
      name: 'Bad Name', label: '', pluralLabel: 'x',
      fields: [{ name: 'a', type: 'nope' }, { name: 'createdAt', type: 'text' }, { name: 'r', type: 'relation', target: 'ghost' }],
    });
    expect(bad.status).toBe(422);
    const pointers = bad.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/name', '/label', '/fields/0']));
    const semantic = await s.call('POST', '/api/metadata/entities', {
      name: 'bad', label: 'Bad', pluralLabel: 'Bads', titleField: 'ghost',
      fields: [{ name: 'createdAt', type: 'text' }, { name: 'r', type: 'relation', target: 'ghost' }, { name: 'f', type: 'formula', resultType: 'number', expression: 'nope + ' }],
    });
    expect(semantic.status).toBe(422);
    expect(semantic.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/titleField', '/fields/0/name', '/fields/1/target', '/fields/2/expression']),
    );
  });

  it('makes an added field live for the next request, with validation, and keeps history', async () => {
    const added = await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'age', type: 'integer', min: 0, max: 150 });
    expect(added.status).toBe(201);
    expect(added.body.version).toBe(2);
    expect((await s.call('POST', '/api/entities/contact/records', { name: 'Old', age: 200 })).body.errors).toEqual([{ pointer: '/age', detail: 'must be <= 150' }]);
    expect((await s.call('POST', '/api/entities/contact/records', { name: 'Bob', age: 40 })).body.age).toBe(40);
    const history = await s.call('GET', '/api/metadata/entities/contact/history');
    expect(history.body.data.map((h: { version: number; change: string }) => [h.version, h.change])).toEqual([[2, 'update'], [1, 'create']]);
  });

  it('shows a change made on one instance on another within a second', async () => {
    const started = Date.now();
    await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'nickname', type: 'text', maxLength: 20 });
    let seen = false;
    while (!seen && Date.now() - started < 1000) {
      const res = await other.call('POST', '/api/entities/contact/records', { name: 'Cy', nickname: 'cyc' });
      seen = res.status === 201;
      if (!seen) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a stale If-Match on a definition with 412', async () => {
    const current = await s.call('GET', '/api/metadata/entities/contact');
    const res = await s.call('PUT', '/api/metadata/entities/contact', { ...contact, label: 'Person' }, { 'if-match': `"${current.body.version - 1}"` });
    expect(res.status).toBe(412);
    const ok = await s.call('PUT', '/api/metadata/entities/contact', { ...current.body, label: 'Person', version: undefined, metadataVersion: undefined, updatedAt: undefined }, { 'if-match': current.headers.get('etag')! });
    expect(ok.status).toBe(200);
    expect(ok.body.label).toBe('Person');
  });

  it('keeps the data of a removed field in the archive, and shows it again when the field is restored', async () => {
    const rec = await s.call('POST', '/api/entities/contact/records', { name: 'Dee', age: 33 });
    const removed = await s.call('DELETE', '/api/metadata/entities/contact/fields/age');
    expect(removed.status).toBe(200);
    const without = await s.call('GET', `/api/entities/contact/records/${rec.body._id}`);
    expect(without.body).not.toHaveProperty('age');
    expect((await s.call('POST', '/api/entities/contact/records', { name: 'E', age: 1 })).status).toBe(422);
    // Adding a field of the same name is refused: the archived one must be restored (or purged) first.
    expect((await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'age', type: 'integer' })).status).toBe(422);
    const archived = (await s.call('GET', '/api/metadata/archive?entity=contact')).body.data.find((e: { field?: { name: string } }) => e.field?.name === 'age');
    expect((await s.call('POST', `/api/metadata/archive/${archived.id}/restore`)).status).toBe(200);
    expect((await s.call('GET', `/api/entities/contact/records/${rec.body._id}`)).body.age).toBe(33);
  });

  it('refuses a type change on a live field (that is a conversion, issue 5)', async () => {
    const res = await s.call('PUT', '/api/metadata/entities/contact/fields/age', { type: 'text' });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toMatch(/\/type$/);
  });

  it('refuses a unique constraint over duplicates, listing them, and enforces it otherwise', async () => {
    await s.call('POST', '/api/entities/contact/records', { name: 'Dup', email: 'dup@example.org' });
    await s.call('POST', '/api/entities/contact/records', { name: 'Dup2', email: 'dup@example.org' });
    const refused = await s.call('PUT', '/api/metadata/entities/contact/fields/email', { type: 'email', unique: true });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].detail).toContain('dup@example.org');
    const fresh = await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'code', type: 'text', unique: true });
    expect(fresh.status).toBe(201);
    expect((await s.call('POST', '/api/entities/contact/records', { name: 'A', code: 'X1' })).status).toBe(201);
    const clash = await s.call('POST', '/api/entities/contact/records', { name: 'B', code: 'X1' });
    expect(clash.status).toBe(409);
    expect(clash.body.errors).toEqual([{ pointer: '/code', detail: 'must be unique' }]);
    // Records without a value never collide.
    expect((await s.call('POST', '/api/entities/contact/records', { name: 'C' })).status).toBe(201);
    expect((await s.call('POST', '/api/entities/contact/records', { name: 'D' })).status).toBe(201);
  });

  it('refuses to remove a field another entity summarises, and a required relation set to null on delete', async () => {
    await s.call('POST', '/api/metadata/entities', { name: 'visit', label: 'Visit', pluralLabel: 'Visits', fields: [{ name: 'who', type: 'relation', target: 'contact' }, { name: 'minutes', type: 'integer' }] });
    expect((await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'visitMinutes', type: 'rollup', entity: 'visit', relationField: 'who', function: 'sum', field: 'minutes' })).status).toBe(201);
    const refused = await s.call('DELETE', '/api/metadata/entities/visit/fields/minutes');
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('contact.visitMinutes');
    // A rollup filter is checked like a query filter, and the child cannot later break it.
    const badFilter = await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'longVisits', type: 'rollup', entity: 'visit', relationField: 'who', function: 'count', filter: { field: 'nope', op: 'eq', value: 1 } });
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.errors[0].pointer).toMatch(/^\/fields\/\d+\/filter/);
    await s.call('POST', '/api/metadata/entities/visit/fields', { name: 'kind', type: 'text' });
    expect((await s.call('POST', '/api/metadata/entities/contact/fields', { name: 'homeVisits', type: 'rollup', entity: 'visit', relationField: 'who', function: 'count', filter: { field: 'kind', op: 'eq', value: 'home' } })).status).toBe(201);
    expect((await s.call('DELETE', '/api/metadata/entities/visit/fields/kind')).status).toBe(409);
    expect((await s.call('GET', '/api/entities/contact/records')).status).toBe(200);
    await s.call('DELETE', '/api/metadata/entities/contact/fields/homeVisits');
    const bad = await s.call('POST', '/api/metadata/entities/visit/fields', { name: 'host', type: 'relation', target: 'contact', required: true, onDelete: 'setNull' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].pointer).toMatch(/onDelete$/);
    await s.call('DELETE', '/api/metadata/entities/contact/fields/visitMinutes');
    expect((await s.call('DELETE', '/api/metadata/entities/visit')).status).toBe(204);
  });

  it('deletes an entity only when nothing points at it', async () => {
    await s.call('POST', '/api/metadata/entities', { name: 'note', label: 'Note', pluralLabel: 'Notes', fields: [{ name: 'about', type: 'relation', target: 'contact' }] });
    expect((await s.call('DELETE', '/api/metadata/entities/contact')).status).toBe(409);
    expect((await s.call('DELETE', '/api/metadata/entities/note')).status).toBe(204);
    expect((await s.call('GET', '/api/entities/note/records')).status).toBe(404);
  });
});
