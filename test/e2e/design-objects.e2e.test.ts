/**
 * Issue 8, Design → Objects in a real browser: an admin creates an entity with fields and a relation,
 * reorders fields, sees the relation in the diagram and uses the entity in Records at once; adds a
 * field and sees it on the form (clicks counted); changes a field's type through the conversion
 * preview; and sees a server validation error on the control it names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { countClicks, hasChromium } from './support/browser.ts';
import { reportClicks, shot, signedInPage, startStudio, type Studio } from './support/studio.ts';
import { addField, createRecord, defineEntity } from '../support/crm-fixture.ts';

let studio: Studio;
/** A signed-in page whose uncaught errors are kept, so a test can say there were none. */
async function adminPage(viewport?: { width: number; height: number }) {
  const { page, context } = await signedInPage(studio, undefined, viewport);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { page, context, errors };
}
const fieldNames = (page: Page) => page.getByRole('list', { name: 'Fields' }).locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name')));

describe.skipIf(!hasChromium)('studio: design objects', () => {
  beforeAll(async () => {
    studio = await startStudio();
    const { server } = studio;
    await defineEntity(server, { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', fields: [{ name: 'name', type: 'text', required: true }] });
    await createRecord(server, 'account', { name: 'Acme Ltd' });
    await defineEntity(server, { name: 'ticket', label: 'Ticket', pluralLabel: 'Tickets', titleField: 'subject', fields: [{ name: 'subject', type: 'text', required: true }, { name: 'score', label: 'Score', type: 'text' }] });
    for (const score of ['10', '2.5', 'high']) await createRecord(server, 'ticket', { subject: `Ticket ${score}`, score });
  }, 120_000);
  afterAll(() => studio?.stop());

  it('creates an entity with a relation, reorders a field, shows it in the diagram and in Records', async () => {
    const { page, context, errors } = await adminPage();
    await page.getByRole('link', { name: 'Design' }).click();
    await page.getByRole('link', { name: /Objects/ }).click();
    await page.getByRole('button', { name: 'New object' }).click();
    await page.getByLabel('Label', { exact: true }).fill('Project');
    expect(await page.getByLabel('Plural label').inputValue()).toBe('Projects');
    await page.getByRole('button', { name: 'Create object' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Project');

    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('button', { name: 'Link to one' }).click();
    await page.getByLabel('Label', { exact: true }).fill('Client');
    await page.getByLabel('Links to').selectOption('account');
    await page.getByRole('button', { name: 'Save field', exact: true }).click();
    await expect.poll(() => fieldNames(page)).toEqual(['name', 'client']);

    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('button', { name: 'Decimal number' }).click();
    await page.getByLabel('Label', { exact: true }).fill('Budget');
    await page.getByLabel('Decimal places').fill('2');
    await page.getByRole('button', { name: 'Save field', exact: true }).click();
    await expect.poll(() => fieldNames(page)).toEqual(['name', 'client', 'budget']);

    // Keyboard: Move up keeps the focus on the moved field's button; then drag and drop puts it back.
    await page.getByRole('button', { name: 'Move Budget up' }).click();
    await expect.poll(() => fieldNames(page)).toEqual(['name', 'budget', 'client']);
    await expect.poll(() => page.evaluate("document.activeElement?.getAttribute('aria-label')")).toBe('Move Budget up');
    await page.locator('li[data-name="client"]').dragTo(page.locator('li[data-name="budget"]'));
    await expect.poll(() => fieldNames(page)).toEqual(['name', 'client', 'budget']);
    await page.getByRole('button', { name: 'Move Budget up' }).press('Enter');
    await expect.poll(() => fieldNames(page)).toEqual(['name', 'budget', 'client']);
    await shot(page, 'design-entity');

    await page.getByRole('link', { name: 'Objects', exact: true }).click();
    const diagram = page.getByRole('group', { name: /Relations/ });
    await expect.poll(() => diagram.locator('[data-link="project.client"]').textContent()).toBe('Client');
    await expect.poll(() => page.getByRole('row', { name: /Project/ }).textContent()).toContain('3');
    await shot(page, 'design-objects');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'design-objects-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Records sees the new entity without a reload.
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Projects' }).click();
    await page.getByRole('link', { name: 'New project' }).click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('Website relaunch');
    await page.getByLabel('Budget').fill('12000.50');
    await page.getByLabel('Client').fill('Acme');
    await page.getByRole('option', { name: /Acme Ltd/ }).waitFor();
    await page.getByLabel('Client').press('Enter');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Website relaunch');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a field and shows it on the record form in three clicks or less (typing not counted)', async () => {
    const { page, context, errors } = await adminPage();
    await page.goto(`${studio.server.base}/design/objects/ticket`);
    await page.getByRole('button', { name: 'Add field' }).waitFor();
    const clicks = await countClicks(page);
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('button', { name: 'Date', exact: true }).click();
    await page.getByLabel('Label', { exact: true }).fill('Due date');
    await page.getByRole('button', { name: 'Save and see it on the form' }).click();
    await page.getByLabel('Due date', { exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/r/ticket/new');
    const n = await clicks();
    reportClicks('add a field to an entity and see it on its form', n);
    expect(n).toBeLessThanOrEqual(3);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('changes a field type after a preview of the values that will not convert', async () => {
    await addField(studio.server, 'ticket', { name: 'code', type: 'text' }).catch(() => undefined);
    const { page, context, errors } = await adminPage();
    await page.goto(`${studio.server.base}/design/objects/ticket`);
    await page.getByRole('button', { name: 'Edit Score' }).click();
    await page.getByLabel('Type').selectOption('number');
    await page.getByRole('button', { name: 'Preview type change' }).click();
    const summary = page.getByTestId('plan-summary');
    await expect.poll(() => summary.textContent()).toMatch(/Of 3 stored values, 2 will convert and\s+1 will not/);
    await expect.poll(() => page.getByRole('table', { name: 'Values that will not convert' }).textContent()).toContain('high');
    await shot(page, 'design-field-editor');
    await page.getByRole('button', { name: 'Convert 3 values' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Score' }).waitFor();
    await expect.poll(() => page.locator('li[data-name="score"] .tag').first().textContent()).toBe('Decimal number');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows server validation errors on the controls they name; required-when, rename, archive and restore', async () => {
    const { page, context, errors } = await adminPage({ width: 390, height: 844 });
    await page.goto(`${studio.server.base}/design/objects/ticket`);
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('button', { name: 'Text', exact: true }).click();
    await page.getByLabel('Label', { exact: true }).fill('Reference');
    await page.getByLabel('Pattern (regular expression)').fill('^(a+)+$');
    await page.getByRole('button', { name: 'Save field', exact: true }).click();
    const error = page.locator('[data-control="pattern"] .error');
    await expect.poll(() => error.textContent()).toMatch(/backtrack|catastroph|slow/i);
    await error.scrollIntoViewIfNeeded();
    await shot(page, 'design-field-error-phone');
    expect(await page.getByLabel('Pattern (regular expression)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Pattern (regular expression)').fill('^REF-\\d+$');
    await page.getByRole('button', { name: 'Save field', exact: true }).click();
    await expect.poll(() => fieldNames(page)).toContain('reference');

    // A pointer into a select's options (/fields/N/options/0/value) lands on that option's Value input.
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByRole('button', { name: 'Pick one' }).click();
    await page.getByLabel('Label', { exact: true }).fill('Priority');
    await page.getByLabel('Value of option 1').fill('not ok!');
    await page.getByRole('button', { name: 'Save field', exact: true }).click();
    await expect.poll(() => page.locator('[data-option="0"] .error').textContent()).toMatch(/value/i);
    expect(await page.getByLabel('Value of option 1').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Value of option 1').fill('high');
    await page.getByRole('button', { name: 'Save field', exact: true }).click();
    await expect.poll(() => fieldNames(page)).toContain('priority');

    // "Required when Priority is High": the value is picked from the other field's options.
    await page.getByRole('button', { name: 'Edit Reference' }).click();
    await page.getByLabel('Required when field').selectOption('priority');
    await page.getByLabel('Required when operator').selectOption('eq');
    await page.getByLabel('Required when value').selectOption('high');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved Reference' }).waitFor();
    const ticket = await studio.server.call<{ fields: { name: string; requiredWhen?: unknown }[] }>('GET', '/api/metadata/entities/ticket');
    expect(ticket.body.fields.find((f) => f.name === 'reference')?.requiredWhen).toEqual({ field: 'priority', op: 'eq', value: 'high' });

    await page.getByRole('button', { name: 'Edit Reference' }).click();
    await page.getByLabel('API name').fill('ref');
    await page.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => fieldNames(page)).toContain('ref');

    await page.getByRole('button', { name: 'Archive Reference' }).click();
    await expect.poll(() => fieldNames(page)).not.toContain('ref');
    await page.getByRole('button', { name: 'Restore Reference' }).click();
    await expect.poll(() => fieldNames(page)).toContain('ref');
    expect(errors).toEqual([]);
    await context.close();
  });
});
