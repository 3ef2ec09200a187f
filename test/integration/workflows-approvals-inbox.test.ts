/**
 * Issues 7 and 8: what the approvals inbox needs from the API — who asked for each request (the
 * user whose change started the run), and whom an approver may hand a request to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { defineEntity, expectProblem, waitFor } from '../support/crm-fixture.ts';
import { createUser, makeToken, signInAs } from '../support/auth-fixture.ts';

let server: AppServer;
const people: Record<string, { id: string; token: string; name: string }> = {};
const as = (who: string) => ({ authorization: `Bearer ${people[who]!.token}` });

beforeAll(async () => {
  server = await startAppServer({ workflows: { pollMs: 50 } });
  await defineEntity(server, { name: 'expense', label: 'Expense', pluralLabel: 'Expenses', fields: [{ name: 'title', type: 'text' }, { name: 'status', type: 'select', options: [{ value: 'draft', label: 'Draft' }, { value: 'submitted', label: 'Submitted' }] }] });
  expect((await server.call('PUT', '/api/roles/staff', { name: 'staff', label: 'Staff', entities: { expense: { read: true, create: true, update: true, scope: 'all' } } })).status).toBeLessThan(300);
  for (const key of ['claimant', 'approver', 'deputy', 'stranger']) {
    const who = { email: `${key}@inbox.test`, password: `password of ${key} 123` };
    const user = await createUser(server, { ...who, roles: ['staff'], name: `The ${key}` });
    people[key] = { id: user.id, name: `The ${key}`, token: (await makeToken(server, await signInAs(server, who), ['records:read', 'records:write'])).token };
  }
  const res = await server.call('POST', '/api/workflows', {
    name: 'expenseApproval', label: 'Expense approval', entity: 'expense',
    trigger: { kind: 'fieldChanged', field: 'status', to: 'submitted' },
    steps: [{ id: 'ask', label: 'Manager approval', type: 'approval', approvers: [{ user: people.approver!.id }] }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});
afterAll(() => server?.stop());

describe('approvals inbox API', () => {
  it('names who asked, and offers the approver everyone else to delegate to', async () => {
    const created = await server.call('POST', '/api/entities/expense/records', { title: 'Train', status: 'draft' }, as('claimant'));
    expect(created.status).toBe(201);
    await server.call('PATCH', `/api/entities/expense/records/${created.body._id}`, { status: 'submitted' }, { ...as('claimant'), 'if-match': `"${created.body._version}"` });
    const [request] = await waitFor(async () => {
      const list = (await server.call('GET', '/api/approvals', undefined, as('approver'))).body.data as Array<{ id: string; requestedBy: { id: string; name: string } | null }>;
      return list.length ? list : null;
    }, 5000);
    expect(request!.requestedBy).toEqual({ id: people.claimant!.id, name: 'The claimant' });

    const delegates = await server.call('GET', `/api/approvals/${request!.id}/delegates`, undefined, as('approver'));
    expect(delegates.status).toBe(200);
    const ids = (delegates.body.data as Array<{ id: string }>).map((p) => p.id);
    expect(ids).toContain(people.deputy!.id);
    expect(ids).not.toContain(people.approver!.id);

    expectProblem(await server.call('GET', `/api/approvals/${request!.id}/delegates`, undefined, as('stranger')), 403);

    const handed = await server.call('POST', `/api/approvals/${request!.id}/delegate`, { to: people.deputy!.id }, as('approver'));
    expect(handed.status).toBe(200);
    expect(((await server.call('GET', '/api/approvals', undefined, as('deputy'))).body.data as unknown[]).length).toBe(1);
  });
});
