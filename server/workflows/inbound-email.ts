/**
 * Inbound email (issue 7): a mail provider forwards each message as MIME to one endpoint; it is
 * parsed (mailparser) and routed to the first inbound-email workflow, highest priority first,
 * whose sender pattern and subject match — the service-desk case "route this email to the right
 * queue by sender and subject". The endpoint is authenticated by a secret only the mail provider
 * holds (rotated by an administrator); a message nobody routes is kept, not dropped.
 */
import { simpleParser } from 'mailparser';
import { ObjectId, type Db } from 'mongodb';
import { hashSecret, newSecret, sameSecret } from '../auth/index.ts';
import { workflowProblems } from './workflows.problems.ts';
import { newRun } from './triggers.ts';
import type { RunsStore } from './runs.store.ts';
import type { StoredWorkflow } from './workflows.store.ts';
import type { InboundEmailTrigger } from './workflow.types.ts';

export type InboundMessage = { from: string; to: string[]; subject: string; text: string; messageId: string | null; date: string | null };

const MAX_TEXT = 100_000;

/** `*` matches anything, the rest literally, case-insensitively: `*@example.org`. */
export function senderMatches(pattern: string | undefined, from: string): boolean {
  if (!pattern) return true;
  const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return regex.test(from);
}

export function routeOf(workflows: StoredWorkflow[], message: InboundMessage): StoredWorkflow | undefined {
  return workflows
    .filter((w) => w.definition.enabled !== false && w.definition.trigger.kind === 'inboundEmail')
    .sort((a, b) => ((b.definition.trigger as InboundEmailTrigger).priority ?? 0) - ((a.definition.trigger as InboundEmailTrigger).priority ?? 0) || a._id.localeCompare(b._id))
    .find((w) => {
      const t = w.definition.trigger as InboundEmailTrigger;
      return senderMatches(t.fromPattern, message.from) && (!t.subjectContains || message.subject.toLowerCase().includes(t.subjectContains.toLowerCase()));
    });
}

export function createInboundEmail(deps: { db: Db; runs: RunsStore; live: () => StoredWorkflow[]; kick: () => void }) {
  const state = deps.db.collection<{ _id: string; secretHash?: string }>('workflow_state');
  const unrouted = deps.db.collection('inbound_mail_unrouted');

  async function parse(raw: Buffer): Promise<InboundMessage> {
    const mail = await simpleParser(raw);
    const addresses = (v: typeof mail.to): string[] => (Array.isArray(v) ? v : v ? [v] : []).flatMap((a) => a.value.map((x) => x.address ?? '')).filter(Boolean);
    const from = mail.from?.value[0]?.address ?? '';
    if (!from) throw workflowProblems.invalidRequest.create({ detail: 'The message has no sender', errors: [{ pointer: '/from', detail: 'is missing' }] });
    return { from: from.toLowerCase(), to: addresses(mail.to), subject: mail.subject ?? '', text: (mail.text ?? '').slice(0, MAX_TEXT), messageId: mail.messageId ?? null, date: mail.date?.toISOString() ?? null };
  }

  return {
    async rotateSecret(): Promise<{ secret: string }> {
      const secret = newSecret();
      await state.updateOne({ _id: 'inboundEmail' }, { $set: { secretHash: hashSecret(secret) } }, { upsert: true });
      return { secret };
    },
    async receive(secret: string | undefined, raw: Buffer) {
      const stored = await state.findOne({ _id: 'inboundEmail' });
      if (!secret || !stored?.secretHash || !sameSecret(hashSecret(secret), stored.secretHash)) throw workflowProblems.webhookRefused.create();
      const message = await parse(raw);
      const w = routeOf(deps.live(), message);
      if (!w) {
        await unrouted.insertOne({ ...message, receivedAt: new Date() });
        return { routed: null };
      }
      // The message id names the run, so a provider that retries a delivery does not start a second run.
      const key = message.messageId ? hashSecret(message.messageId).slice(0, 24) : new ObjectId().toHexString();
      const run = newRun({ id: `${w._id}:email:${key}`, workflow: w, trigger: { kind: 'inboundEmail', at: new Date(), input: message } });
      if (await deps.runs.insert([run])) deps.kick();
      return { routed: w._id, run: run._id };
    },
  };
}
