/**
 * The email capability (issue 7): the `mail_outbox` collection, delivery over SMTP (nodemailer)
 * with retry, backoff and leases, the built-in mail catcher when no SMTP is configured, consent
 * and unsubscribe flags, and signed unsubscribe links.
 *
 * Public API for other capabilities (e.g. workflows):
 *
 *   const mail = createMail({ db, logger, registry, records: () => records, templates, smtpUrl, from, publicUrl });
 *   await mail.start();                      // indexes, unsubscribe key, delivery loop
 *   const { id, created } = await mail.enqueue({
 *     to: 'ann@example.org',
 *     template: 'survey',                    // an email template (templates capability)
 *     data: { ... },                         // merge fields, and/or
 *     record: { entity: 'case', id },        // merge fields under record.* (read as the system)
 *     recipient: { entity: 'contact', id },  // whose consent/unsubscribe flags decide (default: record)
 *     transactional: false,                  // true: account mail, sent whatever the flags
 *     from, replyTo, locale, timeZone,       // optional
 *     dedupeKey: 'run-42/step-3',            // unique: the same key queues one mail, ever
 *   });
 *   await mail.stop();
 *
 * A mail inserted directly as `{ template, to, data, status: 'pending', createdAt }` (the auth
 * capability's password reset) is delivered the same way, as transactional mail.
 * Statuses: pending → sending → sent | failed | suppressed (consent) | caught (no SMTP: kept by
 * the mail catcher, GET /api/mail/outbox/:id). `attempts`, `lastError` and `nextAttemptAt` tell
 * how delivery went. Delivery is at-least-once: only an instance dying between the SMTP server's
 * acceptance and its own record of it can send a mail twice, and then with the same Message-ID.
 */
import type { Db } from 'mongodb';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { RecordsService } from '../records/index.ts';
import type { Logger } from '../shared/logger.ts';
import type { Templates } from '../templates/index.ts';
import { createConsent } from './consent.ts';
import { createDelivery, DEFAULT_DELIVERY, type DeliveryOptions } from './delivery.ts';
import { createMailService, type EnqueueInput } from './mail.service.ts';
import { createOutboxStore } from './outbox.store.ts';
import { smtpTransport } from './transport.ts';
import { createUnsubscribe } from './unsubscribe.ts';

export { mailRoutes, recordMailRoutes, unsubscribeRoutes } from './mail.routes.ts';
export { mailProblems } from './email.problems.ts';
export { DEFAULT_DELIVERY, type DeliveryOptions } from './delivery.ts';
export type { EnqueueInput } from './mail.service.ts';
export type { MailDoc, MailStatus } from './outbox.store.ts';

export const DEFAULT_MAIL_FROM = 'Rapport <rapport@localhost>';

export type MailDeps = {
  db: Db;
  logger: Logger;
  registry: MetadataRegistry;
  records: () => RecordsService;
  templates: Templates;
  /** No URL: mail is rendered and kept in the outbox (the mail catcher), never sent. */
  smtpUrl?: string;
  from?: string;
  /** Where unsubscribe links point (the server's public URL). */
  publicUrl: string;
  options?: Partial<DeliveryOptions>;
};

export function createMail(deps: MailDeps) {
  const logger = deps.logger.child({ module: 'mail' });
  const store = createOutboxStore(deps.db);
  const consent = createConsent({ db: deps.db, registry: deps.registry, records: deps.records });
  const unsubscribe = createUnsubscribe({ db: deps.db, consent, records: deps.records, publicUrl: deps.publicUrl });
  let kick = () => {};
  const service = createMailService({ store, templates: deps.templates, registry: deps.registry, consent, unsubscribe, from: deps.from ?? DEFAULT_MAIL_FROM, kick: () => kick() });
  const delivery = createDelivery({ store, prepare: service.prepare, transport: deps.smtpUrl ? smtpTransport(deps.smtpUrl) : null, logger, options: { ...DEFAULT_DELIVERY, ...deps.options } });
  kick = delivery.kick;

  return {
    service,
    store,
    consent,
    unsubscribe,
    enqueue: (input: EnqueueInput) => service.enqueue(input),
    async start(): Promise<void> {
      await store.init();
      await unsubscribe.init();
      delivery.start();
    },
    stop: () => delivery.stop(),
    /** Looks for due mail now, and resolves when delivery has nothing in hand. */
    async flush(): Promise<void> {
      delivery.kick();
      await delivery.idle();
    },
  };
}

export type Mail = ReturnType<typeof createMail>;
