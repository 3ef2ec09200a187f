/**
 * The HR pack (issue 9), end to end through the API: an employee requests leave, their line
 * manager approves it and then HR does (through /api/approvals), and the approved days come off
 * their balance. HR sees every staff record, a line manager their reports (and, as an employee,
 * themselves), an employee themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { expectProblem, waitFor } from '../support/crm-fixture.ts';
import { createAs, installPack, patchAs, personWith, recordWhen, visibleIds, type Person, type Report } from '../support/pack-fixture.ts';

let s: AppServer;
let report: Report;
let hr: Person;
let manager: Person;
let employee: Person;
let colleague: Person;
const staff: Record<string, string> = {};
let balanceId: string;

beforeAll(async () => {
  s = await startAppServer({ workflows: { pollMs: 50, retry: { baseMs: 50, maxAttempts: 3 } } });
  report = await installPack(s, 'hr', { sampleRecords: 200, seed: 3 });
  hr = await personWith(s, 'hana@staff.test', ['hr']);
  manager = await personWith(s, 'mo@staff.test', ['lineManager', 'employee']);
  employee = await personWith(s, 'eve@staff.test', ['employee']);
  colleague = await personWith(s, 'carl@staff.test', ['employee']);
  const dept = await createAs(hr, 'department', { name: 'Platform', code: 'PLT' });
  const person = (firstName: string, user: Person, lineManager?: Person) =>
    createAs(hr, 'employee', { firstName, lastName: 'Test', user: user.id, ...(lineManager ? { lineManager: lineManager.id } : {}), department: dept._id, startDate: '2024-01-08', workEmail: user.email, dateOfBirth: '1990-05-01' });
  staff.manager = (await person('Mo', manager))._id;
  staff.employee = (await person('Eve', employee, manager))._id;
  staff.colleague = (await person('Carl', colleague))._id;
}, 120_000);
afterAll(() => s?.stop());

it('installs with sample data and no conflicts', () => {
  expect(report.conflicts).toEqual([]);
  expect(report.created.filter((c) => c.kind === 'workflow').map((c) => c.name).sort()).toEqual(['leaveAllocation', 'leaveApproval', 'leaveStates', 'trainingExpired', 'trainingExpiryReminder']);
  expect(report.sample).toMatchObject({ records: 200, failed: 0 });
});

describe('leave', () => {
  let requestId: string;

  it('allocates the entitlement when a balance is created', async () => {
    const annual = await createAs(hr, 'leave_type', { name: 'Annual leave test', defaultEntitlementDays: 25 });
    balanceId = (await createAs(hr, 'leave_balance', { employee: staff.employee, leaveType: annual._id, year: 2026, entitlementDays: 25 }))._id;
    const balance = await recordWhen(s, 'leave_balance', balanceId, (r) => r.remainingDays === 25);
    expect(balance).toMatchObject({ allocatedDays: 25, takenDays: 0, employeeUser: employee.id, managerUser: manager.id });
    const request = await createAs(employee, 'leave_request', { employee: staff.employee, leaveType: annual._id, balance: balanceId, startDate: '2026-07-13', endDate: '2026-07-15', days: 3, reason: 'Family holiday' });
    requestId = request._id;
    expect(request).toMatchObject({ status: 'draft', reference: expect.stringMatching(/^LR-\d{6}$/) });
  });

  it('refuses to let the employee approve their own request', async () => {
    expectProblem(await patchAs(employee, 'leave_request', requestId, { status: 'approved' }), 422, ['/status']);
  });

  it('goes to the line manager, then HR, and comes off the balance once both approve', async () => {
    expect((await patchAs(employee, 'leave_request', requestId, { status: 'submitted' })).status).toBe(200);
    const pendingFor = (who: Person) => waitFor(async () => ((await who.as('GET', '/api/approvals')).body.data as Array<{ id: string; record: { id: string } | null }>).find((a) => a.record?.id === requestId), 10_000);
    const first = await pendingFor(manager);
    expect(await hr.as('GET', '/api/approvals').then((r) => r.body.data)).toEqual([]);
    expect((await recordWhen(s, 'leave_balance', balanceId, (r) => r.pendingDays === 3)).remainingDays).toBe(25);
    // Locked while pending: the employee cannot change the dates under the approvers.
    expectProblem(await patchAs(employee, 'leave_request', requestId, { days: 4 }), 423);
    expect((await manager.as('POST', `/api/approvals/${first.id}/approve`, { comment: 'Enjoy' })).status).toBe(200);
    const second = await pendingFor(hr);
    expect(second.id).toBe(first.id);
    expect((await hr.as('POST', `/api/approvals/${second.id}/approve`, {})).status).toBe(200);
    const approved = await recordWhen(s, 'leave_request', requestId, (r) => r.status === 'approved');
    expect(approved.lineManager).toBe(manager.id);
    // The ledger's sums agree with each other in every read, but the pending days come from the
    // requests, a separate query: the wait is for the whole settled balance.
    const balance = await recordWhen(s, 'leave_balance', balanceId, (r) => r.remainingDays === 22 && r.takenDays === 3 && r.pendingDays === 0);
    expect(balance).toMatchObject({ allocatedDays: 25, takenDays: 3, pendingDays: 0 });
  });

  it('gives the days back when HR cancels approved leave', async () => {
    expectProblem(await patchAs(employee, 'leave_request', requestId, { status: 'cancelled' }), 422, ['/status']);
    expect((await patchAs(hr, 'leave_request', requestId, { status: 'cancelled' })).status).toBe(200);
    expect(await recordWhen(s, 'leave_balance', balanceId, (r) => r.remainingDays === 25 && r.takenDays === 0)).toMatchObject({ takenDays: 0 });
  });
});

describe('who sees which staff records', () => {
  it('an employee sees only themselves, their balance and their requests', async () => {
    expect(await visibleIds(employee, 'employee')).toEqual([staff.employee]);
    expect(await visibleIds(employee, 'leave_balance')).toEqual([balanceId]);
    expectProblem(await employee.as('GET', `/api/entities/employee/records/${staff.colleague}`), 404);
    expect(await visibleIds(colleague, 'leave_request')).toEqual([]);
  });

  it('a line manager sees their reports and themselves, and cannot change their reports\' records', async () => {
    expect((await visibleIds(manager, 'employee')).sort()).toEqual([staff.employee, staff.manager].sort());
    expect((await manager.as('GET', `/api/entities/employee/records/${staff.employee}`)).body).toMatchObject({ name: 'Eve Test', lineManager: manager.id });
    expectProblem(await manager.as('GET', `/api/entities/employee/records/${staff.colleague}`), 404);
    expect(await visibleIds(manager, 'leave_balance')).toEqual([balanceId]);
    expectProblem(await manager.as('PATCH', `/api/entities/employee/records/${staff.employee}`, { phone: '+44 7911 123456' }), 403);
  });

  it('HR sees every staff record, sample data included', async () => {
    const all = await visibleIds(hr, 'employee');
    expect(all).toEqual(expect.arrayContaining(Object.values(staff)));
    expect(all.length).toBe(3 + (report.sample.byEntity.employee ?? 0));
  });
});
