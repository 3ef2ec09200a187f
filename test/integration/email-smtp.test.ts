/**
 * Issue 7, email over SMTP: a real SMTP server (smtp-server) on loopback receives what the
 * outbox sends; a server that refuses for now gets the mail again after a backoff, one that
 * refuses for good fails it at once; the password-reset mail arrives; and two app instances on
 * one database, both delivering, never send a mail twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createApp, type AppDeps, type Rapport } from '../../server/app.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { ADMIN, issueToken, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, waitFor } from '../support/crm-fixture.ts';
import { startTestEngine, type TestEngine } from '../support/test-engine.ts';

type Received = { envelopeTo: string[]; mail: ParsedMail };
const received: Received[] = [];
/** Reply codes the SMTP server answers the next RCPT TO with, then accepts. */
const refusals: number[] = [];
let smtp: SMTPServer;
let smtpUrl = '';

const FAST = { pollMs: 50, retryBaseMs: 300, retryMaxMs: 2_000, leaseMs: 10_000 };

/** An app like startAppServer's, but with SMTP: `serve` gives it an HTTP port and an admin token. */
async function startMailApp(engine: TestEngine, serve: boolean, mail: AppDeps['mail'] = FAST): Promise<{ rapport: Rapport; server?: AppServer }> {
  const rapport = createApp({ db: engine.client.db('rapport'), logger: createLogger({ level: 'silent' }), auth: { bootstrapAdmin: ADMIN }, smtpUrl, mailFrom: 'CRM <crm@rapport.test>', mail });
  await rapport.start();
  if (!serve) return { rapport };
  const http: Server = rapport.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  let adminToken = '';
  const call: AppServer['call'] = async (method, path, body, headers = {}, options = {}) => {
    const sent: Record<string, string> = { ...headers };
    if (!options.anonymous && adminToken && !sent.cookie && !sent.authorization) sent.authorization = `Bearer ${adminToken}`;
    if (body !== undefined) sent['content-type'] ??= 'application/json';
    const res = await fetch(base + path, { method, headers: sent, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  adminToken = await issueToken(call, ADMIN, ['admin']);
  const stop = async () => {
    await new Promise((resolve) => http.close(resolve));
    await rapport.stop();
  };
  return { rapport, server: { base, engine, rapport, adminToken, call, stop } };
}

const inbox = (to: string) => received.filter((r) => r.envelopeTo.includes(to));

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refusals.shift();
      if (code) return callback(Object.assign(new Error(code >= 500 ? 'No such mailbox' : 'Try again later'), { responseCode: code }));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

describe('one instance with SMTP', () => {
  let engine: TestEngine;
  let s: AppServer;
  beforeAll(async () => {
    engine = await startTestEngine();
    s = (await startMailApp(engine, true)).server!;
    await defineEntity(s, { name: 'contact', label: 'Contact', pluralLabel: 'Contacts', fields: [{ name: 'name', type: 'text', required: true }, { name: 'emailOptOut', type: 'boolean' }] });
  });
  afterAll(async () => {
    await s?.stop();
    await engine?.cleanup();
  });

  const sentMail = (id: string, status = 'sent') => waitFor(async () => {
    const res = await s.call('GET', `/api/mail/outbox/${id}`);
    return res.body.status === status ? res.body : null;
  }, 8_000);

  it('sends a queued mail: sender, subject, both parts, a stable Message-ID and the unsubscribe headers', async () => {
    const ann = await createRecord(s, 'contact', { name: 'Ann' });
    const res = await s.call('POST', '/api/mail/outbox', { to: 'ann@example.org', template: 'survey', record: { entity: 'contact', id: ann._id }, replyTo: 'Support <help@rapport.test>' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const mail = await sentMail(res.body.id);
    expect(mail).toMatchObject({ attempts: 1, messageId: `<${res.body.id}@rapport.test>` });
    const [got] = inbox('ann@example.org');
    expect(got!.mail.subject).toBe('How did we do?');
    expect(got!.mail.from!.value).toEqual([{ name: 'CRM', address: 'crm@rapport.test' }]);
    expect(got!.mail.replyTo!.value).toEqual([{ name: 'Support', address: 'help@rapport.test' }]);
    expect(got!.mail.messageId).toBe(`<${res.body.id}@rapport.test>`);
    expect(got!.mail.html).toContain('Hello Ann,');
    expect(got!.mail.text).toContain('Hello Ann,');
    const header = (key: string) => got!.mail.headerLines.find((h) => h.key === key)?.line ?? '';
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header('list-unsubscribe').replace(/\r\n\s+/g, ' ')).toMatch(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:3000\/mail\/unsubscribe\?token=[\w-]+\.[\w-]+>/);
  });

  it('delivers the password-reset mail with its link', async () => {
    expect((await s.call('POST', '/api/auth/password-reset', { email: ADMIN.email }, {}, { anonymous: true })).status).toBe(202);
    const got = await waitFor(async () => inbox(ADMIN.email)[0], 8_000);
    expect(got.mail.subject).toBe('Reset your Rapport password');
    expect(got.mail.text).toMatch(/\/reset-password#token=[\w-]{43}/);
    const stored = await collection(s, 'mail_outbox').findOne({ template: 'password-reset' });
    expect(stored).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('retries with backoff while the server refuses for now, then delivers once', async () => {
    refusals.push(451, 451);
    const res = await s.call('POST', '/api/mail/outbox', { to: 'later@example.org', template: 'survey' });
    const first = await waitFor(async () => {
      const m = (await s.call('GET', `/api/mail/outbox/${res.body.id}`)).body;
      return m.status === 'pending' && m.attempts === 1 ? m : null;
    }, 8_000);
    expect(first.lastError).toMatch(/451/);
    // The first retry waits about retryBaseMs (±20%), the next twice that.
    const stored = await collection(s, 'mail_outbox').findOne({ to: 'later@example.org' });
    const wait = stored!.nextAttemptAt.getTime() - stored!.updatedAt.getTime();
    expect(wait).toBeGreaterThanOrEqual(FAST.retryBaseMs * 0.8 - 5);
    expect(wait).toBeLessThanOrEqual(FAST.retryBaseMs * 1.2 + 5);
    const sent = await sentMail(res.body.id);
    expect(sent.attempts).toBe(3);
    expect(inbox('later@example.org')).toHaveLength(1);
    expect(new Date(sent.sentAt).getTime() - new Date(stored!.createdAt).getTime()).toBeGreaterThanOrEqual(FAST.retryBaseMs * 0.8 * 3 - 50);
  });

  it('fails a mail the server refuses for good, at once, and sends it when an administrator retries', async () => {
    refusals.push(550);
    const res = await s.call('POST', '/api/mail/outbox', { to: 'gone@example.org', template: 'survey' });
    const failed = await sentMail(res.body.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/550/);
    expect(inbox('gone@example.org')).toHaveLength(0);
    expect((await s.call('POST', `/api/mail/outbox/${res.body.id}/retry`)).status).toBe(202);
    await sentMail(res.body.id);
    expect(inbox('gone@example.org')).toHaveLength(1);
  });

  it('takes over a mail whose instance died while sending it, once its lease has run out', async () => {
    const stuck = (to: string, owner: string, until: number) => ({ template: 'survey', to, status: 'sending', attempts: 1, lease: { owner, until: new Date(until) }, createdAt: new Date() });
    const { insertedId } = await collection(s, 'mail_outbox').insertOne(stuck('stuck@example.org', 'an instance that died', Date.now() - 1));
    const mail = await sentMail(insertedId.toHexString());
    expect(mail.attempts).toBe(2);
    expect(inbox('stuck@example.org')).toHaveLength(1);
    // A lease still running is left alone.
    const held = await collection(s, 'mail_outbox').insertOne(stuck('held@example.org', 'a live instance', Date.now() + 60_000));
    await new Promise((r) => setTimeout(r, 300));
    expect((await collection(s, 'mail_outbox').findOne({ _id: held.insertedId }))!.status).toBe('sending');
    expect(inbox('held@example.org')).toHaveLength(0);
  });

  it('suppresses bulk mail to a contact who opted out: nothing reaches the SMTP server', async () => {
    const carl = await createRecord(s, 'contact', { name: 'Carl', emailOptOut: true });
    const res = await s.call('POST', '/api/mail/outbox', { to: 'carl@example.org', template: 'survey', record: { entity: 'contact', id: carl._id } });
    const mail = await sentMail(res.body.id, 'suppressed');
    expect(mail.suppressedReason).toMatch(/unsubscribed/);
    expect(inbox('carl@example.org')).toHaveLength(0);
  });
});

describe('two instances delivering from one database', () => {
  let engine: TestEngine;
  let one: Rapport;
  let two: Rapport;
  beforeAll(async () => {
    engine = await startTestEngine();
    one = (await startMailApp(engine, false, { ...FAST, pollMs: 10 })).rapport;
    two = (await startMailApp(engine, false, { ...FAST, pollMs: 10 })).rapport;
  });
  afterAll(async () => {
    await one?.stop();
    await two?.stop();
    await engine?.cleanup();
  });

  it('never send the same mail twice', async () => {
    const db = engine.client.db('rapport');
    // Queued the way the auth capability queues mail, so both instances find them by polling at once.
    const docs = Array.from({ length: 40 }, (_, i) => ({ template: 'password-reset', to: `user${i}@race.test`, data: { name: `User ${i}`, url: `http://x/reset#token=${i}`, expiresAt: new Date() }, status: 'pending', createdAt: new Date() }));
    await db.collection('mail_outbox').insertMany(docs);
    await waitFor(async () => (await db.collection('mail_outbox').countDocuments({ to: /@race\.test$/, status: 'sent' })) === 40, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const race = received.filter((r) => r.envelopeTo[0]!.endsWith('@race.test'));
    expect(race).toHaveLength(40);
    expect(new Set(race.map((r) => r.envelopeTo[0])).size).toBe(40);
    const attempts = await db.collection('mail_outbox').distinct('attempts', { to: /@race\.test$/ });
    expect(attempts).toEqual([1]);
  }, 30_000);
});
