/**
 * Password hashing with argon2id (@node-rs/argon2, OWASP's recommended parameters by default).
 * Unknown accounts are checked against a dummy hash so that a wrong email costs the same time as
 * a wrong password.
 */
import { hash, verify } from '@node-rs/argon2';
import type { FieldError } from '../shared/errors.ts';

// algorithm 2 is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };
export const MIN_PASSWORD = 10;
const MAX_PASSWORD = 256;

let dummy: Promise<string> | undefined;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

/** Verifies `password` against `stored`, or against a dummy hash when there is no account. */
export async function checkPassword(stored: string | undefined, password: string): Promise<boolean> {
  dummy ??= hashPassword('rapport-dummy-password-for-timing');
  const target = stored ?? (await dummy);
  const ok = await verify(target, password.slice(0, MAX_PASSWORD)).catch(() => false);
  return ok && stored !== undefined;
}

/** NIST 800-63B: length, not composition rules; a password is not the account's email. */
export function passwordProblems(password: unknown, email?: string, pointer = '/password'): FieldError[] {
  if (typeof password !== 'string') return [{ pointer, detail: 'is required' }];
  if ([...password].length < MIN_PASSWORD) return [{ pointer, detail: `must be at least ${MIN_PASSWORD} characters` }];
  if (password.length > MAX_PASSWORD) return [{ pointer, detail: `must be at most ${MAX_PASSWORD} characters` }];
  if (email && password.trim().toLowerCase() === email.toLowerCase()) return [{ pointer, detail: 'must not be your email address' }];
  return [];
}
