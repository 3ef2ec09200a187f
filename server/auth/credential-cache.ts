/**
 * Sessions and API tokens as every request checks them, cached in memory so that a signed-in
 * request costs no database round trip. Any revocation (sign-out, password change, revoked token,
 * deactivated user) bumps a counter in MongoDB and clears this instance's cache at once; other
 * instances see the counter within `pollMs` and clear theirs. Expiry is checked on every use.
 */
import type { Db } from 'mongodb';
import type { Logger } from '../shared/logger.ts';

const STATE = 'auth_state';
const MAX_ENTRIES = 10_000;

export type CredentialCache = ReturnType<typeof createCredentialCache>;

export function createCredentialCache(deps: { db: Db; logger: Logger; pollMs?: number }) {
  const state = deps.db.collection<{ _id: string; version: number }>(STATE);
  const entries = new Map<string, unknown>();
  let seen = -1;
  let timer: NodeJS.Timeout | undefined;

  async function sync(): Promise<void> {
    const version = (await state.findOne({ _id: 'revocations' }))?.version ?? 0;
    if (version !== seen) entries.clear();
    seen = version;
  }

  return {
    get: <T>(key: string): T | undefined => entries.get(key) as T | undefined,
    set(key: string, value: unknown): void {
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(key, value);
    },
    /** After any revocation: this instance forgets at once, the others within pollMs. */
    async revoked(): Promise<void> {
      entries.clear();
      await state.updateOne({ _id: 'revocations' }, { $inc: { version: 1 } }, { upsert: true });
    },
    async start(): Promise<void> {
      await sync();
      timer = setInterval(() => sync().catch((err) => deps.logger.warn({ err }, 'checking revocations failed')), deps.pollMs ?? 250);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}
