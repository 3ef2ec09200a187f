/**
 * The nonprofit pack (issue 9), end to end through the API: a service user with a consent record
 * is enrolled on a programme and attends a session; their case, assigned to a caseworker, goes
 * open → in progress → closed (an end reason required), and the closing survey lands in the mail
 * outbox. Caseworkers see only their caseload; donations claim Gift Aid through the plugin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { expectProblem, waitFor } from '../support/crm-fixture.ts';
import { createAs, installPack, patchAs, personWith, recordWhen, visibleIds, type Person, type Report } from '../support/pack-fixture.ts';

let s: AppServer;
let report: Report;
let caseworker: Person;
let otherCaseworker: Person;
let manager: Person;
let fundraiser: Person;

beforeAll(async () => {
  s = await startAppServer({ workflows: { pollMs: 50, retry: { baseMs: 50, maxAttempts: 3 } } });
  report = await installPack(s, 'nonprofit', { sampleRecords: 200, seed: 5 });
  caseworker = await personWith(s, 'ann@charity.test', ['caseworker']);
  otherCaseworker = await personWith(s, 'ben@charity.test', ['caseworker']);
  manager = await personWith(s, 'cat@charity.test', ['serviceManager']);
  fundraiser = await personWith(s, 'dev@charity.test', ['fundraiser']);
}, 120_000);
afterAll(() => s?.stop());

it('installs entities, roles, workflows, the survey template and the Gift Aid plugin, with sample data', async () => {
  expect(report.conflicts).toEqual([]);
  expect(report.created).toEqual(expect.arrayContaining([{ kind: 'plugin', name: 'gift-aid-check' }, { kind: 'template', name: 'caseClosingSurvey' }, { kind: 'role', name: 'caseworker' }, { kind: 'workflow', name: 'caseClosingSurvey' }]));
  expect(report.sample).toMatchObject({ records: 200, failed: 0 });
  const plugin = await s.call('GET', '/api/plugins/gift-aid-check');
  expect(plugin.body).toMatchObject({ status: 'enabled', grants: ['records:read:supporter'] });
});

describe('a service user through their case', () => {
  let person: { _id: string };
  let caseId: string;

  it('records the person with their consent, enrols them and marks their attendance', async () => {
    person = await createAs(caseworker, 'service_user', { firstName: 'Maya', lastName: 'Okafor', email: 'maya.okafor@example.org', phone: '07911 123456', address: { street: '4 Mill Lane', city: 'Leeds', postalCode: 'LS6 2AB', country: 'GB' } });
    expect((person as Record<string, unknown>).reference).toMatch(/^SU-\d{6}$/);
    const consent = await createAs(caseworker, 'consent', { serviceUser: person._id, purpose: 'surveys', givenOn: '2026-01-10', channel: 'paper' });
    expect(consent).toMatchObject({ active: true });
    const programme = await createAs(manager, 'programme', { name: 'Money matters', status: 'running', capacity: 12 });
    const enrolment = await createAs(caseworker, 'enrolment', { serviceUser: person._id, programme: programme._id, enrolledOn: '2026-02-01' });
    expect(enrolment).toMatchObject({ status: 'enrolled', summary: 'Maya Okafor - Money matters' });
    const session = await createAs(manager, 'session', { programme: programme._id, title: 'Budgeting basics', startsAt: '2026-02-08T10:00:00Z', durationMinutes: 90 });
    await createAs(caseworker, 'attendance', { session: session._id, serviceUser: person._id, status: 'present' });
    expect((await s.call('GET', `/api/entities/programme/records/${programme._id}`)).body.enrolled).toBe(1);
    expect((await s.call('GET', `/api/entities/session/records/${session._id}`)).body.attended).toBe(1);
  });

  it('assigns the case to a caseworker: theirs to see, not another caseworker\'s', async () => {
    const made = await createAs(manager, 'case', { serviceUser: person._id, subject: 'Rent arrears', category: 'housing', caseworker: caseworker.id });
    caseId = made._id;
    expect(made).toMatchObject({ status: 'open', reference: expect.stringMatching(/^CASE-\d{5}$/) });
    expect(await visibleIds(caseworker, 'case')).toEqual([caseId]);
    expect(await visibleIds(otherCaseworker, 'case')).toEqual([]);
    expectProblem(await otherCaseworker.as('GET', `/api/entities/case/records/${caseId}`), 404);
    expect((await visibleIds(manager, 'case')).length).toBeGreaterThan(1);
    expect((await recordWhen(s, 'case', caseId, (r) => r.openedOn !== null)).openedOn).toBe(new Date().toISOString().slice(0, 10));
  });

  it('moves open → in progress → closed, refusing a skipped step and a close without an end reason', async () => {
    expectProblem(await patchAs(caseworker, 'case', caseId, { status: 'closed', endReason: 'resolved' }), 422, ['/status']);
    expect((await patchAs(caseworker, 'case', caseId, { status: 'inProgress' })).status).toBe(200);
    expectProblem(await patchAs(caseworker, 'case', caseId, { status: 'closed' }), 422, ['/endReason']);
    const closed = await patchAs(caseworker, 'case', caseId, { status: 'closed', endReason: 'resolved' });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect((await recordWhen(s, 'case', caseId, (r) => r.closedOn !== null)).closedOn).toBe(new Date().toISOString().slice(0, 10));
    expectProblem(await patchAs(caseworker, 'case', caseId, { status: 'inProgress' }), 422, ['/status']);
  });

  it('emails the closing survey to the service user', async () => {
    const mail = await waitFor(async () => {
      const res = await s.call('GET', '/api/mail/outbox');
      return (res.body.data as Array<{ to: string; template: string; record: { entity: string; id: string } | null }>).find((m) => m.template === 'caseClosingSurvey');
    }, 15_000);
    expect(mail).toMatchObject({ to: 'maya.okafor@example.org', record: { entity: 'case', id: caseId } });
    expect((await s.call('GET', `/api/entities/case/records/${caseId}`)).body.surveyEmail).toBe('maya.okafor@example.org');
  });

  it('lets a service manager reopen a closed case', async () => {
    expect((await patchAs(manager, 'case', caseId, { status: 'inProgress' })).status).toBe(200);
  });
});

describe('donations', () => {
  it('claims Gift Aid for a declared UK donor, and refuses it for a donor without a declaration', async () => {
    const declared = await createAs(fundraiser, 'supporter', { firstName: 'Tom', lastName: 'Reed', giftAidDeclaredOn: '2025-04-06', address: { city: 'York', postalCode: 'YO1 7HH', country: 'GB' } });
    const gift = await createAs(fundraiser, 'donation', { supporter: declared._id, amount: { amount: '40.00' }, receivedOn: '2026-03-01', giftAid: true });
    expect(gift).toMatchObject({ giftAidAmount: { amount: '10.00', currency: 'GBP' }, receipt: expect.stringMatching(/^DON-\d{7}$/) });
    const undeclared = await createAs(fundraiser, 'supporter', { firstName: 'Ivy', lastName: 'Hall', address: { city: 'Leeds', country: 'GB' } });
    expectProblem(await fundraiser.as('POST', '/api/entities/donation/records', { supporter: undeclared._id, amount: { amount: '15.00' }, receivedOn: '2026-03-02', giftAid: true }), 422, ['/giftAid']);
    expect((await s.call('GET', `/api/entities/supporter/records/${declared._id}`)).body.totalGiven).toBe(40);
  });

  it('keeps donors away from caseworkers', async () => {
    expectProblem(await caseworker.as('GET', '/api/entities/supporter/records'), 404);
  });
});
