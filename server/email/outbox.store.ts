/**
 * The mail outbox (issue 7): one document per mail in `mail_outbox`. Delivery claims a due mail
 * with one atomic findOneAndUpdate that sets a lease (owner and expiry), so two instances never
 * hold the same mail; only the lease holder can settle it. A lease that expired (its instance
 * died mid-send) makes the mail claimable again. `dedupeKey` has a unique index: enqueueing the
 * same key twice (a workflow step retried after a crash) keeps one mail.
 */
import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';

/** caught: rendered and kept by the built-in mail catcher (no SMTP configured); never sent. */
export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'caught';
export type RecordRef = { entity: string; id: string };
export type RenderedMail = { subject: string; html?: string; text?: string; templateVersion?: number };

export type MailDoc = {
  _id: ObjectId;
  template: string;
  to: string;
  data?: Record<string, unknown>;
  /** The record whose merge fields the template reads (record.*). */
  record?: RecordRef;
  /** The person's record whose consent and unsubscribe flags decide (default: `record`). */
  recipient?: RecordRef;
  /** Account mail (password reset...): sent whatever the consent flags. */
  transactional?: boolean;
  from?: string;
  replyTo?: string;
  dedupeKey?: string;
  locale?: string;
  timeZone?: string;
  status: MailStatus;
  attempts?: number;
  lastError?: string;
  nextAttemptAt?: Date;
  lease?: { owner: string; until: Date };
  rendered?: RenderedMail;
  messageId?: string;
  suppressedReason?: string;
  createdAt: Date;
  updatedAt?: Date;
  sentAt?: Date;
};

/** What a list shows: everything but the merge data and the rendered bodies. */
const LIST_FIELDS = Object.fromEntries(['template', 'to', 'record', 'recipient', 'status', 'attempts', 'lastError', 'nextAttemptAt', 'rendered.subject', 'messageId', 'suppressedReason', 'dedupeKey', 'createdAt', 'sentAt'].map((f) => [f, 1]));

export type NewMail = Omit<MailDoc, '_id' | 'status' | 'createdAt' | 'attempts'>;
export type OutboxStore = ReturnType<typeof createOutboxStore>;

export function createOutboxStore(db: Db) {
  const mails: Collection<MailDoc> = db.collection('mail_outbox');

  return {
    async init(): Promise<void> {
      await mails.createIndex({ dedupeKey: 1 }, { unique: true, partialFilterExpression: { dedupeKey: { $type: 'string' } } });
      await mails.createIndex({ status: 1, nextAttemptAt: 1 });
      await mails.createIndex({ createdAt: -1 });
    },
    /** Queues a mail; with a dedupeKey already queued, answers the existing one instead. */
    async insert(mail: NewMail): Promise<{ id: string; created: boolean }> {
      const doc: MailDoc = { _id: new ObjectId(), ...mail, status: 'pending', attempts: 0, createdAt: new Date() };
      try {
        await mails.insertOne(doc);
        return { id: doc._id.toHexString(), created: true };
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || !mail.dedupeKey) throw err;
        const existing = await mails.findOne({ dedupeKey: mail.dedupeKey }, { projection: { _id: 1 } });
        if (!existing) throw err;
        return { id: existing._id.toHexString(), created: false };
      }
    },
    idOfKey: async (dedupeKey: string): Promise<string | null> => (await mails.findOne({ dedupeKey }, { projection: { _id: 1 } }))?._id.toHexString() ?? null,
    /** The oldest due mail, now leased to `owner`; null when none is due. */
    claim(owner: string, leaseMs: number): Promise<MailDoc | null> {
      const now = new Date();
      const due: Filter<MailDoc> = {
        $or: [
          // Mail queued by other capabilities may have no nextAttemptAt: it is due at once.
          { status: 'pending', nextAttemptAt: { $exists: false } },
          { status: 'pending', nextAttemptAt: { $lte: now } },
          { status: 'sending', 'lease.until': { $lt: now } },
        ],
      };
      return mails.findOneAndUpdate(due, { $set: { status: 'sending', lease: { owner, until: new Date(now.getTime() + leaseMs) }, updatedAt: now }, $inc: { attempts: 1 } }, { sort: { createdAt: 1 }, returnDocument: 'after' });
    },
    /** Ends or reschedules a claimed mail; false when the lease was lost meanwhile (someone else holds it). */
    async settle(doc: MailDoc, set: Partial<MailDoc>): Promise<boolean> {
      const res = await mails.updateOne({ _id: doc._id, status: 'sending', 'lease.owner': doc.lease!.owner }, { $set: { ...set, updatedAt: new Date() }, $unset: { lease: '' } });
      return res.modifiedCount === 1;
    },
    list(query: { status?: MailStatus; to?: string; before?: Date; limit: number; record?: RecordRef }): Promise<MailDoc[]> {
      const filter: Filter<MailDoc> = query.record ? { 'record.entity': query.record.entity, 'record.id': query.record.id } : {};
      if (query.status) filter.status = query.status;
      if (query.to) filter.to = query.to;
      if (query.before) filter.createdAt = { $lt: query.before };
      // An inclusion projection: the embedded engine applies a nested exclusion ('rendered.html': 0) to the stored document itself.
      return mails.find(filter, { projection: LIST_FIELDS }).sort({ createdAt: -1 }).limit(query.limit).toArray();
    },
    get: (id: ObjectId) => mails.findOne({ _id: id }),
    /** Queues a failed, suppressed or caught mail again, rendered afresh. */
    async requeue(id: ObjectId): Promise<boolean> {
      const res = await mails.updateOne({ _id: id, status: { $in: ['failed', 'suppressed', 'caught'] } }, { $set: { status: 'pending', attempts: 0, nextAttemptAt: new Date(), updatedAt: new Date() }, $unset: { rendered: '', lastError: '', suppressedReason: '' } });
      return res.modifiedCount === 1;
    },
  };
}
