/**
 * /api/mail (administrators, issue 7): the outbox and built-in mail catcher (every mail with its
 * status, attempts and rendered subject, HTML and text), queueing a mail, sending one again, and
 * the consent settings of each entity. /mail/unsubscribe is public: the signed token is the
 * authority, and only a POST (the confirmation button, or a mail client's one-click) changes anything.
 */
import express, { Router, type Request, type Response } from 'express';
import { actorOf } from '../shared/actor.ts';
import type { MailDoc } from './outbox.store.ts';
import type { Mail } from './index.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

const summary = (m: MailDoc) => ({
  id: m._id.toHexString(),
  to: m.to,
  template: m.template,
  status: m.status,
  subject: m.rendered?.subject ?? null,
  attempts: m.attempts ?? 0,
  lastError: m.lastError ?? null,
  nextAttemptAt: m.nextAttemptAt ?? null,
  suppressedReason: m.suppressedReason ?? null,
  record: m.record ?? null,
  recipient: m.recipient ?? null,
  dedupeKey: m.dedupeKey ?? null,
  messageId: m.messageId ?? null,
  createdAt: m.createdAt,
  sentAt: m.sentAt ?? null,
});

const detail = (m: MailDoc) => ({ ...summary(m), from: m.from ?? null, replyTo: m.replyTo ?? null, data: m.data ?? {}, locale: m.locale ?? null, timeZone: m.timeZone ?? null, html: m.rendered?.html ?? null, text: m.rendered?.text ?? null, templateVersion: m.rendered?.templateVersion ?? null });

/** Mount behind requireAdmin for /api/mail. */
export function mailRoutes(mail: Mail): Router {
  const router = Router();
  router.get('/api/mail/outbox', async (req, res) => void res.json({ data: (await mail.service.list(req.query)).map(summary) }));
  router.post('/api/mail/outbox', async (req, res) => {
    const { id, created } = await mail.service.enqueue(req.body);
    res.status(created ? 202 : 200).location(`/api/mail/outbox/${id}`).json({ id, created });
  });
  router.get('/api/mail/outbox/:id', async (req, res) => void res.json(detail(await mail.service.get(param(req, 'id')))));
  router.post('/api/mail/outbox/:id/retry', async (req, res) => {
    await mail.service.retry(param(req, 'id'));
    res.status(202).json(detail(await mail.service.get(param(req, 'id'))));
  });
  router.get('/api/mail/settings', async (_req, res) => void res.json({ data: await mail.consent.list() }));
  router.put('/api/mail/settings/:entity', async (req, res) => void res.json({ entity: param(req, 'entity'), ...(await mail.consent.save(param(req, 'entity'), req.body, actorOf(res).id)) }));
  return router;
}

/**
 * The mails about one record, newest first, for anyone who can read it: the record page's
 * timeline shows them (the outbox itself stays for administrators).
 */
export function recordMailRoutes(mail: Mail, canRead: (entity: string, id: string, res: Response) => Promise<unknown>): Router {
  const router = Router();
  router.get('/api/entities/:entity/records/:id/mails', async (req, res) => {
    const [entity, id] = [param(req, 'entity'), param(req, 'id')];
    await canRead(entity, id, res);
    const list = await mail.store.list({ record: { entity, id }, limit: 50 });
    res.json({ data: list.map((m) => ({ id: m._id.toHexString(), to: m.to, template: m.template, subject: m.rendered?.subject ?? null, status: m.status, createdAt: m.createdAt, sentAt: m.sentAt ?? null })) });
  });
  return router;
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:sans-serif;max-width:32em;margin:4em auto">${body}</body></html>`;

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Public; mount before sign-in. */
export function unsubscribeRoutes(mail: Mail): Router {
  const router = Router();
  router.get('/mail/unsubscribe', (req, res) => {
    const token = String(req.query.token ?? '');
    // Checked before the page is shown, but nothing changes on a GET: link scanners open links.
    mail.unsubscribe.verify(token);
    res.type('html').send(page('Unsubscribe', `<h1>Unsubscribe</h1><p>Stop receiving these emails?</p><form method="post" action="/mail/unsubscribe?token=${attr(encodeURIComponent(token))}"><button type="submit">Unsubscribe</button></form>`));
  });
  router.post('/mail/unsubscribe', express.urlencoded({ extended: false, limit: '1kb' }), async (req, res) => {
    await mail.unsubscribe.apply(String(req.query.token ?? ''));
    res.type('html').send(page('Unsubscribed', '<h1>You are unsubscribed</h1><p>You will not receive these emails any more.</p>'));
  });
  return router;
}
