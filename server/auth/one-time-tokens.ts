/**
 * Single-use, short-lived, hashed tokens: password resets, invitations and the first-run setup
 * link. Using one is one atomic update, so two requests racing with the same link cannot both win.
 */
import type { Db } from 'mongodb';
import { hashSecret, newSecret } from './secrets.ts';

export type Purpose = 'password-reset' | 'setup';
export type OneTimeDoc = { _id: string; purpose: Purpose; userId: string | null; createdAt: Date; expiresAt: Date; usedAt?: Date };
export type OneTimeTokens = ReturnType<typeof createOneTimeTokens>;

const COLLECTION = 'auth_one_time_tokens';

export function createOneTimeTokens(db: Db) {
  const tokens = db.collection<OneTimeDoc>(COLLECTION);
  return {
    init: () => tokens.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 86_400 }),
    async issue(input: { purpose: Purpose; userId: string | null; ttlMs: number }): Promise<{ token: string; expiresAt: Date }> {
      const token = newSecret();
      const now = new Date();
      const expiresAt = new Date(now.getTime() + input.ttlMs);
      await tokens.insertOne({ _id: hashSecret(token), purpose: input.purpose, userId: input.userId, createdAt: now, expiresAt });
      return { token, expiresAt };
    },
    /** Marks the token used and returns it, or null if it is unknown, used, expired or for another purpose. */
    async consume(purpose: Purpose, token: unknown): Promise<OneTimeDoc | null> {
      if (typeof token !== 'string' || token.length > 100) return null;
      return tokens.findOneAndUpdate(
        { _id: hashSecret(token), purpose, usedAt: { $exists: false }, expiresAt: { $gt: new Date() } },
        { $set: { usedAt: new Date() } },
        { returnDocument: 'after' },
      );
    },
    /** Unused tokens of a user stop working: a new password makes older reset links useless. */
    revokeFor: async (userId: string, purpose: Purpose): Promise<void> => {
      await tokens.updateMany({ userId, purpose, usedAt: { $exists: false } }, { $set: { usedAt: new Date() } });
    },
  };
}
