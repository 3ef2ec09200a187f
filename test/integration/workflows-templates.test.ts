/**
 * Issue 7, engagement plans: a workflow template ("new prospect cadence") made into a workflow
 * for this CRM's own entities, applied to a record: the first activity at once, the rest planned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem, waitFor } from '../support/crm-fixture.ts';

let server: AppServer;

beforeAll(async () => {
  server = await startAppServer({ workflows: { pollMs: 50 } });
  await defineEntity(server, { name: 'lead', label: 'Lead', pluralLabel: 'Leads', fields: [{ name: 'name', type: 'text' }, { name: 'email', type: 'email' }] });
  await defineEntity(server, { name: 'activity', label: 'Activity', pluralLabel: 'Activities', fields: [{ name: 'subject', type: 'text' }, { name: 'lead', type: 'relation', target: 'lead', onDelete: 'cascade' }] });
});
afterAll(() => server?.stop());

describe('engagement plans from workflow templates', () => {
  it('lists the templates with their parameters', async () => {
    const list = (await server.call('GET', '/api/workflow-templates')).body.data;
    expect(list.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['prospectCadence', 'caseClosedSurvey']));
    expect(list.find((t: { name: string }) => t.name === 'prospectCadence').parameters.taskLink).toMatchObject({ kind: 'field', of: 'taskEntity' });
  });

  it('makes a workflow that, applied to a lead, creates the first activity and plans the rest', async () => {
    const made = await server.call('POST', '/api/workflow-templates/prospectCadence/instantiate', {
      name: 'leadCadence', params: { entity: 'lead', taskEntity: 'activity', taskLink: 'lead', taskSubject: 'subject', emailField: 'email', emailTemplate: 'prospect-intro' },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body).toMatchObject({ name: 'leadCadence', entity: 'lead', trigger: { kind: 'manual', buttonLabel: 'Start cadence' } });
    const lead = await createRecord(server, 'lead', { name: 'Grace', email: 'grace@prospect.example' });
    expect((await server.call('POST', '/api/workflows/leadCadence/run', { recordIds: [lead._id] })).status).toBe(202);
    const run = await waitFor(async () => (await server.call('GET', '/api/workflows/leadCadence/runs')).body.data.find((r: { status: string }) => r.status === 'waiting'));
    const activities = (await server.call('GET', '/api/entities/activity/records')).body.data;
    expect(activities.map((a: { subject: string; lead: string }) => [a.subject, a.lead])).toEqual([['Introduction call', lead._id]]);
    const twoDays = new Date(run.dueAt).getTime() - Date.now();
    expect(twoDays).toBeGreaterThan(2 * 86_400_000 - 60_000);
    expect(twoDays).toBeLessThanOrEqual(2 * 86_400_000);
  });

  it('names every missing or unknown parameter, and checks the result like any workflow', async () => {
    expectProblem(await server.call('POST', '/api/workflow-templates/prospectCadence/instantiate', { name: 'x', params: { entity: 'lead', colour: 'red' } }), 400, ['/params/taskEntity', '/params/colour']);
    expectProblem(await server.call('POST', '/api/workflow-templates/prospectCadence/instantiate', { name: 'y', params: { entity: 'lead', taskEntity: 'activity', taskLink: 'nope', taskSubject: 'subject', emailField: 'email', emailTemplate: 't' } }), 422, ['/steps/0/linkField']);
    expectProblem(await server.call('POST', '/api/workflow-templates/nothing/instantiate', { name: 'z', params: {} }), 404);
  });
});
