/**
 * Issue 7, email without SMTP: mail is rendered and kept in the outbox, where administrators read
 * it (the built-in mail catcher); queueing is checked and idempotent per dedupeKey; consent and
 * unsubscribe flags suppress bulk mail, and the signed unsubscribe link sets the flag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, waitFor, type ApiRecord } from '../support/crm-fixture.ts';
import { asToken, issueUserToken, problemType } from '../support/auth-fixture.ts';

let s: AppServer;

type Mail = { id: string; status: string; subject: string | null; html: string | null; text: string | null; suppressedReason: string | null; attempts: number; lastError: string | null };

const enqueue = (body: unknown) => s.call('POST', '/api/mail/outbox', body);

/** The mail once delivery has dealt with it (caught, suppressed or failed). */
async function settled(id: string): Promise<Mail> {
  return waitFor(async () => {
    const res = await s.call('GET', `/api/mail/outbox/${id}`);
    return res.body.status !== 'pending' && res.body.status !== 'sending' ? (res.body as Mail) : null;
  }, 5_000);
}

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, { name: 'contact', label: 'Contact', pluralLabel: 'Contacts', fields: [{ name: 'name', type: 'text', required: true }, { name: 'email', type: 'email' }, { name: 'emailOptOut', type: 'boolean' }] });
  await defineEntity(s, { name: 'member', label: 'Member', pluralLabel: 'Members', fields: [{ name: 'name', type: 'text', required: true }, { name: 'newsletter', type: 'boolean' }] });
  await s.call('PUT', '/api/templates/hello', { kind: 'email', parts: { subject: 'Hello {{{name}}}', html: '<p>Hello {{name}}</p>{{> email-footer}}', text: 'Hello {{{name}}}{{> email-footer}}' } });
});
afterAll(async () => s.stop());

