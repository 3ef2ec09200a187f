/**
 * Issue 8, the Records area's list views, dashboards and import wizard in a real browser: a
 * dashboard built in the designer showing the API's numbers, a kanban board built through the UI
 * whose cards move by drag and drop and by a keyboard menu (and come back, with the server's
 * reason, when a state machine refuses), a calendar, a shared view another user sees, a bulk
 * update, and a CSV import checked by a dry run before it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium } from './support/browser.ts';
import { shot, signedInPage, startStudio, type Studio } from './support/studio.ts';
import { DEALS, SAM, dayThisMonth, dealNamed, seedPipeline } from './support/views-fixture.ts';

let studio: Studio;
/** The machine is shared with other work: give each step up to 10 s to show (a slow step is not what these tests check). */
const poll = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 10_000 });

/** A signed-in page whose console errors are kept; a refused request (the kanban's 422) is the server's answer, not a page error. */
async function open(who?: typeof SAM, viewport?: { width: number; height: number }) {
  const { page, context } = await signedInPage(studio, who, viewport);
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, context, done: async () => { expect(errors).toEqual([]); await context.close(); } };
}

describe.skipIf(!hasChromium)('studio: views, dashboards and import', () => {
  beforeAll(async () => {
    studio = await startStudio();
    await seedPipeline(studio.server);
  }, 120_000);
  afterAll(() => studio?.stop());

  it('builds a dashboard in the designer and shows it on the home page with the right numbers', async () => {
    const { page, done } = await open();
    await page.goto(`${studio.server.base}/design/dashboards`);
    await page.getByLabel('New dashboard').fill('Pipeline');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: '+ Add chart' }).click();
    await page.getByLabel('Title').fill('Deals by stage');
    // A bar chart needs a grouping: the server's problem lands on that widget's Group by.
    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await poll(() => page.locator('#w0-groupBy').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#w0-groupBy-error').textContent()).toMatch(/required for a bar chart/);
    await page.getByLabel('Group by').selectOption('stage');
    await page.getByRole('button', { name: '+ Add chart' }).click();
    await page.locator('#w1-title').fill('Pipeline value');
    await page.locator('#w1-chart').selectOption('number');
    await page.locator('#w1-op').selectOption('sum');
    await page.getByRole('button', { name: 'Save dashboard' }).click();
    await poll(() => page.getByRole('status').textContent()).toContain('Saved');
    await poll(() => page.locator('article[data-widget="Pipeline value"] .big').textContent()).toBe(DEALS.reduce((s, d) => s + d.amount, 0).toLocaleString('en-US'));
    await shot(page, 'dashboard-editor');

    await page.getByRole('link', { name: 'Rapport' }).click();
    const bar = page.locator('article[data-widget="Deals by stage"] svg[role="img"]');
    await poll(() => bar.getAttribute('aria-label')).toContain('Lead: 3');
    const label = (await bar.getAttribute('aria-label'))!;
    const counts = (await studio.server.call('GET', '/api/entities/deal/records/group-by?by=stage')).body.groups as Array<{ key: { stage: string }; count: number }>;
    for (const g of counts) expect(label).toContain(`${g.key.stage.charAt(0).toUpperCase()}${g.key.stage.slice(1)}: ${g.count}`);
    const total = DEALS.reduce((s, d) => s + d.amount, 0);
    expect(await page.locator('article[data-widget="Pipeline value"] .big').textContent()).toBe(total.toLocaleString('en-US'));
    await shot(page, 'dashboard');
    await done();
  });

  it('builds a kanban board by a select field; cards move by drag and drop and by keyboard, and a refused move comes back', async () => {
    const { page, done } = await open(SAM);
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Deals' }).click();
    await page.getByLabel('Layout').selectOption('kanban');
    await poll(() => page.getByLabel('Columns by').inputValue()).toBe('stage');
    await page.getByRole('button', { name: 'Save as new view…' }).click();
    await page.getByLabel('View name').fill('Board');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.url()).toMatch(/\?view=[0-9a-f]{24}$/);

    const column = (label: string) => page.locator(`section[data-column="${label}"]`);
    const card = (title: string) => page.locator(`li[data-card="${title}"]`);
    await card('Deal Alpha').waitFor();
    expect(await column('Lead').locator('li.card').count()).toBe(3);

    await card('Deal Alpha').dragTo(column('Qualified'));
    await poll(() => column('Qualified').textContent()).toContain('Deal Alpha');
    await poll(async () => (await dealNamed(studio.server, 'Deal Alpha')).stage).toBe('qualified');

    await page.getByRole('button', { name: 'Move Deal Bravo to…' }).focus();
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Qualified');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Won');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await poll(() => column('Qualified').textContent()).toContain('Deal Bravo');
    await poll(async () => (await dealNamed(studio.server, 'Deal Bravo')).stage).toBe('qualified');

    // The state machine allows lead → qualified only: the card comes back with the server's reason.
    await card('Deal Charlie').dragTo(column('Won'));
    await poll(() => page.getByRole('alert').textContent()).toMatch(/cannot go from lead to won/);
    expect(await column('Lead').textContent()).toContain('Deal Charlie');
    expect(await column('Won').textContent()).not.toContain('Deal Charlie');
    expect((await dealNamed(studio.server, 'Deal Charlie')).stage).toBe('lead');
    await shot(page, 'kanban');

    await page.reload();
    await poll(() => column('Qualified').locator('li.card').count()).toBe(3);
    await done();
  });

  it('shows a calendar by a date field, month by month, and opens a record from it', async () => {
    const { page, done } = await open();
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Deals' }).click();
    await page.getByLabel('Layout').selectOption('calendar');
    const day3 = page.locator(`td[data-day="${dayThisMonth(3)}"]`);
    await poll(() => day3.textContent()).toContain('Deal Alpha');
    expect(await day3.textContent()).toContain('Deal Bravo');
    expect(await page.locator(`td[data-day="${dayThisMonth(20)}"]`).textContent()).toContain('Deal Echo');
    await shot(page, 'calendar');
    const month = await page.locator('.cal-head h2').textContent();
    await page.getByRole('button', { name: 'Next month' }).click();
    await poll(() => page.locator('.cal-head h2').textContent()).not.toBe(month);
    await poll(() => page.locator('table.calendar td:not(.out) a').count()).toBe(0);
    await page.getByRole('button', { name: 'Previous month' }).click();
    await page.getByRole('link', { name: 'Deal Echo' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Deal Echo');
    await done();
  });

  it('saves a filtered view shared with everyone, and another user sees and uses it', async () => {
    const { page, done } = await open();
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Deals' }).click();
    await page.getByRole('button', { name: /^Filter/ }).click();
    await page.getByRole('button', { name: '+ Add condition' }).click();
    await page.getByLabel('Condition 1 field').selectOption('stage');
    await page.getByLabel('Condition 1 value').selectOption('won');
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('2');
    await page.getByRole('button', { name: 'Save as new view…' }).click();
    await page.getByLabel('View name').fill('Won deals');
    await page.getByLabel('Share with everyone').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await poll(() => page.url()).toMatch(/\?view=/);
    await done();

    const sam = await open(SAM);
    await sam.page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Deals' }).click();
    const views = sam.page.getByLabel('View', { exact: false }).first();
    await poll(() => views.locator('option').allTextContents()).toEqual(expect.arrayContaining(['Won deals (shared)', 'Board']));
    await views.selectOption({ label: 'Won deals (shared)' });
    await poll(() => sam.page.getByRole('heading', { level: 1 }).textContent()).toContain('2');
    expect(await sam.page.getByRole('region', { name: 'Deals' }).textContent()).toMatch(/Deal Echo[\s\S]*|Deal Foxtrot/);
    expect(await sam.page.getByRole('region', { name: 'Deals' }).textContent()).not.toContain('Deal Golf');
    // Sam may use it but not change it: no "Save view" or "Delete view" for a view an administrator shared.
    expect(await sam.page.getByRole('button', { name: 'Delete view' }).count()).toBe(0);
    await sam.done();
  });

  it('updates one field of the selected records in bulk', async () => {
    const { page, done } = await open();
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Deals' }).click();
    // Grouped by stage: a header per stage with its count (from /group-by), rows sorted under it.
    await page.getByLabel('Group by').selectOption('stage');
    await poll(() => page.locator('tr.group-head').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/Qualified\s*3/), expect.stringMatching(/Won\s*2/)]));
    await page.getByLabel('Select Deal Delta').check();
    await page.getByLabel('Select Deal Golf').check();
    await page.getByLabel('Field to update').selectOption('priority');
    await page.locator('#bulk-value').selectOption('high');
    await page.getByRole('button', { name: 'Update 2' }).click();
    await poll(() => page.getByRole('status').first().textContent()).toContain('2 updated');
    expect((await dealNamed(studio.server, 'Deal Delta')).priority).toBe('high');
    expect((await dealNamed(studio.server, 'Deal Golf')).priority).toBe('high');
    expect((await dealNamed(studio.server, 'Deal Echo')).priority).not.toBe('high');
    await done();
  });

  it('imports a CSV: columns matched by label, a dry-run report by row, column and reason, then the import', async () => {
    const { page, done } = await open();
    await page.getByRole('navigation', { name: 'Objects' }).getByRole('link', { name: 'Deals' }).click();
    await page.getByRole('link', { name: 'Import' }).click();
    const csv = ['Title,Stage,Amount,Close date,Notes', 'Imported One,lead,10,2026-12-01,x', 'Imported Two,lead,lots,2026-12-02,y', 'Imported Three,maybe,30,2026-12-03,z', 'Imported Four,lead,40,2026-12-04,w'].join('\n');
    await page.getByLabel('1. Choose a CSV file').setInputFiles({ name: 'deals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await poll(() => page.getByLabel('Field for column Close date').inputValue()).toBe('closeDate');
    expect(await page.getByLabel('Field for column Title').inputValue()).toBe('title');
    expect(await page.getByLabel('Field for column Notes').inputValue()).toBe('');
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    const report = page.getByRole('region', { name: /Dry run/ });
    await poll(() => report.textContent()).toContain('2 would fail');
    const rows = await report.locator('tbody tr').allTextContents();
    expect(rows.some((r) => r.includes('Amount'))).toBe(true);
    expect(rows.some((r) => r.includes('Stage'))).toBe(true);
    expect((await studio.server.call('GET', '/api/entities/deal/records/count?q=Imported')).body.count).toBe(0);
    await shot(page, 'import-report');

    await page.getByLabel('Save this mapping as').fill('deals-basic');
    await page.getByRole('button', { name: 'Import 4 rows' }).click();
    const result = page.getByRole('region', { name: 'Import finished' });
    await poll(() => result.textContent()).toContain('2 created');
    expect(await result.textContent()).toContain('2 not imported');
    expect((await studio.server.call('GET', '/api/entities/deal/records/count?q=Imported')).body.count).toBe(2);

    // The mapping was saved with the import, and brings the columns back for the next file.
    await page.getByRole('button', { name: 'Import another file' }).click();
    await page.getByLabel('Field for column Title').selectOption('');
    await page.getByLabel('Use a saved mapping').selectOption('deals-basic');
    expect(await page.getByLabel('Field for column Title').inputValue()).toBe('title');
    expect(await page.getByLabel('Field for column Close date').inputValue()).toBe('closeDate');
    await done();
  });

  it('stays usable at phone width: the toolbar wraps and the calendar becomes a list of days', async () => {
    const { page, done } = await open(SAM, { width: 390, height: 844 });
    await page.goto(`${studio.server.base}/r/deal`);
    await page.getByLabel('View', { exact: false }).first().selectOption({ label: 'Board' });
    await poll(() => page.locator('li.card').count()).toBeGreaterThan(0);
    await shot(page, 'kanban-phone');
    await page.getByLabel('Layout').selectOption('calendar');
    await poll(() => page.locator('table.calendar').textContent()).toContain('Deal Echo');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'calendar-phone');
    await done();
  });
});
