/**
 * Queueing mail and reading the outbox (issue 7). `enqueue` checks its input at once (so a
 * workflow step learns of an unknown template or a bad address when it runs, not hours later),
 * stores the mail and wakes delivery. `prepare` is what delivery does before sending: the
 * recipient's consent, then the render (once; a retry sends what the first attempt rendered).
 */
import { ObjectId } from 'mongodb';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { checkLocale, checkTimeZone, type Templates } from '../templates/index.ts';
import type { Consent } from './consent.ts';
import type { Preparer } from './delivery.ts';
import { mailProblems } from './email.problems.ts';
import type { MailDoc, MailStatus, NewMail, OutboxStore, RecordRef } from './outbox.store.ts';
import type { Unsubscribe } from './unsubscribe.ts';

/** What other capabilities (workflows) and POST /api/mail/outbox queue: the caller's part of a stored mail. */
export type EnqueueInput = Pick<MailDoc, 'to' | 'template' | 'data' | 'record' | 'recipient' | 'transactional' | 'from' | 'replyTo' | 'dedupeKey' | 'locale' | 'timeZone'>;

const ADDRESS = /^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$|^[^@\s<>",;]+@localhost$/;
/** "Name <address>" or a bare address; never a line break (header injection). */
const SENDER = /^(?:[^<>\r\n"]{0,100}<[^@\s<>]+@[^@\s<>]+>|[^@\s<>"]+@[^@\s<>"]+)$/;
const MAX_DATA = 256 * 1024;
const STATUSES: readonly MailStatus[] = ['pending', 'sending', 'sent', 'failed', 'suppressed', 'caught'];

type Deps = { store: OutboxStore; templates: Templates; registry: MetadataRegistry; consent: Consent; unsubscribe: Unsubscribe; from: string; kick: () => void };

function checkRef(registry: MetadataRegistry, value: unknown, pointer: string, errors: FieldError[]): RecordRef | undefined {
  if (value === undefined) return undefined;
  const v = value as Partial<RecordRef> | null;
  if (!v || typeof v !== 'object' || typeof v.entity !== 'string' || typeof v.id !== 'string') errors.push({ pointer, detail: 'must be { entity, id }' });
  else if (!registry.get(v.entity)) errors.push({ pointer: `${pointer}/entity`, detail: `there is no entity "${v.entity}"` });
  else if (!/^[0-9a-fA-F]{24}$/.test(v.id)) errors.push({ pointer: `${pointer}/id`, detail: 'is not a record id' });
  else return { entity: v.entity, id: v.id.toLowerCase() };
  return undefined;
}

function checkText(body: Record<string, unknown>, key: string, errors: FieldError[], test?: (v: string) => string | null): string | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) errors.push({ pointer: `/${key}`, detail: 'must be a non-empty string' });
  else {
    const problem = test?.(v);
    if (problem) errors.push({ pointer: `/${key}`, detail: problem });
    else return v;
  }
  return undefined;
}

const attempt = (check: () => string, pointer: string, errors: FieldError[]): string | undefined => {
  try {
    return check();
  } catch {
    errors.push({ pointer, detail: pointer === '/locale' ? 'is not a language tag such as en-GB' : 'is not an IANA time zone such as Europe/London' });
    return undefined;
  }
};

export function createMailService(deps: Deps) {
  async function checkInput(input: unknown): Promise<NewMail> {
    const body = (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
    const errors: FieldError[] = [];
    const to = checkText(body, 'to', errors, (v) => (ADDRESS.test(v) && v.length <= 320 ? null : 'must be one email address'));
    if (body.to === undefined) errors.push({ pointer: '/to', detail: 'is required' });
    const template = checkText(body, 'template', errors);
    if (body.template === undefined) errors.push({ pointer: '/template', detail: 'is required' });
    else if (template && !(await deps.templates.exists(template, 'email'))) errors.push({ pointer: '/template', detail: `there is no email template "${template}"` });
    const from = checkText(body, 'from', errors, (v) => (SENDER.test(v) ? null : 'must be an address or "Name <address>"'));
    const replyTo = checkText(body, 'replyTo', errors, (v) => (SENDER.test(v) ? null : 'must be an address or "Name <address>"'));
    const dedupeKey = checkText(body, 'dedupeKey', errors, (v) => (v.length <= 300 ? null : 'must be at most 300 characters'));
    const localeText = checkText(body, 'locale', errors);
    const zoneText = checkText(body, 'timeZone', errors);
    const locale = localeText ? attempt(() => checkLocale(localeText), '/locale', errors) : undefined;
    const timeZone = zoneText ? attempt(() => checkTimeZone(zoneText), '/timeZone', errors) : undefined;
    const record = checkRef(deps.registry, body.record, '/record', errors);
    const recipient = checkRef(deps.registry, body.recipient, '/recipient', errors);
    const data = body.data;
    if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) errors.push({ pointer: '/data', detail: 'must be an object of merge fields' });
    else if (data !== undefined && JSON.stringify(data).length > MAX_DATA) errors.push({ pointer: '/data', detail: `must be at most ${MAX_DATA} characters as JSON` });
    if (body.transactional !== undefined && typeof body.transactional !== 'boolean') errors.push({ pointer: '/transactional', detail: 'must be true or false' });
    if (errors.length) throw mailProblems.invalidMail.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
    const optional = { data, record, recipient, from, replyTo, dedupeKey, locale, timeZone, transactional: body.transactional === true ? true : undefined };
    return { to: to!, template: template!, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) } as NewMail;
  }

  const prepare: Preparer = async (doc: MailDoc) => {
    const recipient = doc.transactional ? undefined : (doc.recipient ?? doc.record);
    let unsubscribeUrl: string | undefined;
    if (recipient) {
      const check = await deps.consent.check(recipient);
      if (!check.allowed) return { suppressed: check.reason };
      if (check.fields) unsubscribeUrl = deps.unsubscribe.urlFor(recipient);
    }
    const rendered = doc.rendered ?? (await renderMail(doc, unsubscribeUrl));
    return { rendered, from: doc.from ?? deps.from, ...(unsubscribeUrl ? { unsubscribeUrl } : {}) };
  };

  async function renderMail(doc: MailDoc, unsubscribeUrl: string | undefined) {
    const out = await deps.templates.render(doc.template, doc.data ?? {}, { locale: doc.locale, timeZone: doc.timeZone, ...(doc.record ? { record: doc.record } : {}), ...(unsubscribeUrl ? { unsubscribeUrl } : {}) });
    return { subject: out.subject ?? '', ...(out.html !== undefined ? { html: out.html } : {}), ...(out.text !== undefined ? { text: out.text } : {}), templateVersion: out.version };
  }

  const idOf = (id: string): ObjectId => {
    if (!/^[0-9a-fA-F]{24}$/.test(id)) throw mailProblems.mailNotFound.create({ detail: `There is no mail ${id}` });
    return new ObjectId(id);
  };

  return {
    /** Idempotent per dedupeKey: `created` is false when that key was queued before. */
    async enqueue(input: EnqueueInput | unknown): Promise<{ id: string; created: boolean }> {
      // A step retried after a crash finds its mail queued, even if the template changed meanwhile.
      const key = (input as { dedupeKey?: unknown } | null)?.dedupeKey;
      const queued = typeof key === 'string' ? await deps.store.idOfKey(key) : null;
      if (queued) return { id: queued, created: false };
      const mail = await checkInput(input);
      const result = await deps.store.insert(mail);
      if (result.created) deps.kick();
      return result;
    },
    prepare,
    list(query: { status?: unknown; to?: unknown; before?: unknown; limit?: unknown }) {
      const status = typeof query.status === 'string' && (STATUSES as string[]).includes(query.status) ? (query.status as MailStatus) : undefined;
      if (query.status !== undefined && !status) throw mailProblems.invalidRequest.create({ detail: `status must be one of ${STATUSES.join(', ')}`, errors: [{ pointer: '/status', detail: `must be one of ${STATUSES.join(', ')}` }] });
      const before = typeof query.before === 'string' && !Number.isNaN(Date.parse(query.before)) ? new Date(query.before) : undefined;
      const limit = Math.min(Math.max(Number(query.limit ?? 50) || 50, 1), 200);
      return deps.store.list({ status, to: typeof query.to === 'string' ? query.to : undefined, before, limit });
    },
    async get(id: string): Promise<MailDoc> {
      const doc = await deps.store.get(idOf(id));
      if (!doc) throw mailProblems.mailNotFound.create({ detail: `There is no mail ${id}` });
      return doc;
    },
    async retry(id: string): Promise<void> {
      if (!(await deps.store.requeue(idOf(id)))) {
        const doc = await deps.store.get(idOf(id));
        if (!doc) throw mailProblems.mailNotFound.create({ detail: `There is no mail ${id}` });
        throw mailProblems.notRetryable.create({ detail: `The mail is ${doc.status}: only failed, suppressed or caught mail can be queued again` });
      }
      deps.kick();
    },
  };
}

export type MailService = ReturnType<typeof createMailService>;
