/**
 * The access log: sign-ins and failures, token use, password and permission changes. Admins query
 * it (`GET /api/access-log`). Entries hold who, what, when and from where; never a secret.
 */
import { ObjectId, type Db, type Filter } from 'mongodb';
import type { Logger } from '../shared/logger.ts';

export type AccessKind =
  | 'sign-in' | 'sign-in-failed' | 'sign-out' | 'rate-limited'
  | 'token-used' | 'token-created' | 'token-revoked'
  | 'password-changed' | 'password-reset-requested' | 'password-reset' | 'setup'
  | 'user-created' | 'user-updated' | 'user-deactivated' | 'role-changed' | 'role-deleted';

export type AccessEntry = { _id: ObjectId; at: Date; kind: AccessKind; actorId: string | null; userId: string | null; ip: string | null; detail?: Record<string, unknown> };
export type AccessLog = ReturnType<typeof createAccessLog>;
export type AccessQuery = { kind?: string; userId?: string; before?: string; limit: number };

const COLLECTION = 'access_log';

export function createAccessLog(db: Db, logger: Logger) {
  const log = db.collection<AccessEntry>(COLLECTION);
  return {
    init: async () => {
      await log.createIndex({ at: -1, _id: -1 });
      await log.createIndex({ userId: 1, at: -1 });
    },
    /** Records an entry; a failure to log is logged, never the caller's failure. */
    async record(entry: { kind: AccessKind; actorId?: string | null; userId?: string | null; ip?: string | null; detail?: Record<string, unknown> }): Promise<void> {
      const doc: AccessEntry = { _id: new ObjectId(), at: new Date(), kind: entry.kind, actorId: entry.actorId ?? null, userId: entry.userId ?? null, ip: entry.ip ?? null, ...(entry.detail ? { detail: entry.detail } : {}) };
      await log.insertOne(doc).catch((err) => logger.error({ err, kind: entry.kind }, 'writing the access log failed'));
    },
    /** Newest first; `before` is the id of the last entry of the previous page. */
    async query(q: AccessQuery) {
      const filter: Filter<AccessEntry> = {};
      if (q.kind) filter.kind = q.kind as AccessKind;
      if (q.userId) filter.userId = q.userId;
      if (q.before && /^[0-9a-f]{24}$/.test(q.before)) filter._id = { $lt: new ObjectId(q.before) };
      const docs = await log.find(filter).sort({ _id: -1 }).limit(q.limit + 1).toArray();
      const more = docs.length > q.limit;
      const page = docs.slice(0, q.limit);
      return {
        data: page.map(({ _id, ...rest }) => ({ id: _id.toHexString(), ...rest })),
        nextBefore: more ? page[page.length - 1]!._id.toHexString() : null,
      };
    },
  };
}
