/**
 * Issue 8, Design → Workflows and the approvals inbox in a real browser: an admin builds a workflow
 * in the editor ("when a ticket is closed, write its resolution and create a follow-up task") and
 * sees it run; a server validation error lands on the step control its pointer names; a workflow
 * is made from a template; one is tested against a chosen record (a dry run, then a run by hand);
 * a state machine is drawn as a diagram; a user's request is approved by the approver from the
 * inbox (clicks counted), another one delegated, and a third rejected from the record page's banner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { countClicks, hasChromium } from './support/browser.ts';
import { reportClicks, shot, signedInPage, startStudio, type Studio } from './support/studio.ts';
import { createRecord, defineEntity, getRecord, waitFor } from '../support/crm-fixture.ts';
import { createUser } from '../support/auth-fixture.ts';

let studio: Studio;
const EMPLOYEE = { email: 'emma@rapport.test', password: 'emma has a long password' };
const MANAGER = { email: 'max@rapport.test', password: 'max has a long password too' };
const STATUS = (...values: string[]) => values.map((value) => ({ value, label: value[0]!.toUpperCase() + value.slice(1) }));
let ticketId = '';
let managerId = '';

/** What the page logs as an error (a failed request shows up here too). */
function consoleErrors(page: Page): string[] {
  const list: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && list.push(m.text())));
  page.on('pageerror', (e) => void list.push(e.message));
  return list;
}

const openWorkflows = async (page: Page) => {
  await page.getByRole('link', { name: 'Design' }).click();
  await page.getByRole('link', { name: /^Workflows/ }).click();
};

