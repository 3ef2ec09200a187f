/**
 * The delivery loop (issue 7): claims due mail from the outbox one at a time with a lease,
 * prepares it (consent check, render once: retries send the same content), and hands it to SMTP,
 * or to the built-in mail catcher when none is configured. A send that fails for a reason that
 * may pass (network, 4xx) is retried with exponential backoff and jitter up to `maxAttempts`; a
 * permanent refusal (5xx) or a template/record problem fails the mail at once, with `lastError`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.ts';
import { Problem } from '../shared/errors.ts';
import type { MailDoc, OutboxStore, RenderedMail } from './outbox.store.ts';
import { isPermanent, type Transport } from './transport.ts';

export type DeliveryOptions = {
  /** How often the outbox is polled for mail queued elsewhere (another instance, the auth capability). */
  pollMs: number;
  /** How long a claimed mail stays with this instance; longer than one SMTP send can take. */
  leaseMs: number;
  maxAttempts: number;
  /** First retry delay; doubled each attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
};

export const DEFAULT_DELIVERY: DeliveryOptions = { pollMs: 2_000, leaseMs: 120_000, maxAttempts: 8, retryBaseMs: 30_000, retryMaxMs: 3_600_000 };

export type Prepared = { suppressed: string } | { rendered: RenderedMail; from: string; unsubscribeUrl?: string };
export type Preparer = (doc: MailDoc) => Promise<Prepared>;

export function backoffMs(attempts: number, o: Pick<DeliveryOptions, 'retryBaseMs' | 'retryMaxMs'>): number {
  const base = Math.min(o.retryMaxMs, o.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

const messageOf = (err: unknown): string => (err instanceof Problem ? (err.detail ?? err.title) : err instanceof Error ? err.message : String(err)).slice(0, 1000);

export function createDelivery(deps: { store: OutboxStore; prepare: Preparer; transport: Transport | null; logger: Logger; options: DeliveryOptions }) {
  const { store, options, logger } = deps;
  const owner = randomUUID();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopping = false;

  async function deliver(doc: MailDoc): Promise<void> {
    let rendered = doc.rendered;
    try {
      const prepared = await deps.prepare(doc);
      if ('suppressed' in prepared) {
        await store.settle(doc, { status: 'suppressed', suppressedReason: prepared.suppressed });
        return;
      }
      rendered = prepared.rendered;
      if (!deps.transport) {
        await store.settle(doc, { status: 'caught', rendered });
        return;
      }
      const id = doc._id.toHexString();
      const sent = await deps.transport.send({ id, from: prepared.from, to: doc.to, ...(doc.replyTo ? { replyTo: doc.replyTo } : {}), ...rendered, ...(prepared.unsubscribeUrl ? { unsubscribeUrl: prepared.unsubscribeUrl } : {}) });
      const settled = await store.settle(doc, { status: 'sent', rendered, sentAt: new Date(), messageId: sent.messageId });
      if (!settled) logger.warn({ mailId: id }, 'a mail was sent after its lease ended');
    } catch (err) {
      await failed(doc, err, rendered);
    }
  }

  async function failed(doc: MailDoc, err: unknown, rendered: RenderedMail | undefined): Promise<void> {
    // A problem preparing the mail (unknown template, record gone, render error) will not pass by waiting.
    const permanent = (err instanceof Problem && err.status < 500) || isPermanent(err);
    const attempts = doc.attempts ?? 1;
    const lastError = messageOf(err);
    logger.warn({ mailId: doc._id.toHexString(), attempts, permanent, error: lastError }, 'mail delivery failed');
    const keep = rendered ? { rendered } : {};
    if (permanent || attempts >= options.maxAttempts) await store.settle(doc, { status: 'failed', lastError, ...keep });
    else await store.settle(doc, { status: 'pending', lastError, nextAttemptAt: new Date(Date.now() + backoffMs(attempts, options)), ...keep });
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (stopping) return;
        const doc = await store.claim(owner, options.leaseMs);
        if (!doc) break;
        await deliver(doc);
      }
    } while (again && !stopping);
  }

  /** Looks for due mail now (after an enqueue, or on the poll). */
  function kick(): void {
    if (stopping) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((err: unknown) => logger.error({ err }, 'mail delivery loop failed'))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    kick,
    start(): void {
      stopping = false;
      timer = setInterval(kick, options.pollMs);
      timer.unref();
      kick();
    },
    async stop(): Promise<void> {
      stopping = true;
      clearInterval(timer);
      await running;
      deps.transport?.close();
    },
    /** Resolves when the loop has nothing in hand (tests). */
    idle: async (): Promise<void> => {
      await running;
    },
  };
}
