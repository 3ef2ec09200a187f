/**
 * Issue 7, record titles from templates: a title template written for an entity titles its
 * records on every save (merge fields from the record and the records its relations point at,
 * helpers in the default locale, plain text), the title comes back with the record and in lists,
 * search finds it, saving or deleting the template retitles existing records without changing
 * their version, an entity has one title template, and a title that cannot render never stops a
 * save.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, waitFor, type ApiRecord } from '../support/crm-fixture.ts';

let s: AppServer;
let art: ApiRecord;

const entity = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => ({ name, label: name, pluralLabel: `${name}s`, fields, ...extra });
const put = (name: string, body: unknown) => s.call('PUT', `/api/templates/${name}`, body);
const save = async (name: string, body: unknown) => {
  const res = await put(name, body);
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
};
const MEMBER_TITLE = { kind: 'title', entity: 'member', parts: { text: '{{record.last}}, {{record.first}}{{#if record.programme}} ({{record.programme.name}}){{/if}}' } };
const storedTitle = async (id: string) => (await getRecord(s, 'member', id))._title;

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, entity('programme', [{ name: 'name', type: 'text', required: true }], { titleField: 'name' }));
  await defineEntity(s, entity('member', [
    { name: 'first', type: 'text' },
    { name: 'last', type: 'text', required: true },
    { name: 'programme', type: 'relation', target: 'programme' },
    { name: 'joined', type: 'date' },
  ], { titleField: 'last' }));
  art = await createRecord(s, 'programme', { name: 'Art & Craft' });
});
afterAll(async () => s.stop());

describe('titles from a title template', () => {
  let early: ApiRecord;

  it('retitles the records that existed before the template, without a new version', async () => {
    early = await createRecord(s, 'member', { first: 'Ann', last: 'Early', programme: art._id });
    expect(early._title).toBeUndefined();
    await save('member-title', MEMBER_TITLE);
    const title = await waitFor(() => storedTitle(early._id));
    expect(title).toBe('Early, Ann (Art & Craft)');
    expect((await getRecord(s, 'member', early._id))._version).toBe(early._version);
  });

  it('titles a new record on save, with a related record\'s field, as plain text', async () => {
    const m = await createRecord(s, 'member', { first: 'Seán', last: "O'Brien <b>", programme: art._id });
    // Plain text: no HTML escaping (whatever shows a title escapes it).
    expect(m._title).toBe("O'Brien <b>, Seán (Art & Craft)");
    expect((await getRecord(s, 'member', m._id))._title).toBe(m._title);
    const stored = await collection(s, 'rec_member').findOne({ _id: new (await import('mongodb')).ObjectId(m._id) });
    expect(stored?._title).toBe(m._title);
  });

  it('follows the record when it changes', async () => {
    const m = await createRecord(s, 'member', { first: 'Bo', last: 'Change' });
    expect(m._title).toBe('Change, Bo');
    const res = await s.call('PATCH', `/api/entities/member/records/${m._id}`, { first: 'Bea', programme: art._id }, { 'If-Match': `"${m._version}"` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body._title).toBe('Change, Bea (Art & Craft)');
  });

  it('comes back in lists, even when the list asks for other fields only', async () => {
    const res = await s.call('GET', '/api/entities/member/records?fields=first&sort=_id');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const row = res.body.data.find((r: ApiRecord) => r._id === early._id);
    expect(row).toMatchObject({ first: 'Ann', _title: 'Early, Ann (Art & Craft)' });
    expect(row.last).toBeUndefined();
  });

  it('is what global search shows, and search finds a record by its title words', async () => {
    const res = await s.call('GET', `/api/search?q=${encodeURIComponent('craft early')}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ entity: 'member', id: early._id, title: 'Early, Ann (Art & Craft)' })]);
  });

  it('cannot be set by a client', async () => {
    expectProblem(await s.call('POST', '/api/entities/member/records', { last: 'Forger', _title: 'Someone else' }), 422, ['/_title']);
    const list = await s.call('GET', '/api/entities/member/records?filter=' + encodeURIComponent(JSON.stringify({ field: 'last', op: 'eq', value: 'Forger' })));
    expect(list.body.data ?? []).toEqual([]);
  });

  it('refuses a second title template for the same entity, naming /entity', async () => {
    const problem = expectProblem(await put('member-title-2', { ...MEMBER_TITLE, parts: { text: '{{record.first}}' } }), 422, ['/entity']);
    expect(problem.errors![0]!.detail).toContain('member-title');
    // Another entity is fine, and so is saving the same template again.
    await save('programme-title', { kind: 'title', entity: 'programme', parts: { text: 'Programme: {{record.name}}' } });
    await save('member-title', { ...MEMBER_TITLE, parts: { text: '{{upper record.last}} {{record.first}} · since {{formatDate record.joined "medium"}}' } });
  });

  it('retitles existing records when the template changes, with helpers', async () => {
    const m = await createRecord(s, 'member', { first: 'Di', last: 'Dated', joined: '2024-03-05' });
    await waitFor(async () => (await storedTitle(m._id)) === 'DATED Di · since Mar 5, 2024');
    await waitFor(async () => (await storedTitle(early._id)) === 'EARLY Ann · since');
  });

  it('never stops a save when the title cannot render: the title field stands in', async () => {
    await save('member-title', { ...MEMBER_TITLE, parts: { text: '{{> no-such-partial}}' } });
    const m = await createRecord(s, 'member', { first: 'Ed', last: 'Unrendered' });
    expect(m._title).toBeUndefined();
    expect((await getRecord(s, 'member', m._id)).last).toBe('Unrendered');
    const res = await s.call('GET', `/api/search?q=unrendered`);
    expect(res.body.items).toEqual([expect.objectContaining({ id: m._id, title: 'Unrendered' })]);
  });

  it('deleting the template takes its titles away again', async () => {
    const del = await s.call('DELETE', '/api/templates/member-title');
    expect(del.status, JSON.stringify(del.body)).toBeLessThan(300);
    await waitFor(async () => (await storedTitle(early._id)) === undefined);
    const res = await s.call('GET', `/api/search?q=early`);
    expect(res.body.items).toEqual([expect.objectContaining({ id: early._id, title: 'Early' })]);
  });
});
