/**
 * Forms over HTTP (issue 8): administrators save several forms per entity, each user gets the
 * one made for their role (else `default`, else one generated from the entity), never with a
 * field they may not read; forms are validated with pointers, follow a field rename and leave
 * out an archived field; hostile bodies are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../support/crm-fixture.ts';
import { startUiScenario, type UiScenario } from '../support/ui-fixture.ts';

let sc: UiScenario;
const forms = (entity: string, rest = '') => `/api/entities/${entity}/forms${rest}`;
const field = (name: string, extra: Record<string, unknown> = {}) => ({ kind: 'field', field: name, ...extra });
const form = (label: string, items: unknown[], extra: Record<string, unknown> = {}) => ({ label, tabs: [{ label: 'Main', sections: [{ columns: 2, items }] }], ...extra });
const itemsOf = (f: { tabs: Array<{ sections: Array<{ items: Array<{ kind: string; field?: string }> }> }> }) => f.tabs.flatMap((t) => t.sections.flatMap((s) => s.items));
const fieldsOf = (f: Parameters<typeof itemsOf>[0]) => itemsOf(f).filter((i) => i.kind === 'field').map((i) => i.field);
const put = async (entity: string, name: string, body: unknown) => {
  const res = await sc.s.call('PUT', forms(entity, `/${name}`), body);
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  return res;
};

beforeAll(async () => {
  sc = await startUiScenario();
});
afterAll(async () => {
  await sc?.s.stop();
});

describe('the effective form', () => {
  it('is generated from the entity when none is saved: every field the user may read, computed ones included', async () => {
    const admin = await sc.s.call('GET', '/api/entities/contact/form');
    expect(admin.status).toBe(200);
    expect(admin.body).toMatchObject({ name: 'default', entity: 'contact', tabs: [{ sections: [{ columns: 2 }] }] });
    expect(admin.body.tabs).toHaveLength(1);
    expect(fieldsOf(admin.body)).toEqual(['name', 'email', 'phone', 'mobile', 'status', 'endReason', 'salary', 'birthday', 'account', 'score']);
    expect(fieldsOf((await sc.as('sam')('GET', '/api/entities/contact/form')).body)).toEqual(['name', 'email', 'phone', 'mobile', 'status', 'endReason', 'birthday', 'account', 'score']);
    expect(fieldsOf((await sc.as('sue')('GET', '/api/entities/contact/form')).body)).not.toContain('email');
  });

  it('is the first form for one of the user\'s roles by order, else the one named default', async () => {
    await put('contact', 'default', form('Contact', [field('name'), field('email'), field('salary')]));
    await put('contact', 'sales', form('Sales contact', [field('name'), field('phone')], { roles: ['sales'], order: 2 }));
    await put('contact', 'salesQuick', form('Quick', [field('name')], { roles: ['sales', 'other'], order: 1 }));
    await put('contact', 'another', form('Another', [field('name')], { roles: ['sales'], order: 1 }));
    expect((await sc.as('sam')('GET', '/api/entities/contact/form')).body.name).toBe('another');
    expect((await sc.as('sue')('GET', '/api/entities/contact/form')).body.name).toBe('default');
    // Forms for other roles are not listed to sue, nor readable by name; the default (no roles) is.
    expect((await sc.as('sue')('GET', forms('contact'))).body.items.map((f: { name: string }) => f.name)).toEqual(['default']);
    expectProblem(await sc.as('sue')('GET', forms('contact', '/sales')), 404);
    expect((await sc.as('sam')('GET', forms('contact'))).body.items.map((f: { name: string }) => f.name)).toEqual(['default', 'another', 'salesQuick', 'sales']);
    expect((await sc.s.call('GET', forms('contact'))).body.items).toHaveLength(4);
    for (const name of ['another', 'salesQuick']) expect((await sc.s.call('DELETE', forms('contact', `/${name}`))).status).toBe(204);
    expect((await sc.as('sam')('GET', '/api/entities/contact/form')).body.name).toBe('sales');
  });

  it('never names a field the user may not read, nor a related list of an entity they cannot read', async () => {
    await put('account', 'default', {
      label: 'Account',
      tabs: [
        { label: 'Main', sections: [{ columns: 1, items: [field('name'), { kind: 'related', entity: 'contact', via: 'account', columns: ['name', 'salary', 'email'] }, { kind: 'related', entity: 'deal', via: 'account', label: 'Deals', columns: ['title', 'amount'] }] }] },
        { label: 'Notes', sections: [{ columns: 1, items: [{ kind: 'text', text: 'Keep it short' }] }] },
      ],
    });
    const related = (f: Parameters<typeof itemsOf>[0]) => itemsOf(f).filter((i) => i.kind === 'related');
    expect(related((await sc.s.call('GET', '/api/entities/account/form')).body)).toEqual([
      { kind: 'related', entity: 'contact', via: 'account', columns: ['name', 'salary', 'email'] },
      { kind: 'related', entity: 'deal', via: 'account', label: 'Deals', columns: ['title', 'amount'] },
    ]);
    expect(related((await sc.as('sam')('GET', '/api/entities/account/form')).body).map((r) => (r as { columns?: string[] }).columns)).toEqual([['name', 'email'], ['title', 'amount']]);
    // sue reads no deals: that related list is gone; of contacts she sees the name only.
    const sue = (await sc.as('sue')('GET', '/api/entities/account/form')).body;
    expect(related(sue)).toEqual([{ kind: 'related', entity: 'contact', via: 'account', columns: ['name'] }]);
    expect(sue.tabs.map((t: { label: string }) => t.label)).toEqual(['Main', 'Notes']);

    await put('contact', 'default', form('Contact', [field('name'), field('salary'), field('endReason', { visibleWhen: { field: 'email', op: 'isSet' }, helpText: 'Why it ended' })]));
    const sees = (await sc.as('sue')('GET', '/api/entities/contact/form')).body;
    // The salary is gone; the condition on the email (hidden from sue) is dropped, not the field it governs.
    expect(itemsOf(sees)).toEqual([field('name'), field('endReason', { helpText: 'Why it ended' })]);
    expect(JSON.stringify(sees)).not.toContain('salary');
    // An entity the user cannot read has no forms for them at all.
    expectProblem(await sc.as('sue')('GET', '/api/entities/deal/form'), 404);
    expectProblem(await sc.as('sam')('GET', '/api/entities/staff/forms'), 404);
  });
});

describe('saving forms', () => {
  it('creates (201), replaces (200), reads and deletes (204) a form, and only administrators change them', async () => {
    const created = await sc.s.call('PUT', forms('deal', '/pipeline'), form('Pipeline', [field('title'), field('stage', { visibleWhen: { field: 'amount', op: 'isSet' } })], { roles: ['sales'] }));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ name: 'pipeline', label: 'Pipeline', entity: 'deal', roles: ['sales'], tabs: [{ label: 'Main', sections: [{ columns: 2, items: [field('title'), field('stage', { visibleWhen: { field: 'amount', op: 'isSet' } })] }] }] });
    const replaced = await sc.s.call('PUT', forms('deal', '/pipeline'), { ...form('Pipeline 2', [field('title')]), name: 'pipeline', entity: 'deal' });
    expect(replaced.status).toBe(200);
    expect((await sc.as('sam')('GET', forms('deal', '/pipeline'))).body.label).toBe('Pipeline 2');
    expectProblem(await sc.as('sam')('PUT', forms('deal', '/mine'), form('Mine', [field('title')])), 403);
    expectProblem(await sc.as('sam')('DELETE', forms('deal', '/pipeline')), 403);
    expect((await sc.s.call('DELETE', forms('deal', '/pipeline'))).status).toBe(204);
    expectProblem(await sc.s.call('GET', forms('deal', '/pipeline')), 404);
    expectProblem(await sc.s.call('DELETE', forms('deal', '/pipeline')), 404);
    expectProblem(await sc.s.call('PUT', forms('ghost', '/x'), form('X', [])), 404);
  });

  it('refuses unknown fields, relations and columns, each at its pointer, storing nothing', async () => {
    const res = await sc.s.call('PUT', forms('contact', '/bad'), {
      label: 'Bad',
      tabs: [{
        label: 'One',
        sections: [
          { columns: 2, items: [field('name')] },
          {
            columns: 1,
            items: [
              field('email'),
              field('name'),
              field('nope'),
              field('phone', { visibleWhen: { field: 'ghost', op: 'eq', value: 1 } }),
              { kind: 'related', entity: 'deal', via: 'account', columns: ['title', 'nothing'] },
              { kind: 'related', entity: 'deal', via: 'contact', columns: ['title', 'nothing'] },
              { kind: 'related', entity: 'ghost', via: 'contact', columns: ['x'] },
            ],
          },
        ],
      }],
    });
    const problem = expectProblem(res, 422, ['/tabs/0/sections/1/items/1/field', '/tabs/0/sections/1/items/2/field', '/tabs/0/sections/1/items/3/visibleWhen/field', '/tabs/0/sections/1/items/4/via', '/tabs/0/sections/1/items/5/columns/1', '/tabs/0/sections/1/items/6/entity']);
    expect(problem.type).toMatch(/invalid-form$/);
    expect(problem.errors!.find((e) => e.pointer === '/tabs/0/sections/1/items/2/field')!.detail).toBe('is not a field of contact');
    expect(problem.errors!.map((e) => e.pointer)).not.toContain('/tabs/0/sections/1/items/5/via');
    expectProblem(await sc.s.call('PUT', forms('contact', '/bad'), { label: 'Bad', tabs: [{ label: 'T', sections: [{ columns: 4, items: [{ kind: 'widget' }] }] }] }), 422, ['/tabs/0/sections/0/columns']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/bad'), { ...form('Bad', []), name: 'other' }), 422, ['/name']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/bad'), { ...form('Bad', []), entity: 'deal' }), 422, ['/entity']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/Bad-Name'), form('Bad', [])), 422, ['/name']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/bad'), form('Bad', [field('status', { visibleWhen: { field: 'name', op: 'in', value: 'x' } })])), 422, ['/tabs/0/sections/0/items/0/visibleWhen/value']);
    expectProblem(await sc.s.call('GET', forms('contact', '/bad')), 404);
  });

  it('refuses prototype and operator keys anywhere, and oversized forms', async () => {
    const raw = `{"label":"P","__proto__":{"polluted":true},"tabs":[{"label":"T","sections":[{"columns":1,"items":[{"kind":"field","field":"name"}]}]}]}`;
    expectProblem(await sc.s.call('PUT', forms('contact', '/proto'), raw), 422, ['/__proto__']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/proto'), form('P', [{ kind: 'field', field: 'name', $where: 'sleep(1000)' }])), 422, ['/tabs/0/sections/0/items/0/$where']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/proto'), form('P', [field('status', { visibleWhen: { field: 'name', op: 'eq', value: { $gt: '' } } })])), 422, ['/tabs/0/sections/0/items/0/visibleWhen/value/$gt']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/proto'), form('P', [field('status', { visibleWhen: { field: 'name', op: 'eq', value: { constructor: { prototype: 1 } } } })])), 422, ['/tabs/0/sections/0/items/0/visibleWhen/value/constructor']);
    const tab = (i: number) => ({ label: `T${i}`, sections: [{ columns: 1, items: Array.from({ length: 100 }, () => ({ kind: 'text', text: 'x' })) }] });
    expectProblem(await sc.s.call('PUT', forms('contact', '/big'), { label: 'Big', tabs: Array.from({ length: 5 }, (_, i) => tab(i)) }), 422, ['/tabs/4/sections/0/items/0']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/big'), { label: 'Big', tabs: Array.from({ length: 21 }, (_, i) => ({ label: `T${i}`, sections: [] })) }), 422, ['/tabs']);
    expectProblem(await sc.s.call('PUT', forms('contact', '/big'), { label: 'Big', tabs: Array.from({ length: 20 }, (_, i) => ({ label: `T${i}`, sections: Array.from({ length: 4 }, () => ({ columns: 1, items: [{ kind: 'text', text: 'y'.repeat(2000) }] })) })) }), 422, ['/']);
    expect((await sc.s.call('GET', forms('contact'))).body.items.map((f: { name: string }) => f.name)).not.toContain('proto');
  });
});

describe('when fields change', () => {
  it('follows a renamed field: items, conditions and related lists name it by its new name', async () => {
    await put('contact', 'renames', form('Renames', [field('endReason', { visibleWhen: { field: 'status', op: 'eq', value: 'closed' } }), field('status')]));
    await put('account', 'renames', form('Renames', [{ kind: 'related', entity: 'deal', via: 'account', columns: ['title', 'stage'] }]));
    expect((await sc.s.call('POST', '/api/metadata/entities/contact/fields/status/rename', { name: 'state' })).status).toBe(200);
    expect((await sc.s.call('POST', '/api/metadata/entities/deal/fields/stage/rename', { name: 'phase' })).status).toBe(200);
    expect((await sc.s.call('POST', '/api/metadata/entities/deal/fields/account/rename', { name: 'customer' })).status).toBe(200);
    expect(itemsOf((await sc.s.call('GET', forms('contact', '/renames'))).body)).toEqual([field('endReason', { visibleWhen: { field: 'state', op: 'eq', value: 'closed' } }), field('state')]);
    expect(itemsOf((await sc.s.call('GET', forms('account', '/renames'))).body)).toEqual([{ kind: 'related', entity: 'deal', via: 'customer', columns: ['title', 'phase'] }]);
  });

  it('leaves out an archived field without failing, and shows it again once restored', async () => {
    await put('contact', 'archive', form('Archive', [field('name'), field('birthday'), field('endReason', { visibleWhen: { field: 'birthday', op: 'isSet' } })]));
    expect((await sc.s.call('DELETE', '/api/metadata/entities/contact/fields/birthday')).status).toBe(200);
    const gone = await sc.s.call('GET', forms('contact', '/archive'));
    expect(gone.status).toBe(200);
    expect(itemsOf(gone.body)).toEqual([field('name'), field('endReason')]);
    expect(fieldsOf((await sc.s.call('GET', '/api/entities/contact/form')).body)).not.toContain('birthday');
    const entry = (await sc.s.call('GET', '/api/metadata/archive?entity=contact')).body.data.find((e: { field?: { name: string } }) => e.field?.name === 'birthday');
    expect((await sc.s.call('POST', `/api/metadata/archive/${entry.id}/restore`)).status).toBeLessThan(300);
    expect(fieldsOf((await sc.s.call('GET', forms('contact', '/archive'))).body)).toEqual(['name', 'birthday', 'endReason']);
  });
});
