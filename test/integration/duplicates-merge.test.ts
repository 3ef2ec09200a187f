/**
 * Merging records over HTTP (issue 5): the survivor takes the chosen winner of each field, every
 * record pointing at a loser moves to the survivor (many-to-one relations and many-to-many links),
 * the survivor's history shows the values it took on the `merge` channel, and the losers go to the
 * recycle bin through the normal delete. Every refusal (bad input, missing permission) comes before
 * any write: nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { issueToken, startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, settled, storedRecords, waitFor, type ApiRecord } from '../support/crm-fixture.ts';
import { addUser, emailOf, passwordOf, NO_SUCH_ID } from '../support/permission-fixture.ts';

let server: AppServer;
const ENTITIES = ['partner', 'account', 'contact', 'deal', 'campaign'];
const merge = (survivor: string, body: unknown, headers?: Record<string, string>) => server.call('POST', `/api/entities/account/records/${survivor}/merge`, body, headers);
const everything = async () => Promise.all(ENTITIES.map((e) => storedRecords(server, e)));

beforeAll(async () => {
  server = await startAppServer();
  const define = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => defineEntity(server, { name, label: name, pluralLabel: `${name}s`, fields, ...extra });
  await define('partner', [{ name: 'name', type: 'text' }]);
  await define('account', [
    { name: 'name', type: 'text', required: true },
    { name: 'website', type: 'url' },
    { name: 'phone', type: 'phone' },
    { name: 'email', type: 'email' },
    { name: 'partners', type: 'manyToMany', target: 'partner' },
  ], { titleField: 'name' });
  await define('contact', [{ name: 'name', type: 'text' }, { name: 'account', type: 'relation', target: 'account', onDelete: 'restrict' }]);
  await define('deal', [{ name: 'title', type: 'text' }, { name: 'account', type: 'relation', target: 'account', onDelete: 'cascade' }]);
  await define('campaign', [{ name: 'name', type: 'text' }, { name: 'accounts', type: 'manyToMany', target: 'account', attributes: [{ name: 'role', type: 'text' }] }]);
});

afterAll(async () => {
  await server?.stop();
});

describe('a merge', () => {
  let a: ApiRecord, b: ApiRecord, c: ApiRecord;
  let result: Awaited<ReturnType<typeof merge>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const p1 = await createRecord(server, 'partner', { name: 'P1' });
    const p2 = await createRecord(server, 'partner', { name: 'P2' });
    ids.p1 = p1._id;
    ids.p2 = p2._id;
    a = await createRecord(server, 'account', { name: 'Acme', website: 'https://acme.example/', phone: '+44 20 7183 8750', partners: [p1._id] });
    b = await createRecord(server, 'account', { name: 'ACME Ltd', website: 'https://acme.co.uk/', partners: [p2._id, p1._id] });
    c = await createRecord(server, 'account', { name: 'Acme Inc', phone: '+33 1 42 68 53 00' });
    ids.c1 = (await createRecord(server, 'contact', { name: 'Con One', account: b._id }))._id;
    ids.c2 = (await createRecord(server, 'contact', { name: 'Con Two', account: c._id }))._id;
    ids.c3 = (await createRecord(server, 'contact', { name: 'Con Three', account: a._id }))._id;
    ids.deal = (await createRecord(server, 'deal', { title: 'Big deal', account: b._id }))._id;
    ids.k1 = (await createRecord(server, 'campaign', { name: 'Spring', accounts: [{ id: b._id, role: 'sponsor' }] }))._id;
    ids.k2 = (await createRecord(server, 'campaign', { name: 'Autumn', accounts: [{ id: a._id, role: 'host' }, { id: c._id, role: 'sponsor' }] }))._id;
    await settled(server, ENTITIES);
    result = await merge(a._id, { merge: [b._id, c._id], values: { website: b._id, phone: c._id } });
  });

  it('keeps the survivor with, field by field, the chosen winner and its own values elsewhere', () => {
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.record).toMatchObject({ _id: a._id, name: 'Acme', website: 'https://acme.co.uk/', phone: '+33142685300' });
    expect(result.body.merged).toEqual([b._id, c._id]);
    // The survivor's own many-to-many links are joined with the losers'.
    expect(result.body.record.partners.map((l: { id: string }) => l.id)).toEqual([ids.p1, ids.p2]);
  });

  it('moves many-to-one relations of other records from the losers to the survivor', async () => {
    for (const id of [ids.c1, ids.c2, ids.c3]) expect((await getRecord(server, 'contact', id!)).account).toBe(a._id);
    // The deal would have been deleted with its account (cascade) had it not moved first.
    expect((await getRecord(server, 'deal', ids.deal!)).account).toBe(a._id);
    expect(result.body.moved).toEqual(expect.arrayContaining([{ entity: 'contact', field: 'account', count: 2 }, { entity: 'deal', field: 'account', count: 1 }, { entity: 'campaign', field: 'accounts', count: 2 }]));
  });

  it('moves many-to-many links, keeping their attributes, never linking the survivor twice', async () => {
    expect((await getRecord(server, 'campaign', ids.k1!)).accounts).toEqual([{ id: a._id, role: 'sponsor' }]);
    expect((await getRecord(server, 'campaign', ids.k2!)).accounts).toEqual([{ id: a._id, role: 'host' }]);
  });

  it('records in the survivor\'s history each value taken from a loser, on the merge channel', async () => {
    const entry = await waitFor(async () => {
      const res = await server.call('GET', `/api/entities/account/records/${a._id}/history`);
      return (res.body.data as Array<{ type: string; channel: string; changes: Array<{ field: string; before: unknown; after: unknown }> }>).find((e) => e.channel === 'merge');
    });
    expect(entry.type).toBe('updated');
    expect(entry.changes).toEqual(expect.arrayContaining([
      { field: 'website', before: 'https://acme.example/', after: 'https://acme.co.uk/' },
      { field: 'phone', before: '+442071838750', after: '+33142685300' },
    ]));
    const moved = await waitFor(async () => (await server.call('GET', `/api/entities/contact/records/${ids.c1}/history`)).body.data.find((e: { channel: string }) => e.channel === 'merge'));
    expect(moved.changes).toEqual([{ field: 'account', before: b._id, after: a._id }]);
  });

  it('deletes the losers through the normal delete: in the recycle bin, restorable', async () => {
    for (const loser of [b, c]) expectProblem(await server.call('GET', `/api/entities/account/records/${loser._id}`), 404);
    const bin = await collection(server, 'recycle_bin').find({ entity: 'account', recordId: { $in: [new ObjectId(b._id), new ObjectId(c._id)] } }).toArray();
    expect(bin).toHaveLength(2);
    const restored = await server.call('POST', `/api/recycle-bin/${(bin.find((e) => e.recordId.equals(new ObjectId(b._id))))!._id.toHexString()}/restore`);
    expect(restored.status).toBe(200);
    expect((await getRecord(server, 'account', b._id)).name).toBe('ACME Ltd');
    const deleted = await waitFor(async () => {
      const entries = await collection(server, 'audit_log').find({ entity: 'account', recordId: new ObjectId(c._id), type: 'deleted' }).toArray();
      return entries[0];
    });
    expect(deleted.channel).toBe('merge');
  });
});

describe('refusals change nothing', () => {
  let a: ApiRecord, b: ApiRecord;
  const tokens: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    a = await createRecord(server, 'account', { name: 'Initech' });
    b = await createRecord(server, 'account', { name: 'INITECH' });
    await createRecord(server, 'contact', { name: 'Peter', account: b._id });
    const all = { read: true, create: true, update: true, delete: true, scope: 'all' };
    const roles: Record<string, Record<string, unknown>> = {
      noDelete: { account: { ...all, delete: false }, contact: all, deal: all, campaign: all },
      noChild: { account: all, contact: { read: true, scope: 'all' }, deal: all, campaign: all },
      ownOnly: { account: { ...all, scope: 'own' }, contact: all, deal: all, campaign: all },
    };
    for (const [name, entities] of Object.entries(roles)) {
      expect((await server.call('PUT', `/api/roles/${name}`, { name, label: name, entities })).status).toBe(200);
      await addUser(server, name.toLowerCase(), { roles: [name] });
      const who = { email: emailOf(name.toLowerCase() as never), password: passwordOf(name.toLowerCase() as never) };
      tokens[name] = { authorization: `Bearer ${await issueToken(server.call, who)}` };
    }
    await settled(server, ENTITIES);
  });

  it.each([
    ['itself', () => ({ merge: [a._id] }), 422, ['/merge/0']],
    ['the same record twice', () => ({ merge: [b._id, b._id] }), 422, ['/merge/1']],
    ['an id that is not one', () => ({ merge: ['not-an-id'] }), 422, ['/merge/0']],
    ['an unknown record', () => ({ merge: [b._id, NO_SUCH_ID] }), 404, ['/merge/1']],
    ['nothing', () => ({ merge: [] }), 422, ['/merge']],
    ['no merge member', () => ({ values: {} }), 422, ['/merge']],
    ['an unknown member', () => ({ merge: [b._id], keep: true }), 422, ['/keep']],
    ['an unknown field', () => ({ merge: [b._id], values: { nope: b._id } }), 422, ['/values/nope']],
    ['a winner outside the merge', () => ({ merge: [b._id], values: { name: NO_SUCH_ID } }), 422, ['/values/name']],
    ['a body that is not an object', () => [b._id], 422, ['/']],
  ] as const)('merging %s: %i at its pointer', async (_what, body, status, pointers) => {
    const before = await everything();
    const problem = expectProblem(await merge(a._id, body()), status, [...pointers]);
    expect(problem.status).toBe(status);
    expect(await everything()).toEqual(before);
  });

  it('answers 404 for an unknown survivor', async () => {
    expectProblem(await merge(NO_SUCH_ID, { merge: [b._id] }), 404);
  });

  it('refuses with 403, before any write, a caller who may not delete the losers', async () => {
    const before = await everything();
    expect(expectProblem(await merge(a._id, { merge: [b._id], values: { name: b._id } }, tokens.noDelete), 403).detail).toMatch(/may not delete/);
    expect(await everything()).toEqual(before);
  });

  it('refuses with 403 a caller who may not change the records that would move', async () => {
    const before = await everything();
    const problem = expectProblem(await merge(a._id, { merge: [b._id], values: { name: b._id } }, tokens.noChild), 403);
    expect(problem.detail).toMatch(/Records you may not change point at the records being merged/);
    expect(await everything()).toEqual(before);
  });

  it('answers a loser outside the caller\'s read scope as an unknown record', async () => {
    const mine = await server.call('POST', '/api/entities/account/records', { name: 'My own' }, tokens.ownOnly);
    expect(mine.status).toBe(201);
    const before = await everything();
    expectProblem(await merge(mine.body._id, { merge: [b._id] }, tokens.ownOnly), 404, ['/merge/0']);
    expect(await everything()).toEqual(before);
  });
});

describe('a merge by a user limited to their own records', () => {
  it('goes through when every record involved is theirs to change', async () => {
    const who = { email: emailOf('owner' as never), password: passwordOf('owner' as never) };
    const all = { read: true, create: true, update: true, delete: true, scope: 'own' };
    expect((await server.call('PUT', '/api/roles/owner', { name: 'owner', label: 'Owner', entities: { account: all, contact: all, deal: all, campaign: all } })).status).toBe(200);
    await addUser(server, 'owner', { roles: ['owner'] });
    const as = { authorization: `Bearer ${await issueToken(server.call, who)}` };
    const make = async (entity: string, body: Record<string, unknown>) => (await server.call('POST', `/api/entities/${entity}/records`, body, as)).body._id as string;
    const keep = await make('account', { name: 'Hooli' });
    const lose = await make('account', { name: 'Hooli Inc', website: 'https://hooli.example' });
    const gavin = await make('contact', { name: 'Gavin', account: lose });
    const res = await merge(keep, { merge: [lose], values: { website: lose } }, as);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.record.website).toBe('https://hooli.example/');
    expect((await getRecord(server, 'contact', gavin)).account).toBe(keep);
  });
});

describe('merging under a blocking duplicate rule', () => {
  it('lets the survivor take a loser\'s value that only the loser shares', async () => {
    const a = await createRecord(server, 'account', { name: 'Globex' });
    const b = await createRecord(server, 'account', { name: 'Globex Corp', email: 'info@globex.example' });
    expect((await server.call('PUT', '/api/entities/account/duplicate-rules/byEmail', { fields: [{ field: 'email' }], action: 'block' })).status).toBe(201);
    expectProblem(await server.call('PATCH', `/api/entities/account/records/${a._id}`, { email: 'INFO@globex.example' }), 409, ['/email']);
    const res = await merge(a._id, { merge: [b._id], values: { email: b._id } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.record.email).toBe('info@globex.example');
    expect((await server.call('DELETE', '/api/entities/account/duplicate-rules/byEmail')).status).toBe(204);
  });
});

describe('a merge stopped halfway', () => {
  it('loses nothing, says what is left, and finishes when sent again', async () => {
    const a = await createRecord(server, 'account', { name: 'Umbrella' });
    const b = await createRecord(server, 'account', { name: 'Umbrella Corp', website: 'https://umbrella.example' });
    const kept = await createRecord(server, 'contact', { name: 'Alice', account: a._id });
    const twin = await createRecord(server, 'contact', { name: 'alice', account: b._id });
    // Moving the second Alice to the survivor would make her a duplicate of the first.
    expect((await server.call('PUT', '/api/entities/contact/duplicate-rules/nameAccount', { fields: [{ field: 'name' }, { field: 'account' }], action: 'block' })).status).toBe(201);
    const stopped = expectProblem(await merge(a._id, { merge: [b._id], values: { website: b._id } }), 409, ['/merge']);
    expect(stopped.type).toMatch(/merge-incomplete$/);
    expect(stopped.detail).toContain(`moving contact ${twin._id}`);
    expect(stopped.detail).toContain('No merged record was deleted');
    expect((await getRecord(server, 'account', a._id)).website).toBe('https://umbrella.example/');
    expect((await getRecord(server, 'account', b._id)).name).toBe('Umbrella Corp');
    expect((await getRecord(server, 'contact', twin._id)).account).toBe(b._id);

    expect((await server.call('DELETE', `/api/entities/contact/records/${kept._id}`)).status).toBe(204);
    const finished = await merge(a._id, { merge: [b._id], values: { website: b._id } });
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect((await getRecord(server, 'contact', twin._id)).account).toBe(a._id);
    expectProblem(await server.call('GET', `/api/entities/account/records/${b._id}`), 404);
    expect((await server.call('DELETE', '/api/entities/contact/duplicate-rules/nameAccount')).status).toBe(204);
  });
});
