/**
 * Issue 7: "a leave request over 5 days needs the line manager and HR to approve" — a two-level
 * approval (level one in parallel: the line manager from a field of the record and anyone in HR;
 * level two the director, escalated to the CEO at the deadline), with delegation, the record
 * locked while pending; and the leave request's status as a state machine that refuses illegal
 * transitions and transitions by the wrong people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, defineEntity, expectProblem, getRecord, waitFor } from '../support/crm-fixture.ts';
import { createUser, makeToken, signInAs } from '../support/auth-fixture.ts';

let server: AppServer;
type Person = { id: string; token: string };
const people: Record<string, Person> = {};
const as = (who: string) => ({ authorization: `Bearer ${people[who]!.token}` });
const STATUS = ['draft', 'submitted', 'approved', 'rejected', 'cancelled'].map((value) => ({ value, label: value }));

async function person(key: string, roles: string[]): Promise<void> {
  const who = { email: `${key}@leave.test`, password: `password of ${key} 123` };
  const user = await createUser(server, { ...who, roles });
  people[key] = { id: user.id, token: (await makeToken(server, await signInAs(server, who), ['records:read', 'records:write'])).token };
}

const requestsFor = async (who: string) => (await server.call('GET', '/api/approvals', undefined, as(who))).body.data as Array<{ id: string; step: string; slots: Array<{ status: string }> }>;
const runOf = async (recordId: string) => (await server.call('GET', `/api/entities/leave/records/${recordId}/workflow-runs`)).body.data as Array<{ id: string; workflow: string; status: string }>;

beforeAll(async () => {
  server = await startAppServer({ workflows: { pollMs: 50, retry: { baseMs: 50, maxAttempts: 3 } } });
  await defineEntity(server, {
    name: 'leave', label: 'Leave request', pluralLabel: 'Leave requests',
    fields: [
      { name: 'requester', type: 'user' }, { name: 'lineManager', type: 'user' }, { name: 'days', type: 'integer' },
      { name: 'status', type: 'select', options: STATUS, default: 'draft' }, { name: 'reason', type: 'text' },
    ],
  });
  const staffAccess = { leave: { read: true, create: true, update: true, scope: 'all' } };
  for (const [name, label] of [['staff', 'Staff'], ['hr', 'HR'], ['director', 'Director'], ['ceo', 'CEO']]) {
    expect((await server.call('PUT', `/api/roles/${name}`, { name, label, entities: staffAccess })).status).toBeLessThan(300);
  }
  await person('employee', ['staff']);
  await person('manager', ['staff']);
  await person('deputy', ['staff']);
  await person('hrOfficer', ['hr']);
  await person('director', ['director']);
  await person('ceo', ['ceo']);
  await person('stranger', ['staff']);

  const machine = await server.call('POST', '/api/workflows', {
    name: 'leaveStates', label: 'Leave states', entity: 'leave',
    trigger: {
      kind: 'stateMachine', field: 'status', initial: ['draft'],
      transitions: [
        { from: ['draft'], to: 'submitted', label: 'Submit' },
        { from: ['submitted'], to: 'approved', roles: ['hr'] },
        { from: ['submitted'], to: 'rejected', roles: ['hr'] },
        { from: ['draft', 'submitted'], to: 'cancelled', steps: [{ id: 'why', type: 'update', set: [{ field: 'reason', value: 'cancelled by the requester' }] }] },
      ],
    },
    steps: [],
  });
  expect(machine.status, JSON.stringify(machine.body)).toBe(201);
  const approval = await server.call('POST', '/api/workflows', {
    name: 'longLeave', label: 'Long leave approval', entity: 'leave',
    trigger: { kind: 'fieldChanged', field: 'status', to: 'submitted' },
    condition: { field: 'days', op: 'gt', value: 5 },
    steps: [{
      id: 'levelOne', type: 'approval', approvers: [{ userField: 'lineManager' }, { role: 'hr' }], order: 'parallel', decide: 'all', lockRecord: true,
      onApprove: [{
        id: 'levelTwo', type: 'approval', approvers: [{ user: people.director!.id }], deadlineMinutes: 60, escalateTo: { role: 'ceo' }, lockRecord: true,
        onApprove: [{ id: 'approve', type: 'update', set: [{ field: 'status', value: 'approved' }] }],
        onReject: [{ id: 'rejectTwo', type: 'update', set: [{ field: 'status', value: 'rejected' }] }],
      }],
      onReject: [{ id: 'rejectOne', type: 'update', set: [{ field: 'status', value: 'rejected' }] }],
    }],
  });
  expect(approval.status, JSON.stringify(approval.body)).toBe(201);
});
afterAll(() => server?.stop());

async function submitLeave(days: number): Promise<string> {
  const created = await server.call('POST', '/api/entities/leave/records', { requester: people.employee!.id, lineManager: people.manager!.id, days }, as('employee'));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await server.call('PATCH', `/api/entities/leave/records/${created.body._id}`, { status: 'submitted' }, as('employee'))).status).toBe(200);
  return created.body._id;
}

describe('two-level approval', () => {
  it('parallel level with delegation, then a level escalated at its deadline, then approved', async () => {
    const id = await submitLeave(10);
    const levelOne = await waitFor(async () => (await requestsFor('manager')).find((r) => r.step === 'levelOne'));
    expect((await requestsFor('hrOfficer')).map((r) => r.id)).toContain(levelOne.id);

    // While the approval is pending the request is locked (administrators could still move it on).
    expectProblem(await server.call('PATCH', `/api/entities/leave/records/${id}`, { days: 12 }, as('employee')), 423);
    expectProblem(await server.call('POST', `/api/approvals/${levelOne.id}/approve`, {}, as('stranger')), 403);

    // The line manager hands the decision to a deputy: the manager can no longer decide, the deputy can.
    expect((await server.call('POST', `/api/approvals/${levelOne.id}/delegate`, { to: people.deputy!.id, comment: 'on holiday' }, as('manager'))).status).toBe(200);
    expectProblem(await server.call('POST', `/api/approvals/${levelOne.id}/approve`, {}, as('manager')), 403);
    expect((await server.call('POST', `/api/approvals/${levelOne.id}/approve`, { comment: 'fine by me' }, as('deputy'))).body.status).toBe('pending');
    expect((await server.call('POST', `/api/approvals/${levelOne.id}/approve`, {}, as('hrOfficer'))).body.status).toBe('approved');

    const levelTwo = await waitFor(async () => (await requestsFor('director')).find((r) => r.step === 'levelTwo'));
    expect(await requestsFor('ceo')).toEqual([]);
    // The deadline passes with no answer: the director's slot is escalated to the CEO.
    await collection(server, 'approval_requests').updateOne({ step: 'levelTwo', status: 'pending' }, { $set: { deadline: new Date(Date.now() - 1000) } });
    await collection(server, 'workflow_runs').updateOne({ workflow: 'longLeave', status: 'waiting' }, { $set: { dueAt: new Date(), claimAt: new Date() } });
    await waitFor(async () => (await requestsFor('ceo')).some((r) => r.id === levelTwo.id));
    expectProblem(await server.call('POST', `/api/approvals/${levelTwo.id}/approve`, {}, as('director')), 403);
    expect((await server.call('POST', `/api/approvals/${levelTwo.id}/approve`, { comment: 'approved on escalation' }, as('ceo'))).body.status).toBe('approved');

    await waitFor(async () => (await getRecord(server, 'leave', id)).status === 'approved');
    const [run] = (await runOf(id)).filter((r) => r.workflow === 'longLeave');
    expect(run!.status).toBe('done');
    const detail = (await server.call('GET', `/api/workflow-runs/${run!.id}`)).body;
    expect(detail.outputs.levelOne.decisions.map((d: { status: string; decidedBy: string | null }) => [d.status, d.decidedBy])).toEqual([['approved', people.deputy!.id], ['approved', people.hrOfficer!.id]]);
    expect(detail.outputs.levelTwo.decisions.map((d: { status: string }) => d.status)).toEqual(['escalated', 'approved']);
    // Unlocked once decided.
    expect((await server.call('PATCH', `/api/entities/leave/records/${id}`, { reason: 'family' }, as('employee'))).status).toBe(200);
  });

  it('one rejection at level one rejects the request', async () => {
    const id = await submitLeave(8);
    const request = await waitFor(async () => (await requestsFor('manager')).find((r) => r.step === 'levelOne'));
    expect((await server.call('POST', `/api/approvals/${request.id}/reject`, { comment: 'busy season' }, as('manager'))).body.status).toBe('rejected');
    await waitFor(async () => (await getRecord(server, 'leave', id)).status === 'rejected');
    expectProblem(await server.call('POST', `/api/approvals/${request.id}/approve`, {}, as('hrOfficer')), 403);
  });

  it('short leave needs no approval', async () => {
    const id = await submitLeave(2);
    await new Promise((r) => setTimeout(r, 300));
    expect((await runOf(id)).filter((r) => r.workflow === 'longLeave')).toEqual([]);
  });
});

describe('state machine', () => {
  it('refuses an illegal transition with the allowed ones', async () => {
    const created = await server.call('POST', '/api/entities/leave/records', { days: 1 }, as('employee'));
    const refused = expectProblem(await server.call('PATCH', `/api/entities/leave/records/${created.body._id}`, { status: 'approved' }, as('employee')), 422, ['/status']);
    expect(refused.errors![0]!.detail).toBe('can go from draft to: submitted, cancelled');
    expectProblem(await server.call('POST', '/api/entities/leave/records', { days: 1, status: 'approved' }, as('employee')), 422, ['/status']);
  });

  it('refuses a transition by someone without the role, allows it with the role, and runs its steps', async () => {
    const created = await server.call('POST', '/api/entities/leave/records', { days: 1 }, as('employee'));
    const id = created.body._id;
    await server.call('PATCH', `/api/entities/leave/records/${id}`, { status: 'submitted' }, as('employee'));
    expectProblem(await server.call('PATCH', `/api/entities/leave/records/${id}`, { status: 'approved' }, as('employee')), 422, ['/status']);
    expect((await server.call('PATCH', `/api/entities/leave/records/${id}`, { status: 'approved' }, as('hrOfficer'))).status).toBe(200);

    const other = (await server.call('POST', '/api/entities/leave/records', { days: 1 }, as('employee'))).body._id;
    expect((await server.call('PATCH', `/api/entities/leave/records/${other}`, { status: 'cancelled' }, as('employee'))).status).toBe(200);
    await waitFor(async () => (await getRecord(server, 'leave', other)).reason === 'cancelled by the requester');
  });

  it('checks a state machine definition against the field\'s options', async () => {
    const res = await server.call('POST', '/api/workflows', { name: 'badMachine', label: 'Bad', entity: 'leave', trigger: { kind: 'stateMachine', field: 'status', transitions: [{ from: ['draft'], to: 'flying' }] }, steps: [] });
    expectProblem(res, 422, ['/trigger/transitions/0/to']);
    expectProblem(await server.call('POST', '/api/workflows', { name: 'badMachine', label: 'Bad', entity: 'leave', trigger: { kind: 'stateMachine', field: 'days', transitions: [{ from: ['1'], to: '2' }] }, steps: [] }), 422, ['/trigger/field']);
  });
});
