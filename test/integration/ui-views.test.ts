/**
 * Saved list views over HTTP (issue 8): anyone who reads an entity saves their own table, kanban
 * and calendar views; only administrators share them; a private view is nobody else's business.
 * Views are checked as their author sees the entity (a filter cannot reach a hidden field),
 * follow a field rename, leave out an archived field, and refuse hostile bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/crm-fixture.ts';
import { startUiScenario, type UiScenario } from '../support/ui-fixture.ts';

let sc: UiScenario;
const views = (entity: string, rest = '') => `/api/entities/${entity}/views${rest}`;
const table = (label: string, extra: Record<string, unknown> = {}) => ({ label, kind: 'table', columns: ['name', 'email'], ...extra });

beforeAll(async () => {
  sc = await startUiScenario();
});
afterAll(async () => {
  await sc?.s.stop();
});

describe('own views', () => {
  it('creates (201), lists, reads, replaces and deletes (204) a view of its owner', async () => {
    const body = table('My open contacts', { filter: { field: 'status', op: 'eq', value: 'open' }, sort: '-createdAt,name', groupBy: 'account' });
    const created = await sc.as('sam')('POST', views('contact'), body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const view = created.body;
    expect(view).toMatchObject({ ...body, entity: 'contact', shared: false, owner: sc.ids.sam });
    expect(view._id).toMatch(/^[0-9a-f]{24}$/);
    expect(created.headers.get('location')).toBe(`/api/entities/contact/views/${view._id}`);
    expect((await sc.as('sam')('GET', views('contact'))).body.items).toEqual([view]);
    expect((await sc.as('sam')('GET', views('contact', `/${view._id}`))).body).toEqual(view);

    const replaced = await sc.as('sam')('PUT', views('contact', `/${view._id}`), { ...view, label: 'Renamed', kind: 'kanban', kanbanField: 'status', filter: undefined });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body).toMatchObject({ _id: view._id, label: 'Renamed', kind: 'kanban', kanbanField: 'status', owner: sc.ids.sam, createdAt: view.createdAt });
    expect(replaced.body).not.toHaveProperty('filter');
    expect((await sc.as('sam')('DELETE', views('contact', `/${view._id}`))).status).toBe(204);
    expectProblem(await sc.as('sam')('GET', views('contact', `/${view._id}`)), 404);
  });

  it('keeps a private view from every other user', async () => {
    const mine = (await sc.as('sam')('POST', views('contact'), table('Private'))).body;
    expect((await sc.as('sid')('GET', views('contact'))).body.items).toEqual([]);
    expectProblem(await sc.as('sid')('GET', views('contact', `/${mine._id}`)), 404);
    expectProblem(await sc.as('sid')('PUT', views('contact', `/${mine._id}`), table('Taken')), 404);
    expectProblem(await sc.as('sid')('DELETE', views('contact', `/${mine._id}`)), 404);
    // The same id under another entity is no view either.
    expectProblem(await sc.as('sam')('GET', views('account', `/${mine._id}`)), 404);
    // An administrator may manage it, and does not see it in their own list.
    expect((await sc.s.call('GET', views('contact'))).body.items.map((v: { _id: string }) => v._id)).not.toContain(mine._id);
    expect((await sc.s.call('PUT', views('contact', `/${mine._id}`), table('Tidied'))).body).toMatchObject({ label: 'Tidied', owner: sc.ids.sam });
    expect((await sc.s.call('DELETE', views('contact', `/${mine._id}`))).status).toBe(204);
  });

  it('shares views only when an administrator does', async () => {
    const refused = expectProblem(await sc.as('sam')('POST', views('contact'), table('Everyone', { shared: true })), 403);
    expect(refused.detail).toMatch(/administrators/);
    const shared = (await sc.s.call('POST', views('contact'), table('Team view', { columns: ['name', 'salary', 'email'], shared: true }))).body;
    expect(shared).toMatchObject({ shared: true, owner: expect.any(String) });
    // Everyone reading contacts sees it, without the columns hidden from them.
    expect((await sc.as('sam')('GET', views('contact'))).body.items.map((v: { columns: string[] }) => v.columns)).toEqual([['name', 'email']]);
    expect((await sc.as('sue')('GET', views('contact', `/${shared._id}`))).body.columns).toEqual(['name']);
    expectProblem(await sc.as('sam')('PUT', views('contact', `/${shared._id}`), table('Mine now')), 403);
    expectProblem(await sc.as('sam')('DELETE', views('contact', `/${shared._id}`)), 403);
    // A view of an entity the user cannot read does not exist for them.
    expectProblem(await sc.as('sue')('GET', views('deal')), 404);
    expectProblem(await sc.as('sue')('POST', views('deal'), { label: 'x', kind: 'table', columns: ['title'] }), 404);
    expect((await sc.s.call('DELETE', views('contact', `/${shared._id}`))).status).toBe(204);
  });
});

describe('checking views', () => {
  it('refuses unknown columns and unsuitable fields, each at its pointer', async () => {
    const res = await sc.as('sam')('POST', views('contact'), { label: 'Bad', kind: 'kanban', columns: ['name', 'nope', 'name'], groupBy: 'ghost', kanbanField: 'email' });
    expectProblem(res, 422, ['/columns/1', '/columns/2', '/groupBy', '/kanbanField']);
    expectProblem(await sc.as('sam')('POST', views('contact'), { label: 'Bad', kind: 'kanban', columns: ['name'] }), 422, ['/kanbanField']);
    expectProblem(await sc.as('sam')('POST', views('contact'), { label: 'Bad', kind: 'calendar', columns: ['name'] }), 422, ['/dateField']);
    expectProblem(await sc.as('sam')('POST', views('contact'), { label: 'Bad', kind: 'calendar', columns: ['name'], dateField: 'status' }), 422, ['/dateField']);
    expectProblem(await sc.as('sam')('POST', views('contact'), { label: 'Bad', kind: 'grid', columns: [], extra: 1 }), 422, ['/kind', '/columns', '/extra']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Bad', { filter: { field: 'status', op: 'between', value: 1 } })), 422, ['/filter/op']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Bad', { sort: 'name,-nothing' })), 422, ['/sort']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Bad', { entity: 'deal' })), 422, ['/entity']);
    for (const kind of [{ kind: 'calendar', dateField: 'birthday' }, { kind: 'calendar', dateField: 'createdAt' }, { kind: 'kanban', kanbanField: 'status' }]) {
      const ok = await sc.as('sid')('POST', views('contact'), { label: 'Fine', columns: ['name', 'createdAt'], ...kind });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    }
  });

  it('cannot reach a field hidden from its author, through columns, filter, sort or grouping', async () => {
    const res = await sc.as('sam')('POST', views('contact'), { label: 'Spy', kind: 'table', columns: ['name', 'salary'], filter: { and: [{ field: 'status', op: 'eq', value: 'open' }, { field: 'salary', op: 'gt', value: { amount: '50000', currency: 'GBP' } }] }, sort: '-salary', groupBy: 'salary' });
    const problem = expectProblem(res, 422, ['/columns/1', '/filter/and/1/field', '/sort', '/groupBy']);
    expect(JSON.stringify(problem)).not.toMatch(/currency/);
    // The same view is fine for an administrator, who sees the salary.
    expect((await sc.s.call('POST', views('contact'), { label: 'Pay', kind: 'table', columns: ['name', 'salary'], filter: { field: 'salary', op: 'isSet' }, sort: '-salary' })).status).toBe(201);
  });

  it('refuses operator and prototype keys in the view and its filter, and oversized views', async () => {
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Where', { filter: { $where: 'sleep(1000)' } })), 422, ['/filter/$where']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Ne', { filter: { field: 'email', op: 'eq', value: { $ne: null } } })), 422, ['/filter/value/$ne']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Op', { $set: { owner: 'x' } })), 422, ['/$set']);
    const raw = '{"label":"P","kind":"table","columns":["name"],"filter":{"field":"name","op":"eq","value":"x","__proto__":{"admin":true}}}';
    expectProblem(await sc.as('sam')('POST', views('contact'), raw), 422, ['/filter/__proto__']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Wide', { columns: Array.from({ length: 51 }, () => 'name') })), 422, ['/columns']);
    expectProblem(await sc.as('sam')('POST', views('contact'), table('Deep', { filter: { or: Array.from({ length: 120 }, () => ({ field: 'name', op: 'contains', value: 'a' })) } })), 422);
    expect((await sc.as('sam')('GET', views('contact'))).body.items).toEqual([]);
  });
});

describe('when fields change', () => {
  it('follows a renamed field in columns, filter, sort, grouping and kanban field', async () => {
    const view = (await sc.as('sid')('POST', views('contact'), { label: 'Board', kind: 'kanban', columns: ['name', 'status'], kanbanField: 'status', groupBy: 'status', sort: '-status,name', filter: { or: [{ field: 'status', op: 'in', value: ['open'] }, { not: { field: 'status', op: 'isSet' } }] } })).body;
    expect((await sc.s.call('POST', '/api/metadata/entities/contact/fields/status/rename', { name: 'state' })).status).toBe(200);
    const after = (await sc.as('sid')('GET', views('contact', `/${view._id}`))).body;
    expect(after).toMatchObject({ columns: ['name', 'state'], kanbanField: 'state', groupBy: 'state', sort: '-state,name', filter: { or: [{ field: 'state', op: 'in', value: ['open'] }, { not: { field: 'state', op: 'isSet' } }] } });
    // The renamed view still works as a records query.
    const list = await sc.as('sid')('GET', `/api/entities/contact/records?filter=${encodeURIComponent(JSON.stringify(after.filter))}&sort=${after.sort}`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
  });

  it('leaves out an archived field without failing', async () => {
    const view = (await sc.as('sid')('POST', views('contact'), { label: 'Birthdays', kind: 'calendar', columns: ['name', 'birthday'], dateField: 'birthday' })).body;
    expect((await sc.s.call('DELETE', '/api/metadata/entities/contact/fields/birthday')).status).toBe(200);
    const after = await sc.as('sid')('GET', views('contact', `/${view._id}`));
    expect(after.status).toBe(200);
    expect(after.body.columns).toEqual(['name']);
    expect(after.body).not.toHaveProperty('dateField');
    expect((await sc.as('sid')('GET', views('contact'))).status).toBe(200);
  });
});
