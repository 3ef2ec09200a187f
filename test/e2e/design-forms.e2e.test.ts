/**
 * Issue 8, Design › Forms in a real browser: an admin designs a contact form (two tabs, a
 * two-column section, an end reason shown only when the status is closed, a related list of
 * notes) by drag and drop and by keyboard, sees a save error land on the item it names, and tries
 * the condition in the live preview; the record page then shows that layout, the end reason
 * appears only once "closed" is chosen, and the server's required-when-closed error lands on it.
 * A form made for a role is what that role's user sees.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countClicks, hasChromium } from './support/browser.ts';
import { reportClicks, shot, signedInPage, startStudio, type Studio } from './support/studio.ts';
import { createRecord, defineEntity } from '../support/crm-fixture.ts';
import { addUser, emailOf, passwordOf, type UserKey } from '../support/permission-fixture.ts';

let studio: Studio;
const sue = { email: emailOf('sue' as UserKey), password: passwordOf('sue' as UserKey) };

describe.skipIf(!hasChromium)('studio: design forms', () => {
  beforeAll(async () => {
    studio = await startStudio();
    const { server } = studio;
    await defineEntity(server, {
      name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
      fields: [
        { name: 'name', type: 'fullName', required: true }, { name: 'email', type: 'email' }, { name: 'phone', type: 'phone', defaultCountry: 'GB' },
        { name: 'status', type: 'select', options: [{ value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }] },
        { name: 'endReason', label: 'End reason', type: 'text' },
      ],
    });
    await defineEntity(server, { name: 'note', label: 'Note', pluralLabel: 'Notes', titleField: 'subject', fields: [{ name: 'subject', type: 'text', required: true }, { name: 'contact', type: 'relation', target: 'contact' }, { name: 'body', type: 'longText' }] });
    const ada = await createRecord(server, 'contact', { name: { first: 'Ada', last: 'Lovelace' }, email: 'ada@example.org', status: 'open' });
    await createRecord(server, 'note', { subject: 'Call about the engine', contact: ada._id });
    const role = { name: 'support', label: 'Support', entities: { contact: { read: true, update: true, scope: 'all' }, note: { read: true, scope: 'all' } } };
    expect((await server.call('PUT', '/api/roles/support', role)).status).toBe(200);
    await addUser(server, 'sue', { roles: ['support'] });
  }, 120_000);
  afterAll(() => studio?.stop());

  /**
   * What went wrong in a page: script errors logged to the console, and refused calls to the
   * APIs this screen uses (others' failures, e.g. a plugin worker still starting, are not ours).
   */
  const watch = (page: Page) => {
    const seen: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) seen.push(m.text()); });
    page.on('response', (r) => { if (r.status() >= 400 && /\/api\/(entities\/[^/]+\/forms?\b|metadata|roles)/.test(r.url())) seen.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`); });
    return seen;
  };
  const section = (page: Page, n = 0) => page.locator('.canvas .section').nth(n);
  const layout = (page: Page) => page.getByRole('region', { name: 'Form layout' });
  const item = (page: Page, text: string) => page.locator('.canvas .item', { has: page.locator('.handle', { hasText: text }) });

  async function newForm(page: Page, title: string, role?: string) {
    await page.getByRole('link', { name: 'Design' }).click();
    await page.locator('a[href="/design/forms"]').click();
    await page.getByRole('link', { name: 'Contact', exact: true }).click();
    await page.getByRole('button', { name: 'New form' }).click();
    await page.getByLabel('Title', { exact: true }).fill(title);
    if (role) await page.getByLabel(role, { exact: true }).check();
    await page.getByLabel('an empty layout').check();
    await page.getByRole('button', { name: 'Create and design' }).click();
    await page.getByRole('region', { name: 'Form layout' }).waitFor();
  }

  it('designs a form with tabs, columns, a conditional field and a related list, by mouse and by keyboard', async () => {
    const { page, context } = await signedInPage(studio);
    const errors = watch(page);
    await newForm(page, 'Contact layout');
    expect(page.url()).toContain('/design/forms/contact?form=default');

    // Drag from the palette into the section; a click on a palette entry adds after the selected item.
    await page.getByRole('button', { name: 'Add Name' }).dragTo(section(page).locator('.dropzone'));
    await expect.poll(() => section(page).locator('.item').count()).toBe(1);
    await page.getByRole('button', { name: 'Add Status' }).click();
    await page.getByRole('button', { name: 'Add End reason' }).click();
    await page.getByRole('button', { name: 'Add Email' }).dragTo(item(page, 'Status'));
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Name', '⠿ Email', '⠿ Status', '⠿ End reason']);

    // "Show only when status is closed", with the select's own options as values; clicks counted.
    const clicks = await countClicks(page);
    await item(page, 'End reason').locator('.handle').click();
    await page.getByLabel('Show only when', { exact: true }).check();
    await page.getByLabel('Show only when: value').selectOption('closed');
    reportClicks('make a field conditional in the form designer', await clicks());
    // Required when closed: the field's own rule, saved to the entity for the server to enforce.
    await page.getByRole('checkbox', { name: 'Required when (a rule of the field End reason)', exact: true }).check();
    await page.getByLabel('Required when (a rule of the field End reason): value', { exact: true }).selectOption('closed');
    await page.getByRole('button', { name: 'Save required rule' }).click();
    await expect.poll(() => page.locator('.required-when [role="status"]').textContent()).toContain('the server now requires it');

    // Keyboard: Alt+ArrowUp moves the selected item up.
    await item(page, 'End reason').locator('.handle').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Name', '⠿ Email', '⠿ End reason', '⠿ Status']);
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Name', '⠿ Email', '⠿ Status', '⠿ End reason']);

    // A second tab with the notes related list; the email is dragged onto that tab, the phone moved there by keyboard.
    await page.getByRole('button', { name: '+ Tab' }).click();
    await page.getByLabel('Tab title').fill('Activity');
    await page.getByRole('button', { name: 'Add Notes (related list)' }).dragTo(section(page).locator('.dropzone'));
    await layout(page).getByRole('tab', { name: 'Details' }).click();
    await item(page, 'Email').locator('.head').dragTo(layout(page).getByRole('tab', { name: 'Activity' }));
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Notes (related list)', '⠿ Email']);
    await layout(page).getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('button', { name: 'Add Phone' }).click();
    await page.getByLabel('Move to').selectOption({ label: 'Activity › Section' });
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Notes (related list)', '⠿ Email', '⠿ Phone']);
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Notes (related list)', '⠿ Phone', '⠿ Email']);

    // A related list without columns: the server's error lands on that item, and its tab is opened.
    await layout(page).getByRole('tab', { name: 'Details' }).click();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => layout(page).getByRole('tab', { name: 'Activity' }).getAttribute('aria-selected')).toBe('true');
    await item(page, 'Notes').locator('.handle').click();
    await item(page, 'Notes').getByLabel('Subject').uncheck();
    await item(page, 'Notes').getByLabel('Body').uncheck();
    await layout(page).getByRole('tab', { name: 'Details' }).click();
    await page.getByRole('button', { name: 'Save form' }).click();
    await expect.poll(() => layout(page).getByRole('tab', { name: 'Activity' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => item(page, 'Notes').locator('.errors').textContent()).toMatch(/columns/);
    expect(await page.getByRole('status').first().textContent()).toContain('Not saved');
    await item(page, 'Notes').getByLabel('Subject').check();
    await item(page, 'Notes').getByLabel('Body').check();

    // Back on Details: a two-column section; the preview shows the end reason only once "closed" is chosen.
    await layout(page).getByRole('tab', { name: 'Details' }).click();
    await item(page, 'End reason').locator('.handle').click();
    const preview = page.locator('.preview');
    await expect.poll(() => preview.locator('[data-field="name"]').count()).toBe(1);
    expect(await preview.locator('[data-field="endReason"]').count()).toBe(0);
    await preview.getByLabel('Status').selectOption('closed');
    await expect.poll(() => preview.locator('[data-field="endReason"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Save form' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Saved');
    await page.setViewportSize({ width: 1280, height: 1000 });
    await shot(page, 'design-form-designer');

    // In Records, the record page has that layout and the condition and the server's rule hold.
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await expect.poll(() => page.getByRole('tab').allTextContents()).toEqual(['Details', 'Activity']);
    expect(await page.locator('.record-main .grid.cols-2').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('End reason').count()).toBe(0);
    await page.getByLabel('Status').selectOption('closed');
    await expect.poll(() => page.getByLabel('End reason').count()).toBe(1);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[data-field="endReason"] .error').textContent()).toMatch(/required/);
    await shot(page, 'record-with-designed-form');
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expect.poll(() => page.locator('.related').textContent()).toContain('Call about the engine');
    // The one refusal expected: the form saved without related-list columns.
    expect(errors).toEqual(['422 PUT /api/entities/contact/forms/default']);
    await context.close();
  });

  it('shows a form made for a role to that role’s users, and the default to others', async () => {
    const { page, context } = await signedInPage(studio);
    const errors = watch(page);
    await newForm(page, 'Support view', 'Support');
    // Keyboard only: Enter on a palette entry adds it, and focus stays in the palette for the next one.
    await page.getByRole('button', { name: 'Add Name' }).focus();
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe('Add Email');
    await page.getByRole('button', { name: 'Add Status' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => section(page).locator('.handle').allTextContents()).toEqual(['⠿ Name', '⠿ Status']);
    await page.getByLabel('Tab title').fill('Support');
    // At a phone's width the palette, canvas and preview stack, and nothing runs off the side.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'design-form-designer-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Save form' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Saved');
    await page.getByRole('link', { name: 'Contact', exact: true }).click();
    await expect.poll(() => page.locator('table').textContent()).toMatch(/Support view.*support/);
    await shot(page, 'design-forms-of-entity');
    // Duplicate opens the copy in the designer; delete asks once more before it goes.
    await page.getByRole('button', { name: 'Duplicate Support view' }).click();
    await expect.poll(() => page.url()).toContain('?form=supportViewCopy');
    await page.getByRole('link', { name: 'Contact', exact: true }).click();
    await page.getByRole('button', { name: 'Delete Support view (copy)' }).click();
    await page.getByRole('button', { name: 'Confirm deleting Support view (copy)' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Delete Support view (copy)' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete Support view', exact: true }).count()).toBe(1);
    // The administrator holds no support role: their record page is not the support form.
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await expect.poll(() => page.locator('.record-main [data-field="email"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();

    const { page: suePage, context: sueContext } = await signedInPage(studio, sue);
    await suePage.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Contacts' }).click();
    await suePage.getByRole('link', { name: 'Ada Lovelace' }).click();
    await suePage.locator('[data-field="status"]').waitFor();
    expect(await suePage.locator('.record-main [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')))).toEqual(['name', 'status']);
    expect(await suePage.getByRole('tab').count()).toBe(0);
    await sueContext.close();
  });
});
