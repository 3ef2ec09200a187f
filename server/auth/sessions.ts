/**
 * Sign-in sessions, stored in MongoDB so any instance can serve any request. The cookie holds a
 * random secret; the database holds its hash, the user, a CSRF token and two expiries: idle
 * (slides with use, refreshed at most once a minute) and absolute.
 */
import type { Db } from 'mongodb';
import { hashSecret, newSecret } from './secrets.ts';
import type { CredentialCache } from './credential-cache.ts';

export type SessionDoc = { _id: string; userId: string; csrf: string; createdAt: Date; lastSeenAt: Date; expiresAt: Date; absoluteExpiresAt: Date; ip?: string; userAgent?: string };
export type SessionOptions = { idleMs: number; absoluteMs: number };
export type Sessions = ReturnType<typeof createSessions>;

const SESSIONS = 'auth_sessions';
const SLIDE_EVERY_MS = 60_000;

export function createSessions(db: Db, options: SessionOptions, cache: CredentialCache) {
  const sessions = db.collection<SessionDoc>(SESSIONS);
  return {
    async init(): Promise<void> {
      await sessions.createIndex({ userId: 1 });
      await sessions.createIndex({ absoluteExpiresAt: 1 }, { expireAfterSeconds: 0 });
    },
    async create(userId: string, meta: { ip?: string; userAgent?: string }): Promise<{ secret: string; session: SessionDoc }> {
      const secret = newSecret();
      const now = new Date();
      const session: SessionDoc = {
        _id: hashSecret(secret), userId, csrf: newSecret(), createdAt: now, lastSeenAt: now,
        expiresAt: new Date(now.getTime() + options.idleMs), absoluteExpiresAt: new Date(now.getTime() + options.absoluteMs),
        ...(meta.ip ? { ip: meta.ip } : {}), ...(meta.userAgent ? { userAgent: meta.userAgent.slice(0, 300) } : {}),
      };
      await sessions.insertOne(session);
      return { secret, session };
    },
    /** The live session for a cookie secret, or null when unknown or expired. */
    async find(secret: string): Promise<SessionDoc | null> {
      const key = `session:${hashSecret(secret)}`;
      const session = cache.get<SessionDoc>(key) ?? (await sessions.findOne({ _id: hashSecret(secret) }));
      const now = Date.now();
      if (!session || session.expiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) return null;
      if (now - session.lastSeenAt.getTime() > SLIDE_EVERY_MS) {
        session.lastSeenAt = new Date(now);
        session.expiresAt = new Date(Math.min(now + options.idleMs, session.absoluteExpiresAt.getTime()));
        await sessions.updateOne({ _id: session._id }, { $set: { lastSeenAt: session.lastSeenAt, expiresAt: session.expiresAt } });
      }
      cache.set(key, session);
      return session;
    },
    async revoke(secret: string): Promise<void> {
      await sessions.deleteOne({ _id: hashSecret(secret) });
      await cache.revoked();
    },
    /** Every session of a user ends: password change, deactivation. */
    async revokeAll(userId: string): Promise<void> {
      await sessions.deleteMany({ userId });
      await cache.revoked();
    },
  };
}
