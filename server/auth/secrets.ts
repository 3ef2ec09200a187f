/**
 * Random secrets and their stored form. Session ids, API tokens, reset and setup tokens are all
 * 32 random bytes; only their SHA-256 is stored, so a copy of the database signs no one in.
 * (A fast hash is right here: the secrets are random, not guessable passwords.)
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const newSecret = (): string => randomBytes(32).toString('base64url');

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Constant-time comparison of two hex digests (or any two strings). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