describe.skipIf(!hasChromium)('studio: workflows and approvals', () => {
  beforeAll(async () => {
    studio = await startStudio({ workflows: { pollMs: 50 } });
    const { server } = studio;
    await defineEntity(server, { name: 'ticket', label: 'Ticket', pluralLabel: 'Tickets', titleField: 'title', fields: [{ name: 'title', type: 'text', required: true }, { name: 'status', type: 'select', options: STATUS('open', 'closed') }, { name: 'resolution', type: 'text' }, { name: 'reporterEmail', type: 'email' }] });
    await defineEntity(server, { name: 'task', label: 'Task', pluralLabel: 'Tasks', titleField: 'subject', fields: [{ name: 'subject', type: 'text', required: true }, { name: 'ticket', type: 'relation', target: 'ticket' }] });
    await defineEntity(server, { name: 'leave', label: 'Leave request', pluralLabel: 'Leave requests', titleField: 'title', fields: [{ name: 'title', type: 'text', required: true }, { name: 'days', type: 'integer' }, { name: 'status', type: 'select', options: STATUS('draft', 'submitted', 'approved', 'rejected') }] });
    ticketId = (await createRecord(server, 'ticket', { title: 'Printer on fire', status: 'open' }))._id;
    const access = { read: true, create: true, update: true, scope: 'all' };
    expect((await server.call('PUT', '/api/roles/staff', { name: 'staff', label: 'Staff', entities: { leave: access, ticket: access } })).status).toBeLessThan(300);
    await createUser(server, { ...EMPLOYEE, name: 'Emma Employee', roles: ['staff'] });
    managerId = (await createUser(server, { ...MANAGER, name: 'Max Manager', roles: ['staff'] })).id;
  }, 120_000);
  afterAll(() => studio?.stop());

  it('builds a workflow in the editor and sees it run: run history says done, the record changed, a task was made', async () => {
    // A tall window, so the screenshot shows trigger, conditions and steps together.
    const { page, context } = await signedInPage(studio, undefined, { width: 1280, height: 1700 });
    const errors = consoleErrors(page);
    await openWorkflows(page);
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.getByLabel('Label').fill('Close out ticket');
    await page.getByLabel('Runs on records of').selectOption('ticket');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Close out ticket');

    await page.getByLabel('When', { exact: true }).selectOption('fieldChanged');
    await page.getByRole('combobox', { name: 'Field', exact: true }).selectOption('status');
    await page.getByLabel('Changes to').selectOption('closed');
    await page.getByLabel('Enabled (runs when triggered)').check();
    await page.getByRole('button', { name: '+ Add a step' }).click();
    await page.getByRole('menuitem', { name: 'Update the record' }).click();
    const update = page.locator('[data-step="update1"]');
    await update.getByLabel('Field 1', { exact: true }).selectOption('resolution');
    await update.getByLabel('Value 1', { exact: true }).fill('Closed by the workflow');
    await page.getByRole('list', { name: 'Steps', exact: true }).getByRole('button', { name: '+ Add a step' }).last().click();
    await page.getByRole('menuitem', { name: 'Create a record' }).click();
    const create = page.locator('[data-step="create1"]');
    await create.getByLabel('Object').selectOption('task');
    await create.getByLabel('Link it to the record by').selectOption('ticket');
    await create.getByRole('button', { name: '+ Add a value' }).click();
    await create.getByLabel('Field 1', { exact: true }).selectOption('subject');
    await create.getByLabel('Value 1', { exact: true }).fill('Send a satisfaction survey');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Valid');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByText('Saved', { exact: true }).count()).toBe(1);
    await shot(page, 'workflow-editor');

    // A user closes the ticket on its record page; the workflow runs.
    await page.goto(`${studio.server.base}/r/ticket/${ticketId}`);
    await page.getByLabel('Status').selectOption('closed');
    await page.getByRole('button', { name: 'Save' }).click();
    await waitFor(async () => (await getRecord(studio.server, 'ticket', ticketId)).resolution === 'Closed by the workflow', 10_000);
    await page.reload();
    await expect.poll(() => page.getByLabel('Resolution').inputValue()).toBe('Closed by the workflow');
    const tasks = await studio.server.call('GET', `/api/entities/task/records?filter=${encodeURIComponent(JSON.stringify({ field: 'ticket', op: 'eq', value: ticketId }))}`);
    expect(tasks.body.data.map((t: { subject: string }) => t.subject)).toEqual(['Send a satisfaction survey']);

    await openWorkflows(page);
    await expect.poll(() => page.getByRole('img', { name: /^done/ }).count()).toBe(1);
    await shot(page, 'workflows-list');
    await page.getByRole('link', { name: 'Close out ticket' }).click();
    await page.getByRole('tab', { name: 'Run history' }).click();
    const run = page.locator('.run').first();
    await expect.poll(() => run.getAttribute('data-status'), { timeout: 10_000 }).toBe('done');
    await run.getByRole('button').first().click();
    await expect.poll(() => run.getByRole('list').textContent()).toMatch(/update1[\s\S]*create1/);
    await shot(page, 'workflow-runs');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows a server validation error on the step control its pointer names', async () => {
    const { page, context } = await signedInPage(studio);
    await page.goto(`${studio.server.base}/design/workflows/closeOutTicket`);
    // From the keyboard: open the step menu, arrow down to the email step, choose it.
    await page.getByRole('list', { name: 'Steps', exact: true }).getByRole('button', { name: '+ Add a step' }).last().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement.textContent')).toContain('Update the record');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const email = page.locator('[data-step="email1"]');
    await email.getByLabel('Template').fill('survey');
    await email.getByRole('textbox', { name: 'To', exact: true }).fill('nobody');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // The server names /steps/2/to: "must be an email field of ticket or an address".
    const problem = email.locator('[data-pointer="/steps/2/to"] .error');
    await expect.poll(() => problem.textContent()).toMatch(/email field of ticket or an address/);
    expect(await email.getByRole('textbox', { name: 'To', exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'workflow-validation-error');
    await email.getByRole('textbox', { name: 'To', exact: true }).fill('help@example.org');
    await expect.poll(() => problem.count()).toBe(0);
    await context.close();
  }, 120_000);

  it('makes a workflow from a template by naming its object and fields', async () => {
    const { page, context } = await signedInPage(studio);
    await openWorkflows(page);
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.getByLabel('Label').fill('Survey on close');
    await page.getByLabel('Survey when a case is closed').check();
    await page.getByLabel('The entity of the cases').selectOption('ticket');
    await page.getByLabel("The case's status field").selectOption('status');
    await page.getByLabel('The status value meaning closed').fill('closed');
    await page.getByLabel('The email field to send the survey to').selectOption('reporterEmail');
    await page.getByLabel("The survey email's template").fill('survey');
    await page.getByRole('button', { name: 'Create workflow' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Survey on close');
    expect(await page.getByLabel('When', { exact: true }).inputValue()).toBe('fieldChanged');
    expect(await page.locator('[data-step="survey"]').getByRole('textbox', { name: 'To', exact: true }).inputValue()).toBe('reporterEmail');
    await context.close();
  }, 120_000);

  it('tests a workflow against a chosen record: a dry run writes nothing, a run by hand shows its steps and outcome', async () => {
    const { server } = studio;
    const coffee = await createRecord(server, 'ticket', { title: 'Coffee machine leaks', status: 'open' });
    const res = await server.call('POST', '/api/workflows', {
      name: 'escalate', label: 'Escalate', entity: 'ticket', trigger: { kind: 'manual', buttonLabel: 'Escalate' },
      steps: [{ id: 'flag', label: 'Flag it', type: 'update', set: [{ field: 'resolution', value: 'Escalated to facilities' }] }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { page, context } = await signedInPage(studio);
    const errors = consoleErrors(page);
    await openWorkflows(page);
    await page.getByRole('link', { name: 'Escalate' }).click();
    await page.getByRole('tab', { name: 'Test' }).click();
    await page.getByLabel('Record to test against').fill('coffee');
    await page.getByRole('button', { name: 'Coffee machine leaks' }).click();
    await page.getByRole('button', { name: 'Dry run (nothing is written)' }).click();
    const result = page.locator('.result');
    await expect.poll(() => result.textContent()).toMatch(/Dry run: done[\s\S]*flag[\s\S]*Escalated to facilities/);
    expect((await getRecord(server, 'ticket', coffee._id)).resolution).toBeNull();
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toMatch(/Run: done[\s\S]*flag/);
    expect((await getRecord(server, 'ticket', coffee._id)).resolution).toBe('Escalated to facilities');
    await shot(page, 'workflow-test');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('draws a state machine as a diagram of states and moves', async () => {
    const res = await studio.server.call('POST', '/api/workflows', {
      name: 'leaveStates', label: 'Leave states', entity: 'leave',
      trigger: { kind: 'stateMachine', field: 'status', initial: ['draft'], transitions: [
        { from: ['draft'], to: 'submitted', label: 'Submit' },
        { from: ['submitted'], to: 'approved', label: 'Approve' },
        { from: ['submitted'], to: 'rejected', label: 'Reject' },
        { from: ['rejected'], to: 'draft', label: 'Rework' },
      ] },
      steps: [],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { page, context } = await signedInPage(studio);
    await openWorkflows(page);
    await page.getByRole('link', { name: 'Leave states' }).click();
    const diagram = page.getByRole('img', { name: 'State machine of Status' });
    await diagram.waitFor();
    expect(await diagram.locator('g.state').count()).toBe(4);
    expect(await diagram.locator('path.edge').count()).toBe(4);
    expect(await diagram.locator('desc').textContent()).toContain('Draft to Submitted');
    await page.getByRole('heading', { name: /Trigger/ }).scrollIntoViewIfNeeded();
    await page.evaluate('window.scrollBy(0, 330)');
    await shot(page, 'state-machine');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'workflow-editor-phone');
    await context.close();
  }, 120_000);

  it('lets the approver approve a pending request from the inbox in three clicks or less, delegate another, and reject a third on the record page', async () => {
    const res = await studio.server.call('POST', '/api/workflows', {
      name: 'leaveApproval', label: 'Leave approval', entity: 'leave',
      trigger: { kind: 'fieldChanged', field: 'status', to: 'submitted' },
      steps: [{
        id: 'manager', label: 'Manager approval', type: 'approval', approvers: [{ user: managerId }],
        onApprove: [{ id: 'approve', type: 'update', set: [{ field: 'status', value: 'approved' }] }],
        onReject: [{ id: 'reject', type: 'update', set: [{ field: 'status', value: 'rejected' }] }],
      }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);

    // The employee asks: two leave requests, made as drafts and submitted on their record pages.
    const employee = await signedInPage(studio, EMPLOYEE);
    const ids: string[] = [];
    for (const title of ['Summer holiday', 'Dentist', 'Conference']) {
      await employee.page.getByRole('button', { name: '+ New' }).click();
      await employee.page.getByRole('menuitem', { name: 'Leave request' }).click();
      await employee.page.getByLabel('Title').fill(title);
      await employee.page.getByLabel('Days').fill('3');
      await employee.page.getByLabel('Status').selectOption('draft');
      await employee.page.getByRole('button', { name: 'Create leave request' }).click();
      await expect.poll(() => employee.page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      // The state machine lets a draft be submitted; submitting asks the manager.
      await employee.page.getByLabel('Status').selectOption('submitted');
      await employee.page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => employee.page.getByRole('status').first().textContent()).toContain('Saved');
      ids.push(employee.page.url().split('/').pop()!);
    }
    await employee.context.close();

    const { page, context } = await signedInPage(studio, MANAGER);
    const errors = consoleErrors(page);
    await expect.poll(() => page.getByRole('link', { name: /^Approvals/ }).getAttribute('aria-label'), { timeout: 10_000 }).toBe('Approvals, 3 pending');
    const clicks = await countClicks(page);
    await page.getByRole('link', { name: /^Approvals/ }).click();
    const request = page.getByRole('article', { name: 'Summer holiday' });
    await expect.poll(() => request.textContent()).toContain('Emma Employee');
    await request.getByLabel(/Comment/).fill('Enjoy it');
    await shot(page, 'approvals-inbox');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'approvals-inbox-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await request.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => request.count()).toBe(0);
    const n = await clicks();
    reportClicks('approve a pending request', n);
    expect(n).toBeLessThanOrEqual(3);
    await waitFor(async () => (await getRecord(studio.server, 'leave', ids[0]!)).status === 'approved', 10_000);

    // A third one handed to someone else: it leaves this inbox and waits for them.
    const conference = page.getByRole('article', { name: 'Conference' });
    await conference.getByRole('button', { name: 'Delegate…' }).click();
    await conference.getByLabel('Delegate to').selectOption({ label: 'Administrator (admin@rapport.test)' });
    await conference.getByRole('button', { name: 'Delegate', exact: true }).click();
    await expect.poll(() => conference.count()).toBe(0);
    const adminInbox = (await studio.server.call('GET', '/api/approvals')).body.data as Array<{ record: { id: string } }>;
    expect(adminInbox.map((r) => r.record.id)).toEqual([ids[2]]);

    // The other request, from the banner on its record page.
    await page.getByRole('link', { name: 'Dentist' }).click();
    const banner = page.getByRole('region', { name: 'Pending approval' });
    await expect.poll(() => banner.textContent()).toContain('Manager approval');
    await shot(page, 'approval-banner');
    await banner.getByRole('button', { name: 'Reject' }).click();
    await waitFor(async () => (await getRecord(studio.server, 'leave', ids[1]!)).status === 'rejected', 10_000);
    await expect.poll(() => page.getByRole('link', { name: /^Approvals/ }).getAttribute('aria-label')).toBe('Approvals');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
