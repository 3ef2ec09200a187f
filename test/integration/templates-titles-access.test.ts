/**
 * Issue 7, record titles and who may read them: a title is shown only to a reader who can see
 * every field its template read (of the record, and of the related record), search does not find
 * a record by words such a reader may not see, a title cannot be written by a client through any
 * write, a title a template cannot render keeps the title the record had, titles a save rendered
 * with an older template are rendered again, and a new record's title sees its audit fields.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { issueToken, startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, waitFor, type ApiRecord } from '../support/crm-fixture.ts';
import { addUser, emailOf, passwordOf } from '../support/permission-fixture.ts';

let s: AppServer;
let member: ApiRecord;
const as: Record<string, Record<string, string>> = {};

const entity = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => ({ name, label: name, pluralLabel: `${name}s`, fields, ...extra });
const saveTitle = async (text: string) => {
  const res = await s.call('PUT', '/api/templates/member-title', { kind: 'title', entity: 'member', parts: { text } });
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
};
const stored = async (id: string) => collection(s, 'rec_member').findOne({ _id: new ObjectId(id) });
const read = async (who: string, id: string) => (await s.call('GET', `/api/entities/member/records/${id}`, undefined, as[who])).body as ApiRecord;
const search = async (who: string, q: string) => ((await s.call('GET', `/api/entities/member/records?q=${encodeURIComponent(q)}`, undefined, as[who])).body.data as ApiRecord[]).map((r) => r._id);

async function user(name: string, entities: Record<string, unknown>): Promise<void> {
  const role = await s.call('PUT', `/api/roles/${name}`, { name, label: name, entities });
  expect(role.status, JSON.stringify(role.body)).toBe(200);
  await addUser(s, name as never, { roles: [name] });
  as[name] = { authorization: `Bearer ${await issueToken(s.call, { email: emailOf(name as never), password: passwordOf(name as never) }, ['records:read'])}` };
}

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, entity('programme', [{ name: 'name', type: 'text', required: true }, { name: 'budget', type: 'text' }], { titleField: 'name' }));
  await defineEntity(s, entity('member', [
    { name: 'last', type: 'text', required: true },
    { name: 'grade', type: 'text' },
    { name: 'programme', type: 'relation', target: 'programme' },
  ], { titleField: 'last' }));
  const art = await createRecord(s, 'programme', { name: 'Sculpture', budget: 'Lavish' });
  member = await createRecord(s, 'member', { last: 'Ward', grade: 'Platinum', programme: art._id });
  const readAll = { read: true, scope: 'all' };
  await user('full', { member: readAll, programme: readAll });
  await user('nograde', { member: { ...readAll, fields: { grade: 'hidden' } }, programme: readAll });
  await user('nobudget', { member: readAll, programme: { ...readAll, fields: { budget: 'hidden' } } });
  await user('noprogramme', { member: readAll });
  await user('ownprogrammes', { member: readAll, programme: { read: true, scope: 'own' } });
});
afterAll(async () => s.stop());

describe('a title shows only to readers who see what it was made of', () => {
  it('a title made of a hidden field is not shown, nor searchable by that field\'s words', async () => {
    await saveTitle('{{record.last}} · {{record.grade}} · {{record.programme.name}}');
    await waitFor(async () => (await stored(member._id))?._title === 'Ward · Platinum · Sculpture');
    expect((await read('full', member._id))._title).toBe('Ward · Platinum · Sculpture');
    expect(await search('full', 'platinum')).toEqual([member._id]);
    for (const [who, unseen] of [['nograde', 'Platinum'], ['noprogramme', 'Sculpture'], ['ownprogrammes', 'Sculpture']] as const) {
      expect(await read(who, member._id), who).not.toHaveProperty('_title');
      const list = await s.call('GET', '/api/entities/member/records', undefined, as[who]);
      expect(JSON.stringify(list.body), who).not.toContain(unseen);
      expect(await search(who, unseen), who).toEqual([]);
      // The title field still finds it, and global search shows that instead.
      expect(await search(who, 'ward'), who).toEqual([member._id]);
      const found = await s.call('GET', '/api/search?q=ward', undefined, as[who]);
      expect(found.body.items, who).toEqual([expect.objectContaining({ id: member._id, title: 'Ward' })]);
    }
    // A related record's field counts only when it is the one hidden.
    expect((await read('nobudget', member._id))._title).toBe('Ward · Platinum · Sculpture');
  });

  it('a title that reads a related record whole, or a hidden related field, is hidden from who cannot see all of it', async () => {
    await saveTitle('{{record.last}} {{record.programme.budget}}');
    await waitFor(async () => (await stored(member._id))?._title === 'Ward Lavish');
    expect(await read('nobudget', member._id)).not.toHaveProperty('_title');
    expect(await read('nograde', member._id)).toHaveProperty('_title', 'Ward Lavish');
    await saveTitle('{{record.last}} {{#with record.programme}}{{name}}{{/with}}');
    await waitFor(async () => (await stored(member._id))?._title === 'Ward Sculpture');
    expect(await read('nobudget', member._id)).not.toHaveProperty('_title');
    expect((await stored(member._id))?._titleUses).toEqual(['last', 'programme']);
  });

  it('a title made of visible fields only is shown to the restricted reader', async () => {
    await saveTitle('{{record.last}} ({{record.programme.name}})');
    await waitFor(async () => (await stored(member._id))?._title === 'Ward (Sculpture)');
    expect((await read('nograde', member._id))._title).toBe('Ward (Sculpture)');
    expect(await search('nograde', 'sculpture')).toEqual([]);
  });
});

describe('titles stay right', () => {
  it('cannot be written by a client through PATCH or PUT', async () => {
    const url = `/api/entities/member/records/${member._id}`;
    expectProblem(await s.call('PATCH', url, { _title: 'Forged' }), 422, ['/_title']);
    expectProblem(await s.call('PUT', url, { last: 'Ward', _title: 'Forged' }), 422, ['/_title']);
    expect((await stored(member._id))?._title).toBe('Ward (Sculpture)');
  });

  it('a title a save rendered with an older template is rendered again once caches have turned over', async () => {
    // What a save on an instance whose cache still held the previous template leaves behind.
    await collection(s, 'rec_member').updateOne({ _id: new ObjectId(member._id) }, { $set: { _title: 'Stale', _titleKey: 'an-older-template' } });
    await saveTitle('{{record.last}} [{{record.programme.name}}]');
    await waitFor(async () => (await stored(member._id))?._title === 'Ward [Sculpture]');
    await collection(s, 'rec_member').updateOne({ _id: new ObjectId(member._id) }, { $set: { _title: 'Stale', _titleKey: 'an-older-template' } });
    await waitFor(async () => (await stored(member._id))?._title === 'Ward [Sculpture]', 4000);
  });

  it('a save writes the title with the fields and template version that made it, whatever a retitle left meanwhile', async () => {
    await collection(s, 'rec_member').updateOne({ _id: new ObjectId(member._id) }, { $set: { _titleUses: ['last'] } });
    const patched = await s.call('PATCH', `/api/entities/member/records/${member._id}`, { grade: 'Silver' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect((await stored(member._id))?._titleUses).toEqual(['last', 'programme.name']);
  });

  it('a template that cannot render keeps the titles records had, on retitle and on save', async () => {
    await saveTitle('{{> no-such-partial}}');
    const patched = await s.call('PATCH', `/api/entities/member/records/${member._id}`, { grade: 'Gold' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body._title).toBe('Ward [Sculpture]');
    const doc = await stored(member._id);
    expect(doc?._title).toBe('Ward [Sculpture]');
    // Marked for the next retitle: no template version claims it.
    expect(doc?._titleKey).toBeUndefined();
  });

  it('a save that changes a field the kept title was made from drops it', async () => {
    const patched = await s.call('PATCH', `/api/entities/member/records/${member._id}`, { last: 'Warden' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).not.toHaveProperty('_title');
    expect((await stored(member._id))?._title).toBeUndefined();
  });

  it('a title made from a field since renamed shows to no one, and is rendered again', async () => {
    await saveTitle('{{record.last}} {{record.grade}}');
    await waitFor(async () => (await stored(member._id))?._title === 'Warden Gold');
    const renamed = await s.call('POST', '/api/metadata/entities/member/fields/grade/rename', { name: 'tier' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    for (const who of ['full', 'nograde']) expect(await read(who, member._id), who).not.toHaveProperty('_title');
    // Rendered again by the same template, which now reads a field that is not there.
    await waitFor(async () => (await stored(member._id))?._title === 'Warden');
    expect(JSON.stringify(await read('nograde', member._id))).not.toContain('Gold');
  });

  it('a new record\'s title sees its audit fields', async () => {
    await saveTitle('{{record.last}} by {{record.createdBy}} on {{formatDate record.createdAt "short"}}');
    const created = await createRecord(s, 'member', { last: 'Audited' });
    expect(created._title).toBe(`Audited by ${String(created.createdBy)} on ${new Date(String(created.createdAt)).toLocaleDateString('en', { timeZone: 'UTC', dateStyle: 'short' })}`);
  });
});

describe('titles follow changes made outside a record\'s own save', () => {
  const fanTitle = async (id: string) => (await collection(s, 'rec_fan').findOne({ _id: new ObjectId(id) }))?._title;

  it('deleting a related record (set null) and restoring it renders the title again', async () => {
    await defineEntity(s, entity('club', [{ name: 'name', type: 'text', required: true }], { titleField: 'name' }));
    await defineEntity(s, entity('fan', [{ name: 'name', type: 'text', required: true }, { name: 'nick', type: 'text' }, { name: 'club', type: 'relation', target: 'club', onDelete: 'setNull' }], { titleField: 'name' }));
    const res = await s.call('PUT', '/api/templates/fan-title', { kind: 'title', entity: 'fan', parts: { text: '{{record.name}} {{record.nick}} of {{record.club.name}}' } });
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
    const club = await createRecord(s, 'club', { name: 'Reds' });
    const fan = await createRecord(s, 'fan', { name: 'Ann', nick: 'Nan', club: club._id });
    expect(fan._title).toBe('Ann Nan of Reds');
    expect((await s.call('DELETE', `/api/entities/club/records/${club._id}`)).status).toBeLessThan(300);
    expect(await fanTitle(fan._id)).toBe('Ann Nan of');
    const entry = (await s.call('GET', '/api/recycle-bin?entity=club')).body.data.find((e: { recordId: string }) => e.recordId === club._id);
    expect((await s.call('POST', `/api/recycle-bin/${entry.id}/restore`)).status).toBeLessThan(300);
    expect(await fanTitle(fan._id)).toBe('Ann Nan of Reds');
  });

  it('removing a field a title is made from renders the titles again, without its value', async () => {
    const fan = await createRecord(s, 'fan', { name: 'Bo', nick: 'Bobo' });
    expect(fan._title).toBe('Bo Bobo of');
    expect((await s.call('DELETE', '/api/metadata/entities/fan/fields/nick')).status).toBeLessThan(300);
    await waitFor(async () => (await fanTitle(fan._id)) === 'Bo of');
    const found = await s.call('GET', '/api/entities/fan/records?q=bobo');
    expect(found.body.data).toEqual([]);
  });
});
