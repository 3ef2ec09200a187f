/**
 * Dashboards over HTTP (issue 8): administrators build them from group-by reports; everyone sees
 * the ones for their roles, with every number computed in their own read scope. A widget the
 * user cannot compute becomes an error entry; the dashboard still answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, expectProblem } from '../support/crm-fixture.ts';
import { startUiScenario, type UiScenario } from '../support/ui-fixture.ts';

let sc: UiScenario;
const gbp = (amount: string) => ({ amount, currency: 'GBP' });
const dashboards = (rest = '') => `/api/dashboards${rest}`;
type Widget = { title: string; chart?: string; rows?: Array<{ key: unknown; label: string; value: unknown }>; error?: { status: number; detail: string } };
const byTitle = (body: { widgets: Widget[] }) => Object.fromEntries(body.widgets.map((w) => [w.title, w]));

const PIPELINE = {
  label: 'Pipeline',
  widgets: [
    { title: 'Deals by stage', entity: 'deal', chart: 'bar', groupBy: 'stage', measure: { op: 'count' } },
    { title: 'Amount by stage', entity: 'deal', chart: 'table', groupBy: 'stage', measure: { op: 'sum', field: 'amount' } },
    { title: 'Won', entity: 'deal', chart: 'number', measure: { op: 'sum', field: 'amount' }, filter: { field: 'stage', op: 'eq', value: 'won' } },
    { title: 'Deals per week', entity: 'deal', chart: 'line', groupBy: 'closeDate', dateBucket: 'week', measure: { op: 'count' } },
    { title: 'Average by month', entity: 'deal', chart: 'line', groupBy: 'closeDate', dateBucket: 'month', measure: { op: 'avg', field: 'amount' } },
    { title: 'Deals by account', entity: 'deal', chart: 'pie', groupBy: 'account', measure: { op: 'count' } },
    { title: 'Contacts', entity: 'contact', chart: 'number', measure: { op: 'count' } },
    { title: 'Paid contacts', entity: 'contact', chart: 'number', measure: { op: 'count' }, filter: { field: 'salary', op: 'isSet' } },
    { title: 'Staff pay', entity: 'staff', chart: 'number', measure: { op: 'sum', field: 'pay' } },
  ],
};

beforeAll(async () => {
  sc = await startUiScenario();
  const acme = await createRecord(sc.s, 'account', { name: 'Acme Trust' });
  const bolt = await createRecord(sc.s, 'account', { name: 'Bolt Ltd' });
  const deals = [
    ['A', 'won', '1000.50', '2024-12-30', acme._id], ['B', 'won', '250.25', '2025-01-02', acme._id], ['C', 'lead', '99', '2025-01-06', bolt._id],
    ['D', 'lost', '10', '2025-02-11', bolt._id], ['E', 'lead', '1', null, null],
  ] as const;
  for (const [title, stage, amount, closeDate, account] of deals) await createRecord(sc.s, 'deal', { title, stage, amount: gbp(amount), ...(closeDate ? { closeDate } : {}), ...(account ? { account } : {}) });
  await createRecord(sc.s, 'contact', { name: { first: 'Ann', last: 'Admin' }, salary: gbp('30000') });
  for (const user of ['sam', 'sam', 'sid'] as const) expect((await sc.as(user)('POST', '/api/entities/contact/records', { name: { first: user, last: 'Owned' } })).status).toBe(201);
  await createRecord(sc.s, 'staff', { name: 'Pat', pay: 100 });
});
afterAll(async () => {
  await sc?.s.stop();
});

describe('dashboard data', () => {
  it('counts and sums by group, buckets dates by week and month, and labels options and records', async () => {
    expect((await sc.s.call('PUT', dashboards('/pipeline'), PIPELINE)).status).toBe(201);
    const res = await sc.s.call('GET', dashboards('/pipeline/data'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const w = byTitle(res.body);
    expect(w['Deals by stage']!.chart).toBe('bar');
    expect(w['Deals by stage']!.rows).toEqual(expect.arrayContaining([{ key: 'won', label: 'Won', value: 2 }, { key: 'lead', label: 'Lead', value: 2 }, { key: 'lost', label: 'Lost', value: 1 }]));
    expect(w['Deals by stage']!.rows).toHaveLength(3);
    expect(Object.fromEntries(w['Amount by stage']!.rows!.map((r) => [r.key, r.value]))).toEqual({ won: 1250.75, lead: 100, lost: 10 });
    expect(w.Won!.rows).toEqual([{ key: null, label: 'Won', value: 1250.75 }]);
    // Weeks start on Monday: 30 December 2024 and 2 January 2025 are the same week.
    expect(w['Deals per week']!.rows!.map((r) => [r.key, r.value])).toEqual([['2024-12-30', 2], ['2025-01-06', 1], ['2025-02-10', 1], [null, 1]]);
    expect(w['Average by month']!.rows!.map((r) => [r.key, r.value])).toEqual([['2024-12', 1000.5], ['2025-01', 174.625], ['2025-02', 10], [null, 1]]);
    expect(w['Deals by account']!.rows!.map((r) => r.label).sort()).toEqual(['(none)', 'Acme Trust', 'Bolt Ltd']);
    expect(w.Contacts!.rows![0]!.value).toBe(4);
    expect(w['Paid contacts']!.rows![0]!.value).toBe(1);
    expect(w['Staff pay']!.rows![0]!.value).toBe(100);
  });

  it('computes each widget in the user\'s scope, and reports the ones they cannot see as errors', async () => {
    const sam = byTitle((await sc.as('sam')('GET', dashboards('/pipeline/data'))).body);
    expect(sam.Contacts!.rows![0]!.value).toBe(2);
    expect(sam['Deals by stage']!.rows).toHaveLength(3);
    expect(sam['Staff pay']).toEqual({ title: 'Staff pay', error: { status: 404, detail: expect.any(String) } });
    // The salary is hidden from sam: a filter on it fails for him, without saying anything about it.
    expect(sam['Paid contacts']!.error!.status).toBeGreaterThanOrEqual(400);
    expect(sam['Paid contacts']).not.toHaveProperty('rows');
    const sue = byTitle((await sc.as('sue')('GET', dashboards('/pipeline/data'))).body);
    expect(sue.Contacts!.rows![0]!.value).toBe(4);
    expect(sue['Deals by stage']!.error!.status).toBe(404);
    expect(JSON.stringify(sue)).not.toContain('Acme');
  });
});

describe('managing dashboards', () => {
  it('creates (201), replaces (200), lists by role and deletes (204); only administrators change them', async () => {
    const hr = { label: 'HR', roles: ['hr'], widgets: [{ title: 'Head count', entity: 'staff', chart: 'number', measure: { op: 'count' } }] };
    expect((await sc.s.call('PUT', dashboards('/hr'), hr)).status).toBe(201);
    const replaced = await sc.s.call('PUT', dashboards('/hr'), { ...hr, name: 'hr', label: 'People' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ name: 'hr', label: 'People', roles: ['hr'], widgets: hr.widgets });
    expect((await sc.s.call('GET', dashboards())).body.items.map((d: { name: string }) => d.name)).toEqual(['hr', 'pipeline']);
    expect((await sc.as('sam')('GET', dashboards())).body.items.map((d: { name: string }) => d.name)).toEqual(['pipeline']);
    expectProblem(await sc.as('sam')('GET', dashboards('/hr')), 404);
    expectProblem(await sc.as('sam')('GET', dashboards('/hr/data')), 404);
    expect((await sc.as('sam')('GET', dashboards('/pipeline'))).body).toMatchObject({ name: 'pipeline', label: 'Pipeline' });
    expectProblem(await sc.as('sam')('PUT', dashboards('/mine'), hr), 403);
    expectProblem(await sc.as('sam')('DELETE', dashboards('/pipeline')), 403);
    expect((await sc.s.call('DELETE', dashboards('/hr'))).status).toBe(204);
    expectProblem(await sc.s.call('GET', dashboards('/hr')), 404);
  });

  it('refuses widgets the group-by service could not compute, each at its pointer', async () => {
    const res = await sc.s.call('PUT', dashboards('/bad'), {
      label: 'Bad',
      widgets: [
        { title: 'No group', entity: 'deal', chart: 'bar', measure: { op: 'count' } },
        { title: 'Ghost', entity: 'ghost', chart: 'number', measure: { op: 'count' } },
        { title: 'Sum of what', entity: 'deal', chart: 'number', measure: { op: 'sum' } },
        { title: 'Sum of text', entity: 'deal', chart: 'number', measure: { op: 'sum', field: 'title' } },
        { title: 'Weekly stage', entity: 'deal', chart: 'bar', groupBy: 'stage', dateBucket: 'week', measure: { op: 'count' } },
        { title: 'By nothing', entity: 'deal', chart: 'pie', groupBy: 'nothing', measure: { op: 'count' } },
        { title: 'Bad filter', entity: 'deal', chart: 'number', measure: { op: 'count' }, filter: { field: 'nope', op: 'eq', value: 1 } },
      ],
    });
    const problem = expectProblem(res, 422, ['/widgets/0/groupBy', '/widgets/1/entity', '/widgets/2/measure/field', '/widgets/3/measure/field', '/widgets/4/dateBucket', '/widgets/5/groupBy', '/widgets/6/filter/field']);
    expect(problem.type).toMatch(/invalid-dashboard$/);
    expectProblem(await sc.s.call('PUT', dashboards('/bad'), { label: 'Bad', widgets: [{ title: 'Bad chart', entity: 'deal', chart: 'radar', measure: { op: 'median' } }, { entity: 'deal' }] }), 422, ['/widgets/0/chart', '/widgets/0/measure/op', '/widgets/1/title', '/widgets/1/measure']);
    expectProblem(await sc.s.call('PUT', dashboards('/Bad!'), { label: 'x', widgets: [] }), 422, ['/name']);
    expectProblem(await sc.s.call('PUT', dashboards('/bad'), { name: 'other', label: 'x', widgets: [] }), 422, ['/name']);
    expectProblem(await sc.s.call('GET', dashboards('/bad')), 404);
  });

  it('refuses operator and prototype keys and oversized dashboards', async () => {
    const widget = { title: 'W', entity: 'deal', chart: 'number', measure: { op: 'count' } };
    expectProblem(await sc.s.call('PUT', dashboards('/evil'), { label: 'E', widgets: [{ ...widget, filter: { $where: 'sleep(1000)' } }] }), 422, ['/widgets/0/filter/$where']);
    expectProblem(await sc.s.call('PUT', dashboards('/evil'), { label: 'E', widgets: [{ ...widget, measure: { op: 'count', $expr: 1 } }] }), 422, ['/widgets/0/measure/$expr']);
    expectProblem(await sc.s.call('PUT', dashboards('/evil'), '{"label":"E","widgets":[],"__proto__":{"admin":true}}'), 422, ['/__proto__']);
    expectProblem(await sc.s.call('PUT', dashboards('/evil'), { label: 'E', widgets: Array.from({ length: 25 }, () => widget) }), 422, ['/widgets']);
    expectProblem(await sc.s.call('GET', dashboards('/evil')), 404);
  });

  it('follows a renamed field, and answers with an error entry when a widget\'s field is archived', async () => {
    expect((await sc.s.call('PUT', dashboards('/renames'), { label: 'R', widgets: [{ title: 'By stage', entity: 'deal', chart: 'bar', groupBy: 'stage', measure: { op: 'max', field: 'amount' }, filter: { field: 'stage', op: 'ne', value: 'lost' } }] })).status).toBe(201);
    expect((await sc.s.call('POST', '/api/metadata/entities/deal/fields/stage/rename', { name: 'phase' })).status).toBe(200);
    expect((await sc.s.call('POST', '/api/metadata/entities/deal/fields/amount/rename', { name: 'value' })).status).toBe(200);
    expect((await sc.s.call('GET', dashboards('/renames'))).body.widgets[0]).toMatchObject({ groupBy: 'phase', measure: { op: 'max', field: 'value' }, filter: { field: 'phase', op: 'ne', value: 'lost' } });
    expect(byTitle((await sc.s.call('GET', dashboards('/renames/data'))).body)['By stage']!.rows).toHaveLength(2);
    expect((await sc.s.call('DELETE', '/api/metadata/entities/deal/fields/phase')).status).toBe(200);
    const res = await sc.s.call('GET', dashboards('/renames/data'));
    expect(res.status).toBe(200);
    expect(byTitle(res.body)['By stage']!.error!.status).toBeGreaterThanOrEqual(400);
  });
});
