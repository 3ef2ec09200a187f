/**
 * Unsubscribe links (issue 7): a token naming the recipient's record, signed with HMAC-SHA256 by
 * a key kept in the database (`mail_state`, made once, shared by every instance). Opening the
 * link shows a confirmation page; confirming (or a mail client's one-click POST, RFC 8058) sets
 * the entity's opt-out flag, or clears its consent flag, through the records write pipeline.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from 'mongodb';
import type { RecordsService } from '../records/index.ts';
import { SYSTEM_ACTOR } from '../shared/actor.ts';
import type { Consent } from './consent.ts';
import { mailProblems } from './email.problems.ts';
import type { RecordRef } from './outbox.store.ts';

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const invalid = () => mailProblems.invalidUnsubscribe.create({ detail: 'The link is incomplete or was changed; open it from the email again' });

export type Unsubscribe = ReturnType<typeof createUnsubscribe>;

export function createUnsubscribe(deps: { db: Db; consent: Consent; records: () => RecordsService; publicUrl: string }) {
  const state = deps.db.collection<{ _id: string; key: string }>('mail_state');
  let key: Buffer | undefined;

  const sign = (payload: string) => createHmac('sha256', key!).update(payload).digest();

  function verify(token: unknown): RecordRef {
    if (!key || typeof token !== 'string') throw invalid();
    const [payload, mac] = token.split('.');
    if (!payload || !mac) throw invalid();
    const expected = sign(payload);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const ref = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { e?: unknown; i?: unknown };
    if (typeof ref.e !== 'string' || typeof ref.i !== 'string') throw invalid();
    return { entity: ref.e, id: ref.i };
  }

  return {
    async init(): Promise<void> {
      await state.updateOne({ _id: 'unsubscribe-key' }, { $setOnInsert: { key: randomBytes(32).toString('hex') } }, { upsert: true });
      key = Buffer.from((await state.findOne({ _id: 'unsubscribe-key' }))!.key, 'hex');
    },
    urlFor(recipient: RecordRef): string {
      const payload = b64(JSON.stringify({ e: recipient.entity, i: recipient.id }));
      return `${deps.publicUrl.replace(/\/$/, '')}/mail/unsubscribe?token=${payload}.${b64(sign(payload))}`;
    },
    verify,
    /** Sets the flag the token's record has; answers what was done (idempotent). */
    async apply(token: unknown): Promise<RecordRef & { field: string }> {
      const ref = verify(token);
      const fields = await deps.consent.fieldsOf(ref.entity);
      if (!fields) throw mailProblems.invalidUnsubscribe.create({ detail: 'This kind of record has no unsubscribe flag any more' });
      const body = fields.optOutField ? { [fields.optOutField]: true } : { [fields.consentField!]: false };
      await deps.records().update(ref.entity, { id: ref.id, body, actor: SYSTEM_ACTOR, channel: 'system' });
      return { ...ref, field: Object.keys(body)[0]! };
    },
  };
}
