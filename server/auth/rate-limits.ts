/**
 * Brute-force limits on sign-in and password reset, per account and per IP, kept in MongoDB
 * (rate-limiter-flexible) so every instance counts the same attempts. A refusal is 429 with
 * Retry-After.
 */
import type { Db } from 'mongodb';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { authProblems } from './auth.problems.ts';

export type Limit = { points: number; durationSec: number };
export type RateLimitOptions = { signInPerAccount: Limit; signInPerIp: Limit; resetPerAccount: Limit; resetPerIp: Limit };

export const DEFAULT_LIMITS: RateLimitOptions = {
  signInPerAccount: { points: 10, durationSec: 15 * 60 },
  signInPerIp: { points: 100, durationSec: 15 * 60 },
  resetPerAccount: { points: 5, durationSec: 60 * 60 },
  resetPerIp: { points: 30, durationSec: 60 * 60 },
};

export type RateLimits = ReturnType<typeof createRateLimits>;

export function createRateLimits(db: Db, limits: RateLimitOptions) {
  const limiter = (name: string, limit: Limit) => new RateLimiterMongo({ storeClient: db, tableName: 'auth_rate_limits', keyPrefix: name, points: limit.points, duration: limit.durationSec });
  const signInAccount = limiter('sign-in-account', limits.signInPerAccount);
  const signInIp = limiter('sign-in-ip', limits.signInPerIp);
  const resetAccount = limiter('reset-account', limits.resetPerAccount);
  const resetIp = limiter('reset-ip', limits.resetPerIp);

  /** Throws 429 if the key has used its points; otherwise uses one. */
  async function take(l: RateLimiterMongo, key: string): Promise<void> {
    try {
      await l.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext);
      throw err;
    }
  }

  /** Throws 429 if the key has no points left, without using one. */
  async function check(l: RateLimiterMongo, key: string): Promise<void> {
    const res = await l.get(key);
    if (res && res.remainingPoints <= 0) throw tooMany(res.msBeforeNext);
  }

  return {
    /** Before a sign-in attempt: every attempt counts against the IP; the account is checked, not charged. */
    async beforeSignIn(account: string, ip: string): Promise<void> {
      await check(signInAccount, account);
      await take(signInIp, ip);
    },
    /** A failed attempt counts against the account; a success clears it. */
    signInFailed: (account: string) => take(signInAccount, account).catch(() => undefined),
    signInSucceeded: (account: string) => signInAccount.delete(account).then(() => undefined),
    async beforeReset(account: string, ip: string): Promise<void> {
      await take(resetIp, ip);
      await take(resetAccount, account);
    },
  };
}

function tooMany(msBeforeNext: number) {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return authProblems.rateLimited.create({ detail: `Try again in ${seconds} seconds`, headers: { 'Retry-After': String(seconds) } });
}