describe('the mail catcher', () => {
  it('keeps the password-reset mail, rendered, for administrators to read', async () => {
    const reset = await s.call('POST', '/api/auth/password-reset', { email: ADMIN.email }, {}, { anonymous: true });
    expect(reset.status).toBe(202);
    const caught = await waitFor(async () => {
      const list = await s.call('GET', `/api/mail/outbox?to=${encodeURIComponent(ADMIN.email)}&status=caught`);
      return list.body.data[0] as { id: string; template: string; subject: string } | undefined;
    }, 5_000);
    expect(caught).toMatchObject({ template: 'password-reset', subject: 'Reset your Rapport password' });
    const mail = (await s.call('GET', `/api/mail/outbox/${caught.id}`)).body;
    const url = (await collection(s, 'mail_outbox').findOne({ template: 'password-reset' }))!.data.url as string;
    expect(mail.text).toContain(url);
    expect(mail.html).toContain('Choose a new password</a>');
    expect(mail.html).toContain(url.replace(/=/g, '&#x3D;'));
  });

  it('renders a queued mail with its data, escaped, and lists it', async () => {
    const res = await enqueue({ to: 'bob@example.org', template: 'hello', data: { name: 'Bob <b>' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const mail = await settled(res.body.id);
    expect(mail).toMatchObject({ status: 'caught', subject: 'Hello Bob <b>', html: '<p>Hello Bob &lt;b&gt;</p>', text: 'Hello Bob <b>', attempts: 1 });
    const list = await s.call('GET', '/api/mail/outbox?status=caught');
    expect(list.body.data.map((m: { id: string }) => m.id)).toContain(res.body.id);
  });

  it('queues one mail per dedupeKey, however often it is asked', async () => {
    const first = await enqueue({ to: 'once@example.org', template: 'hello', data: { name: 'Once' }, dedupeKey: 'run-1/step-a' });
    const second = await enqueue({ to: 'once@example.org', template: 'hello', data: { name: 'Once' }, dedupeKey: 'run-1/step-a' });
    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ id: first.body.id, created: false });
    expect(await collection(s, 'mail_outbox').countDocuments({ dedupeKey: 'run-1/step-a' })).toBe(1);
  });

  it('refuses a mail it could never send, with pointers', async () => {
    const bad = expectProblem(await enqueue({ to: 'not an address', template: 'nope', data: [], record: { entity: 'ghost', id: 'x' }, locale: '??', from: 'evil\r\nBcc: x@y.z' }), 422, ['/to', '/template', '/data', '/record/entity', '/locale', '/from']);
    expect(bad.type).toBe(problemType('invalid-mail'));
    // A document is not an email.
    expectProblem(await enqueue({ to: 'a@example.org', template: 'record-summary' }), 422, ['/template']);
    expectProblem(await enqueue({}), 422, ['/to', '/template']);
  });

  it('is for administrators only', async () => {
    const token = await issueUserToken(s, { roles: [{ name: 'contactReader', label: 'Reader', entities: { contact: { read: true, scope: 'all' } } }] });
    const as = asToken(s, token);
    const any = (await collection(s, 'mail_outbox').findOne({}))!._id.toHexString();
    expectProblem(await as('GET', '/api/mail/outbox'), 403);
    expectProblem(await as('GET', `/api/mail/outbox/${any}`), 403);
    expectProblem(await as('POST', '/api/mail/outbox', { to: 'a@example.org', template: 'hello' }), 403);
    expectProblem(await as('POST', `/api/mail/outbox/${any}/retry`), 403);
    expectProblem(await as('PUT', '/api/mail/settings/contact', { optOutField: 'emailOptOut' }), 403);
    expectProblem(await s.call('GET', '/api/mail/outbox', undefined, {}, { anonymous: true }), 401);
  });
});

describe('consent and unsubscribe', () => {
  let ann: ApiRecord;
  let carl: ApiRecord;
  beforeAll(async () => {
    ann = await createRecord(s, 'contact', { name: 'Ann', email: 'ann@example.org' });
    carl = await createRecord(s, 'contact', { name: 'Carl', email: 'carl@example.org', emailOptOut: true });
  });

  it('suppresses bulk mail to a contact who opted out, and says why; account mail still goes', async () => {
    const blocked = await settled((await enqueue({ to: 'carl@example.org', template: 'survey', record: { entity: 'contact', id: carl._id } })).body.id);
    expect(blocked.status).toBe('suppressed');
    expect(blocked.suppressedReason).toMatch(/unsubscribed \(contact\.emailOptOut is set\)/);
    expect(blocked.html).toBeNull();
    const account = await settled((await enqueue({ to: 'carl@example.org', template: 'hello', data: { name: 'Carl' }, recipient: { entity: 'contact', id: carl._id }, transactional: true })).body.id);
    expect(account.status).toBe('caught');
  });

  it('the unsubscribe link in a bulk mail sets the flag, after a confirmation, and later mail is suppressed', async () => {
    const mail = await settled((await enqueue({ to: 'ann@example.org', template: 'survey', record: { entity: 'contact', id: ann._id } })).body.id);
    expect(mail.status).toBe('caught');
    expect(mail.html).toContain('Hello Ann,');
    const link = /Unsubscribe: (\S+)/.exec(mail.text!)![1]!;
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:3000\/mail\/unsubscribe\?token=[\w-]+\.[\w-]+$/);
    const path = link.replace('http://127.0.0.1:3000', '');

    // Opening the link (as a mail scanner would) changes nothing.
    const page = await fetch(s.base + path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await getRecord(s, 'contact', ann._id)).emailOptOut).toBeFalsy();

    const tampered = await fetch(s.base + path.replace(/\.[\w-]+$/, '.AAAA'), { method: 'POST' });
    expect(tampered.status).toBe(400);
    // A mail client's one-click unsubscribe (RFC 8058) posts the same URL.
    const done = await fetch(s.base + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(done.status).toBe(200);
    expect((await getRecord(s, 'contact', ann._id)).emailOptOut).toBe(true);

    const after = await settled((await enqueue({ to: 'ann@example.org', template: 'survey', record: { entity: 'contact', id: ann._id } })).body.id);
    expect(after.status).toBe('suppressed');
  });

  it('an entity\'s consent field, once set as its setting, is required for bulk mail; a retry sends what is allowed now', async () => {
    expectProblem(await s.call('PUT', '/api/mail/settings/member', { consentField: 'name', colour: 1 }), 422, ['/consentField', '/colour']);
    const saved = await s.call('PUT', '/api/mail/settings/member', { consentField: 'newsletter' });
    expect(saved.body).toEqual({ entity: 'member', consentField: 'newsletter' });
    const mo = await createRecord(s, 'member', { name: 'Mo' });
    const mail = await settled((await enqueue({ to: 'mo@example.org', template: 'hello', data: { name: 'Mo' }, recipient: { entity: 'member', id: mo._id } })).body.id);
    expect(mail.status).toBe('suppressed');
    expect(mail.suppressedReason).toMatch(/has not consented to email \(member\.newsletter is not set\)/);
    await s.call('PATCH', `/api/entities/member/records/${mo._id}`, { newsletter: true });
    expect((await s.call('POST', `/api/mail/outbox/${mail.id}/retry`)).status).toBe(202);
    const resent = await settled(mail.id);
    expect(resent.status).toBe('caught');
    // The member's mail carries an unsubscribe link, which clears the consent flag.
    const link = /Unsubscribe: (\S+)/.exec(resent.text!)![1]!;
    expect((await fetch(s.base + link.replace('http://127.0.0.1:3000', ''), { method: 'POST' })).status).toBe(200);
    expect((await getRecord(s, 'member', mo._id)).newsletter).toBe(false);
  });
});
