/**
 * Issue 7, rendering: preview a template against a record with merge fields from related records
 * (two levels), dates, numbers, currency and plurals in the reader's locale and time zone, HTML
 * escaping by default (raw only with triple-stash), partials per part, and the permissions of the
 * person previewing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem, type ApiRecord } from '../support/crm-fixture.ts';
import { asToken, issueUserToken, problemType } from '../support/auth-fixture.ts';

let s: AppServer;
let ann: ApiRecord;

const entity = (name: string, fields: unknown[]) => ({ name, label: name, pluralLabel: `${name}s`, fields });
const preview = (name: string, body: unknown) => s.call('POST', `/api/templates/${name}/preview`, body);
const save = async (name: string, body: unknown) => {
  const res = await s.call('PUT', `/api/templates/${name}`, body);
  if (res.status !== 201 && res.status !== 200) throw new Error(`saving ${name}: ${res.status} ${JSON.stringify(res.body)}`);
};

const LETTER = [
  '<p>{{record.name}} of {{record.account.name}}, managed by {{record.account.owner.name}}</p>',
  '<p>Born {{formatDate record.birthday "long"}}. Last seen {{formatDateTime record.lastSeen}}.</p>',
  '<p>Balance {{formatCurrency record.balance}}; score {{formatNumber record.score}}; {{plural record.visits one="# visit" other="# visits"}}</p>',
  '<div>{{record.notes}}</div>',
].join('\n');

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, entity('employee', [{ name: 'name', type: 'text', required: true }]));
  await defineEntity(s, entity('account', [{ name: 'name', type: 'text', required: true }, { name: 'owner', type: 'relation', target: 'employee' }]));
  await defineEntity(s, entity('contact', [
    { name: 'name', type: 'text', required: true },
    { name: 'account', type: 'relation', target: 'account' },
    { name: 'birthday', type: 'date' },
    { name: 'lastSeen', type: 'datetime' },
    { name: 'balance', type: 'currency', currency: 'EUR' },
    { name: 'score', type: 'number' },
    { name: 'visits', type: 'integer' },
    { name: 'notes', type: 'text' },
  ]));
  const owner = await createRecord(s, 'employee', { name: 'Olga Owner' });
  const account = await createRecord(s, 'account', { name: 'Acme & Sons', owner: owner._id });
  ann = await createRecord(s, 'contact', {
    name: 'Ann', account: account._id, birthday: '1990-03-05', lastSeen: '2024-01-15T23:30:00Z', balance: { amount: '1234.5' }, score: 1234567.891, visits: 3,
    notes: '<script>alert(1)</script> & "quoted"',
  });
  await save('contact-letter', { kind: 'document', entity: 'contact', parts: { html: LETTER } });
});
afterAll(async () => s.stop());

describe('preview against a record', () => {
  it('merges fields of the record and of related records two levels away, escaped', async () => {
    const res = await preview('contact-letter', { recordId: ann._id, locale: 'en-GB', timeZone: 'Europe/London' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.template).toMatchObject({ name: 'contact-letter', version: 1, kind: 'document' });
    expect(res.body.html).toContain('<p>Ann of Acme &amp; Sons, managed by Olga Owner</p>');
    expect(res.body.html).toContain('<div>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;</div>');
    expect(res.body.html).not.toContain('<script>');
  });

  it('formats dates, currency, numbers and plurals in the locale and time zone asked for', async () => {
    const gb = (await preview('contact-letter', { recordId: ann._id, locale: 'en-GB', timeZone: 'Europe/London' })).body.html as string;
    expect(gb).toContain('Born 5 March 1990.');
    expect(gb).toContain('Last seen 15 Jan 2024, 23:30.');
    expect(gb).toContain('Balance €1,234.50; score 1,234,567.891; 3 visits');
    const de = (await preview('contact-letter', { recordId: ann._id, locale: 'de-DE', timeZone: 'Europe/Berlin' })).body.html as string;
    expect(de).toContain('Born 5. März 1990.');
    // Midnight has passed in Berlin; a date-only field stays the day it is.
    expect(de).toMatch(/Last seen 16\.01\.2024, 00:30\./);
    expect(de).toMatch(/Balance 1\.234,50\s€; score 1\.234\.567,891; 3 visits/);
    await save('visits', { kind: 'title', parts: { text: '{{plural n zero="none" one="# visit" other="# visits"}}' } });
    // Without a locale in the body, the reader's Accept-Language decides.
    const accepted = await s.call('POST', '/api/templates/contact-letter/preview', { recordId: ann._id, timeZone: 'Europe/Berlin' }, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    expect(accepted.body.html).toContain('Born 5. März 1990.');
    const one = await preview('visits', { data: { n: 1 }, locale: 'en-GB' });
    expect(one.body.text).toBe('1 visit');
    expect((await preview('visits', { data: { n: 0 } })).body.text).toBe('none');
    expect((await preview('visits', { data: { n: 2500 }, locale: 'de-DE' })).body.text).toBe('2.500 visits');
  });

  it('escapes every part by default; the text part is raw only with triple-stash', async () => {
    await save('note', { kind: 'email', entity: 'contact', parts: { subject: 'About {{{record.name}}}', html: '<b>{{record.notes}}</b>', text: 'escaped: {{record.notes}}\nraw: {{{record.notes}}}' } });
    const res = await preview('note', { recordId: ann._id });
    expect(res.body.subject).toBe('About Ann');
    expect(res.body.html).toBe('<b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;</b>');
    expect(res.body.text).toBe('escaped: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;\nraw: <script>alert(1)</script> & "quoted"');
  });

  it('includes a partial\'s html variant in the html part and its text variant in the text part', async () => {
    await save('signature', { kind: 'partial', parts: { html: '<p><i>{{who}}</i></p>', text: '-- {{{who}}}' } });
    await save('signed', { kind: 'email', parts: { subject: 'Hi', html: '<p>Body</p>{{> signature who="The <Team>"}}', text: 'Body\n{{> signature who="The <Team>"}}' } });
    const res = await preview('signed', {});
    expect(res.body.html).toBe('<p>Body</p><p><i>The &lt;Team&gt;</i></p>');
    expect(res.body.text).toBe('Body\n-- The <Team>');
  });

  it('previews an unsaved draft, and answers its syntax error with line and column', async () => {
    const ok = await preview('draft', { draft: { kind: 'title', parts: { text: '{{upper record.name}}' } }, entity: 'contact', recordId: ann._id });
    expect(ok.body.text).toBe('ANN');
    const bad = expectProblem(await preview('draft', { draft: { kind: 'title', parts: { text: 'ok\n{{#with record}}{{name}}' } } }), 422, ['/parts/text']);
    expect(bad.type).toBe(problemType('template-syntax'));
    expect(bad.errors![0]).toMatchObject({ line: 2 });
    expectProblem(await s.call('GET', '/api/templates/draft'), 404);
  });

  it('renders the default record title and refuses a bad locale, time zone or record', async () => {
    expect((await preview('record-title', { entity: 'contact', recordId: ann._id })).body.text).toBe('Ann');
    expectProblem(await preview('contact-letter', { recordId: ann._id, locale: 'not a locale!' }), 400, ['/locale']);
    expectProblem(await preview('contact-letter', { recordId: ann._id, timeZone: 'Mars/Olympus' }), 400, ['/timeZone']);
    expectProblem(await preview('contact-letter', { recordId: '0123456789abcdef01234567' }), 404);
    expectProblem(await preview('no-such-template', {}), 404);
  });
});

describe('previewing as someone who is not an administrator', () => {
  it('reads the record with their permissions: hidden fields and unreadable relations stay out', async () => {
    const token = await issueUserToken(s, { roles: [{ name: 'contactOnly', label: 'Contacts only', entities: { contact: { read: true, scope: 'all', fields: { notes: 'hidden' } } } }] });
    const as = asToken(s, token);
    const res = await as('POST', '/api/templates/contact-letter/preview', { recordId: ann._id, locale: 'en-GB' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // The account is not expanded for someone who cannot read accounts: its name and owner are blank.
    expect(res.body.html).toContain('<p>Ann of , managed by </p>');
    expect(res.body.html).toContain('<div></div>');
    // Sample data and drafts run code of the caller's: administrators only.
    expectProblem(await as('POST', '/api/templates/contact-letter/preview', { data: { x: 1 } }), 400, ['/data']);
    expectProblem(await as('POST', '/api/templates/contact-letter/preview', { draft: { kind: 'title', parts: { text: 'x' } } }), 400, ['/draft']);
  });

  it('cannot preview a record outside their scope or of an entity they cannot read', async () => {
    const token = await issueUserToken(s, { roles: [{ name: 'accountsOnly', label: 'Accounts only', entities: { account: { read: true, scope: 'all' } } }] });
    const res = await asToken(s, token)('POST', '/api/templates/contact-letter/preview', { recordId: ann._id });
    expect([403, 404]).toContain(res.status);
    expect(res.body.html).toBeUndefined();
  });
});
