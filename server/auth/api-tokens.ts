/**
 * Personal API tokens for scripts: `rpt_<id>_<secret>`, shown once, stored as the secret's hash,
 * scoped, expiring and revocable. Lookup is by id; the hash is compared in constant time.
 */
import { ObjectId, type Db } from 'mongodb';
import { hashSecret, newSecret, sameSecret } from './secrets.ts';
import type { TokenScope } from './policy.ts';
import type { CredentialCache } from './credential-cache.ts';

export type TokenDoc = { _id: ObjectId; userId: string; name: string; hash: string; scopes: TokenScope[]; createdAt: Date; expiresAt: Date; revokedAt?: Date; lastUsedAt?: Date };
export type ApiTokens = ReturnType<typeof createApiTokens>;

const TOKENS = 'auth_tokens';
const FORMAT = /^rpt_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

export const tokenView = (t: TokenDoc) => ({
  id: t._id.toHexString(), name: t.name, scopes: t.scopes, createdAt: t.createdAt, expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt ?? null, revoked: t.revokedAt !== undefined,
});

export function createApiTokens(db: Db, cache: CredentialCache) {
  const tokens = db.collection<TokenDoc>(TOKENS);
  return {
    init: () => tokens.createIndex({ userId: 1 }),
    async create(input: { userId: string; name: string; scopes: TokenScope[]; expiresAt: Date }): Promise<{ token: string; doc: TokenDoc }> {
      const secret = newSecret();
      const doc: TokenDoc = { _id: new ObjectId(), userId: input.userId, name: input.name, hash: hashSecret(secret), scopes: input.scopes, createdAt: new Date(), expiresAt: input.expiresAt };
      await tokens.insertOne(doc);
      return { token: `rpt_${doc._id.toHexString()}_${secret}`, doc };
    },
    /** The live token for a bearer string, or null: unknown, tampered, revoked and expired alike. */
    async verify(bearer: string): Promise<TokenDoc | null> {
      const match = FORMAT.exec(bearer);
      if (!match) return null;
      const key = `token:${match[1]}`;
      const doc = cache.get<TokenDoc>(key) ?? (await tokens.findOne({ _id: new ObjectId(match[1]!) }));
      if (!doc || !sameSecret(doc.hash, hashSecret(match[2]!))) return null;
      if (doc.revokedAt || doc.expiresAt.getTime() <= Date.now()) return null;
      cache.set(key, doc);
      return doc;
    },
    touch: async (id: ObjectId): Promise<void> => {
      await tokens.updateOne({ _id: id }, { $set: { lastUsedAt: new Date() } });
    },
    list: (userId: string) => tokens.find({ userId }).sort({ createdAt: -1 }).toArray(),
    /** Revokes one of the user's tokens; false when they have no such token. */
    async revoke(userId: string, id: string): Promise<boolean> {
      if (!ObjectId.isValid(id) || id.length !== 24) return false;
      const res = await tokens.updateOne({ _id: new ObjectId(id), userId, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date() } });
      await cache.revoked();
      return res.matchedCount === 1;
    },
    revokeAll: async (userId: string): Promise<void> => {
      await tokens.updateMany({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date() } });
      await cache.revoked();
    },
  };
}
