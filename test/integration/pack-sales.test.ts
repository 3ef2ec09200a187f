/**
 * The sales pack (issue 9), end to end through the API: installed with sample data, a lead is
 * converted into an account, a contact and an opportunity (linked to each other), the opportunity
 * is won and lost ones need a reason; sales reps see their own records, a manager every one; the
 * engagement plan schedules its first call; the pipeline kanban and the forecast dashboard answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { expectProblem, getRecord, waitFor } from '../support/crm-fixture.ts';
import { createAs, installPack, patchAs, personWith, recordWhen, visibleIds, type Person, type Report } from '../support/pack-fixture.ts';

let s: AppServer;
let report: Report;
let rep: Person;
let otherRep: Person;
let manager: Person;

beforeAll(async () => {
  s = await startAppServer({ workflows: { pollMs: 50, retry: { baseMs: 50, maxAttempts: 3 } } });
  report = await installPack(s, 'sales', { sampleRecords: 300, seed: 11 });
  rep = await personWith(s, 'rep@sales.test', ['salesRep']);
  otherRep = await personWith(s, 'other.rep@sales.test', ['salesRep']);
  manager = await personWith(s, 'manager@sales.test', ['salesManager']);
}, 120_000);
afterAll(() => s?.stop());

describe('install', () => {
  it('creates every part of the pack, with sample data through the write pipeline', async () => {
    expect(report.conflicts).toEqual([]);
    expect(report.skipped).toEqual([]);
    const kinds = (kind: string) => report.created.filter((c) => c.kind === kind).map((c) => c.name).sort();
    expect(kinds('entity')).toEqual(['account', 'activity', 'contact', 'lead', 'line_item', 'opportunity', 'product']);
    expect(kinds('role')).toEqual(['salesManager', 'salesRep']);
    expect(kinds('workflow')).toEqual(['convertLead', 'opportunityClosed', 'prospectEngagement']);
    expect(kinds('dashboard')).toEqual(['salesForecast']);
    expect(report.sample).toMatchObject({ records: 300, failed: 0 });
    // Autonumbers and formulas were computed for sample records as for any other.
    const lines = (await s.call('GET', '/api/entities/line_item/records?limit=5')).body.data as Array<{ reference: string; total: number | null }>;
    expect(lines[0]!.reference).toMatch(/^LI-\d{6}$/);
    const opps = (await s.call('GET', '/api/entities/opportunity/records?limit=50&fields=stage,probability')).body.data as Array<{ stage: string; probability: number }>;
    for (const o of opps) expect(o.probability).toBe({ prospecting: 10, qualification: 20, proposal: 50, negotiation: 75, closedWon: 100, closedLost: 0 }[o.stage]);
  });

  it('is listed as installed', async () => {
    const list = await s.call('GET', '/api/packs');
    expect(list.body.data.find((p: { name: string }) => p.name === 'sales')).toMatchObject({ installed: true, version: '1.0.0' });
    expectProblem(await rep.as('GET', '/api/packs'), 403);
  });
});

describe('lead to won deal', () => {
  let lead: { _id: string };

  it('converts a lead into a linked account, contact and opportunity, and marks it converted', async () => {
    lead = await createAs(rep, 'lead', { firstName: 'Grace', lastName: 'Hopper', company: 'Compiler Works Ltd', email: 'grace@compiler-works.example.com', phone: '+44 7911 123456', source: 'referral', status: 'qualified', owner: rep.id });
    const run = await rep.as('POST', '/api/workflows/convertLead/run', { recordIds: [lead._id] });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const converted = await recordWhen(s, 'lead', lead._id, (r) => r.status === 'converted' && !!r.convertedOpportunity);
    expect(converted.convertedOn).toBe(new Date().toISOString().slice(0, 10));
    const account = await getRecord(s, 'account', converted.convertedAccount as string);
    const contact = await getRecord(s, 'contact', converted.convertedContact as string);
    const opportunity = await getRecord(s, 'opportunity', converted.convertedOpportunity as string);
    expect(account).toMatchObject({ name: 'Compiler Works Ltd', type: 'prospect', owner: rep.id });
    expect(contact).toMatchObject({ name: 'Grace Hopper', email: 'grace@compiler-works.example.com', account: account._id, sourceLead: lead._id, owner: rep.id });
    expect(opportunity).toMatchObject({ account: account._id, contact: contact._id, stage: 'qualification', probability: 20, sourceLead: lead._id, owner: rep.id });
  });

  it('wins the opportunity: probability 100, and the close is stamped once', async () => {
    const id = (await getRecord(s, 'lead', lead._id)).convertedOpportunity as string;
    expect((await patchAs(rep, 'opportunity', id, { amount: { amount: '48000.00' }, stage: 'proposal' })).status).toBe(200);
    const won = await patchAs(rep, 'opportunity', id, { stage: 'closedWon' });
    expect(won.status, JSON.stringify(won.body)).toBe(200);
    expect(won.body).toMatchObject({ probability: 100, expectedRevenue: 48000 });
    const closed = await recordWhen(s, 'opportunity', id, (r) => r.closedOn !== null);
    expect(closed.closedOn).toBe(new Date().toISOString().slice(0, 10));
    const account = await getRecord(s, 'account', closed.account as string);
    expect(account.openOpportunities).toBe(0);
  });

  it('refuses to lose a deal without a loss reason, naming the field', async () => {
    const account = await createAs(rep, 'account', { name: 'Lost Cause plc', owner: rep.id });
    const opp = await createAs(rep, 'opportunity', { name: 'Lost Cause - renewal', account: account._id, closeDate: '2026-12-01', owner: rep.id });
    expectProblem(await patchAs(rep, 'opportunity', opp._id, { stage: 'closedLost' }), 422, ['/lossReason']);
    expect((await patchAs(rep, 'opportunity', opp._id, { stage: 'closedLost', lossReason: 'price' })).status).toBe(200);
  });
});

describe('roles', () => {
  it('a sales rep sees their own records; another rep does not; a manager sees them all', async () => {
    const mine = await createAs(rep, 'account', { name: 'Rep Own Ltd', owner: rep.id });
    const assigned = await createAs(manager, 'account', { name: 'Assigned To Rep Ltd', owner: rep.id });
    const repSees = await visibleIds(rep, 'account');
    expect(repSees).toEqual(expect.arrayContaining([mine._id, assigned._id]));
    const all = await visibleIds(manager, 'account');
    expect(repSees.length).toBeLessThan(all.length);
    expect(repSees.every((id) => all.includes(id))).toBe(true);
    expect(await visibleIds(otherRep, 'account')).not.toContain(mine._id);
    expectProblem(await otherRep.as('GET', `/api/entities/account/records/${mine._id}`), 404);
    expectProblem(await otherRep.as('PATCH', `/api/entities/account/records/${assigned._id}`, { name: 'Taken over' }), 404);
    expect((await manager.as('PATCH', `/api/entities/account/records/${mine._id}`, { industry: 'retail' })).status).toBe(200);
  });

  it('reps read the product catalogue but cannot change it, and cannot delete deals', async () => {
    const products = await visibleIds(rep, 'product');
    expect(products.length).toBeGreaterThan(0);
    expectProblem(await rep.as('PATCH', `/api/entities/product/records/${products[0]}`, { active: false }), 403);
    const opp = (await visibleIds(rep, 'opportunity'))[0]!;
    expectProblem(await rep.as('DELETE', `/api/entities/opportunity/records/${opp}`), 403);
  });
});

describe('engagement plan, kanban and forecast', () => {
  it('creates the day-0 call at once and waits for day 3', async () => {
    const lead = await createAs(rep, 'lead', { firstName: 'Alan', lastName: 'Turing', company: 'Bletchley Analytics', email: 'alan@bletchley.example.com', owner: rep.id });
    expect((await rep.as('POST', '/api/workflows/prospectEngagement/run', { recordIds: [lead._id] })).status).toBe(202);
    const call = await waitFor(async () => {
      const res = await s.call('GET', `/api/entities/activity/records?filter=${encodeURIComponent(JSON.stringify({ field: 'lead', op: 'eq', value: lead._id }))}`);
      return res.body.data[0] as Record<string, unknown> | undefined;
    }, 10_000);
    expect(call).toMatchObject({ subject: 'Introduction call', type: 'call', status: 'open', owner: rep.id, dueDate: new Date().toISOString().slice(0, 10) });
    const runs = await waitFor(async () => {
      const res = await s.call('GET', `/api/entities/lead/records/${lead._id}/workflow-runs`);
      return (res.body.data as Array<{ status: string }>).find((r) => r.status === 'waiting');
    }, 10_000);
    expect(runs).toBeTruthy();
  });

  it('offers the pipeline as a kanban by stage, and the forecast sums amounts by stage', async () => {
    const views = (await rep.as('GET', '/api/entities/opportunity/views')).body.items as Array<{ label: string; kind: string; kanbanField?: string; shared: boolean }>;
    expect(views).toContainEqual(expect.objectContaining({ label: 'Pipeline', kind: 'kanban', kanbanField: 'stage', shared: true }));
    const data = await manager.as('GET', '/api/dashboards/salesForecast/data');
    expect(data.status, JSON.stringify(data.body)).toBe(200);
    expect(JSON.stringify(data.body)).toContain('closedWon');
  });
});
