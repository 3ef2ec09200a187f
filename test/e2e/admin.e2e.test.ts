/**
 * Issue 8, Design → administration in a real browser: a role made in the permission matrix and a
 * user invited with it, who then sees only what the role allows; a template edited with a live
 * preview against a record; a title template that retitles a list; a plugin's capability granted after review; a mail that failed
 * because its record was deleted, sent again once the record is restored from the recycle bin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { countClicks, hasChromium } from './support/browser.ts';
import { reportClicks, shot, signedInPage, startStudio, type Studio } from './support/studio.ts';
import { createRecord, defineEntity } from '../support/crm-fixture.ts';

let studio: Studio;
/** Polls wait this long: the machine running these tests is shared. */
const soon = { timeout: 15_000 };
const VIEWER = { email: 'vera@rapport.test', password: 'vera chooses a long password' };

const openDesign = async (page: Page, section: string) => {
  await page.getByRole('link', { name: 'Design' }).click();
  await page.getByRole('link', { name: section }).click();
};

describe.skipIf(!hasChromium)('studio: users and roles, templates, plugins, outbox, recycle bin', () => {
  beforeAll(async () => {
    studio = await startStudio();
    const { server } = studio;
    await defineEntity(server, {
      name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
      fields: [{ name: 'name', type: 'text', required: true }, { name: 'email', type: 'email' }, { name: 'city', type: 'text' }],
    });
    await defineEntity(server, { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', fields: [{ name: 'name', type: 'text', required: true }] });
    await createRecord(server, 'contact', { name: 'Ada Lovelace', email: 'ada@example.org', city: 'London' });
    await createRecord(server, 'contact', { name: 'Grace Hopper', email: 'grace@example.org', city: 'Arlington' });
    await createRecord(server, 'account', { name: 'Acme Ltd' });
  }, 120_000);
  afterAll(() => studio?.stop());

  it('builds a read-only role that hides a field in the matrix, invites a user with it, and that user sees only what it allows', async () => {
    const { page, context } = await signedInPage(studio);
    await openDesign(page, 'Users & roles');
    await page.getByRole('tab', { name: 'Roles' }).click();
    await page.getByRole('link', { name: 'New role' }).click();
    await page.getByLabel('Label').fill('Viewer');
    await page.getByLabel('Key').fill('viewer');
    await page.getByRole('checkbox', { name: 'Contacts: Read' }).check();
    await page.getByRole('combobox', { name: 'Contacts: records' }).selectOption('all');
    await page.locator('tr[data-entity="contact"]').getByRole('button', { name: /Fields & sharing/ }).click();
    await page.getByRole('radiogroup', { name: 'Email access' }).getByLabel('Hidden').check();
    // A sharing rule on a field the entity does not have: the server's error lands on that filter.
    await page.getByRole('button', { name: 'Add sharing rule' }).click();
    await page.getByRole('button', { name: 'Edit as JSON' }).click();
    await page.getByLabel('Filter (JSON)').fill('{"field": "nosuch", "op": "eq", "value": {"$user": "id"}}');
    await page.getByRole('button', { name: 'Save role' }).click();
    await expect.poll(() => page.getByLabel('Filter (JSON)').getAttribute('aria-invalid'), soon).toBe('true');
    expect(await page.locator('.sharing .error').textContent()).toMatch(/nosuch/);
    await page.getByRole('button', { name: 'Remove sharing rule 1' }).click();
    await page.getByRole('button', { name: 'Save role' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), soon).toContain('Role “Viewer” saved');
    await shot(page, 'roles-matrix');
    const role = (await studio.server.call('GET', '/api/roles/viewer')).body;
    expect(role.entities).toEqual({ contact: { read: true, scope: 'all', fields: { email: 'hidden' } } });

    await page.getByRole('link', { name: 'Users & roles' }).click();
    await page.getByRole('tab', { name: 'Users' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Vera Viewer');
    await page.getByLabel('Email', { exact: true }).fill(VIEWER.email);
    await page.getByRole('group', { name: 'Roles' }).getByLabel('Viewer').check();
    await page.getByRole('button', { name: 'Invite user' }).click();
    const link = await page.getByLabel('One-time password link').inputValue();
    expect(link).toMatch(/\/reset-password#token=/);
    await page.getByRole('tab', { name: 'Access log' }).click();
    await expect.poll(() => page.locator('tbody tr').first().textContent(), soon).toMatch(/password-reset-requested.*Vera Viewer/);
    expect(await page.locator('tbody').textContent()).toMatch(/user-created/);
    await context.close();

    // Vera opens her link, chooses a password and signs in.
    const vera = await studio.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const vp = await vera.newPage();
    vp.on('pageerror', (err) => console.error(`[browser] ${err.message}`));
    await vp.goto(link);
    await vp.getByLabel('New password').fill(VIEWER.password);
    await vp.getByLabel('Repeat it').fill(VIEWER.password);
    await vp.getByRole('button', { name: 'Set password' }).click();
    await vp.getByRole('button', { name: 'Sign in' }).click();
    await vp.getByLabel('Email').fill(VIEWER.email);
    await vp.getByLabel('Password').fill(VIEWER.password);
    await vp.getByRole('button', { name: 'Sign in' }).click();
    await vp.getByRole('banner').waitFor();

    const sidebar = vp.getByRole('navigation', { name: 'Objects' });
    expect(await sidebar.getByRole('link').allTextContents()).toEqual(['Contacts']);
    await sidebar.getByRole('link', { name: 'Contacts' }).click();
    await expect.poll(() => vp.getByRole('link', { name: 'Ada Lovelace' }).count(), soon).toBe(1);
    const headers = await vp.locator('thead th').allTextContents();
    expect(headers.join('|')).toContain('City');
    expect(headers.join('|')).not.toContain('Email');
    expect(await vp.getByText('ada@example.org').count()).toBe(0);
    expect(await vp.getByRole('link', { name: /New contact/ }).count()).toBe(0);
    // Her role may not export: no Export button (the server refuses the export too).
    expect(await vp.getByRole('link', { name: 'Export' }).count()).toBe(0);
    expect(await vp.getByRole('button', { name: '+ New' }).count()).toBe(0);
    expect(await vp.getByRole('link', { name: 'Design' }).count()).toBe(0);
    await vp.getByRole('link', { name: 'Ada Lovelace' }).click();
    await expect.poll(() => vp.getByRole('heading', { level: 1 }).textContent(), soon).toBe('Ada Lovelace');
    await expect.poll(() => vp.locator('[data-field="city"]').textContent(), soon).toContain('London');
    expect(await vp.locator('[data-field="email"]').count()).toBe(0);
    expect(await vp.getByText('ada@example.org').count()).toBe(0);
    expect(await vp.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await shot(vp, 'restricted-user');
    // And the server agrees: the Design area's APIs are closed to her.
    await vp.goto(`${studio.server.base}/design/access`);
    await expect.poll(() => vp.getByRole('heading', { level: 1 }).textContent(), soon).toBe('Not found');
    expect(await vp.getByRole('button', { name: 'Invite user' }).count()).toBe(0);

    // Deactivated, Vera's session ends at once.
    const admin = await signedInPage(studio);
    await openDesign(admin.page, 'Users & roles');
    const row = admin.page.locator(`li[data-user="${VIEWER.email}"]`);
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => row.textContent(), soon).toContain('deactivated');
    await admin.context.close();
    await vp.reload();
    await vp.getByRole('button', { name: 'Sign in' }).waitFor();
    await vera.close();
  });

  it('edits a template with a live preview against a record, shows a syntax error at its line, and keeps versions', async () => {
    const { page, context } = await signedInPage(studio);
    await openDesign(page, 'Templates');
    await page.getByLabel('New template name').fill('welcome-note');
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Label', { exact: true }).fill('Welcome note');
    await page.getByLabel('Written for').selectOption('contact');
    await page.getByLabel('Subject').fill('Hello {{record.name}}');
    await page.getByLabel('HTML body').fill('<h2>Hello {{record.name}}</h2>\n<p>Welcome to <b>{{default record.city "our town"}}</b>.</p>');
    await page.getByLabel('Plain-text body').fill('Dear {{record.name}},\nwelcome to {{default record.city "our town"}}.');
    await page.getByLabel('Record of').selectOption('contact');
    await page.getByRole('combobox', { name: 'Record', exact: true }).fill('Ada');
    await page.getByRole('option', { name: 'Ada Lovelace' }).click();
    await expect.poll(() => page.getByTestId('preview-subject').textContent(), soon).toBe('Hello Ada Lovelace');
    await expect.poll(() => page.getByTestId('preview-text').textContent(), soon).toContain('welcome to London.');
    await shot(page, 'template-preview');

    // An unclosed block: the server's line and column show at the part, and lead back to it.
    await page.getByLabel('Plain-text body').fill('Dear {{record.name}},\n{{#if record.city}}from {{record.city}}');
    const error = page.locator('#tpl-text-error');
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toMatch(/line \d+/);
    expect(await page.getByLabel('Plain-text body').getAttribute('aria-invalid')).toBe('true');
    await error.getByRole('button', { name: /Go to line/ }).click();
    expect(await page.evaluate('document.activeElement.id')).toBe('tpl-text');
    await page.getByLabel('Plain-text body').fill('Dear {{record.name}},\n{{#if record.city}}from {{record.city}}{{/if}}');
    await expect.poll(() => page.getByTestId('preview-text').textContent(), soon).toContain('from London');
    expect(await error.count()).toBe(0);
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), soon).toContain('Saved as version 1');
    await page.getByLabel('Subject').fill('Hi {{record.name}}');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), soon).toContain('Saved as version 2');
    await expect.poll(() => page.getByRole('region', { name: 'Version history' }).getByRole('listitem').count(), soon).toBe(2);
    // By keyboard: the list may still be settling after the save, and a key goes to the focused button wherever it moved.
    await page.getByRole('button', { name: 'Restore v1' }).press('Enter');
    await expect.poll(() => page.getByText('Version 1 restored as version 3').count(), soon).toBe(1);
    await expect.poll(() => page.getByLabel('Subject').inputValue(), soon).toBe('Hello {{record.name}}');
    expect((await studio.server.call('GET', '/api/templates/welcome-note')).body).toMatchObject({ version: 3, parts: { subject: 'Hello {{record.name}}' } });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), soon).toBe('Templates');
    expect((await studio.server.call('GET', '/api/templates/welcome-note')).status).toBe(404);
    await context.close();
  });

  it('titles contacts with a title template: the list shows the new titles once it is saved', async () => {
    const { page, context } = await signedInPage(studio);
    await openDesign(page, 'Templates');
    await page.getByLabel('New template name').fill('contact-title');
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Kind').selectOption('title');
    await page.getByLabel('Written for').selectOption('contact');
    await expect.poll(() => page.getByText(/Titles every Contact record/).count(), soon).toBe(1);
    await page.getByLabel('Plain-text body').fill('{{record.name}} · {{default record.city "no town"}}');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent(), soon).toContain('Saved as version 1');
    // The save waits up to 2 s for existing records' titles; a slow machine may take longer.
    await expect.poll(async () => (await studio.server.call('GET', '/api/entities/contact/records?fields=name')).body.data.filter((r: { _title?: string }) => r._title).length, soon).toBe(2);
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Contacts' }).click();
    await expect.poll(() => page.getByRole('link', { name: 'Ada Lovelace · London' }).count(), soon).toBe(1);
    await shot(page, 'record-titles');
    await studio.server.call('DELETE', '/api/templates/contact-title');
    await context.close();
  });

  it('installs a plugin and grants its capability only after an explicit confirmation', async () => {
    const { page, context } = await signedInPage(studio);
    await openDesign(page, 'Plugins');
    await page.getByRole('button', { name: 'Install Duplicate contact warning' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), soon).toContain('Duplicate contact warning');
    await expect.poll(() => page.getByText('Can look up and read contact records').count(), soon).toBe(1);
    await page.getByRole('checkbox', { name: /Read Contacts/ }).check();
    await page.getByRole('button', { name: 'Review and save grants' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: 'Grant' }).isDisabled()).toBe(true);
    await dialog.getByLabel('I understand what this lets the plugin do').check();
    await dialog.getByRole('button', { name: 'Grant' }).click();
    await expect.poll(() => page.getByText('Grants saved').count(), soon).toBe(1);
    expect((await studio.server.call('GET', '/api/plugins/duplicate-contact-warning')).body.grants).toEqual(['records:read:contact']);
    await page.getByLabel('Field', { exact: true }).fill('name');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.getByText('Settings saved').count(), soon).toBe(1);
    await page.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => page.locator('h1 .tag').textContent(), { timeout: 30_000 }).toBe('enabled');
    expect((await studio.server.call('GET', '/api/plugins/duplicate-contact-warning')).body).toMatchObject({ status: 'enabled', settings: { field: 'name' } });
    await shot(page, 'plugins');
    await context.close();
  });

  it('restores a deleted record from the recycle bin, then retries the mail that failed because it was gone', async () => {
    const { server } = studio;
    await server.call('PUT', '/api/templates/follow-up', { kind: 'email', entity: 'contact', parts: { subject: 'About {{record.name}}', text: 'Hello {{record.name}}, a follow-up.' } });
    const temp = await createRecord(server, 'contact', { name: 'Tess Temp', city: 'Leeds' });
    expect((await server.call('DELETE', `/api/entities/contact/records/${temp._id}`)).status).toBe(204);
    const queued = await server.call('POST', '/api/mail/outbox', { to: 'tess@example.org', template: 'follow-up', record: { entity: 'contact', id: temp._id } });
    const mailId = queued.body.id as string;
    // Another mail about a record that never existed fails for good, with its reason.
    await server.call('POST', '/api/mail/outbox', { to: 'nobody@example.org', template: 'follow-up', record: { entity: 'contact', id: '0123456789abcdef01234567' } });
    await expect.poll(async () => (await server.call('GET', `/api/mail/outbox/${mailId}`)).body.status, { timeout: 15_000 }).toBe('failed');

    const { page, context } = await signedInPage(studio);
    await page.getByRole('link', { name: 'Design' }).click();
    let clicks = await countClicks(page);
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    await page.getByRole('button', { name: 'Restore Tess Temp' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), soon).toContain('Restored Tess Temp');
    reportClicks('restore a deleted record (from Design)', await clicks());
    expect((await server.call('GET', `/api/entities/contact/records/${temp._id}`)).status).toBe(200);

    await page.getByRole('link', { name: 'Design' }).first().click();
    clicks = await countClicks(page);
    await page.getByRole('link', { name: 'Outbox' }).click();
    const row = page.locator(`tr[data-mail="${mailId}"]`);
    await expect.poll(() => row.textContent(), soon).toContain('Failed');
    expect(await row.textContent()).toMatch(/no|not|record/i);
    await row.getByRole('button', { name: 'Retry mail to tess@example.org' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), soon).toContain('Queued again');
    reportClicks('retry a failed mail (from Design)', await clicks());
    await expect.poll(async () => (await server.call('GET', `/api/mail/outbox/${mailId}`)).body.status, { timeout: 15_000 }).toBe('caught');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => row.textContent(), soon).toContain('Caught');
    await shot(page, 'outbox');
    await row.getByRole('link', { name: 'About Tess Temp' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), soon).toBe('About Tess Temp');
    expect(await page.locator('pre').textContent()).toContain('Hello Tess Temp, a follow-up.');
    expect(await page.getByText('Kept by the mail catcher').count()).toBe(1);
    // The record's own page shows the mail on its timeline (the 360° view), for anyone who can read it.
    await page.goto(`${server.base}/r/contact/${temp._id}`);
    await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).textContent(), soon).toContain('About Tess Temp');
    await context.close();
  });
});
