/**
 * Comparing a pack's item with what is stored (issue 9): both are brought to the form the owning
 * service stores (its JSON Schema's defaults filled in, as the service fills them), then written
 * as canonical JSON (keys sorted), so key order and left-out defaults never count as a change.
 */
import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../metadata/index.ts';

export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

/** A short fingerprint of a stored definition: how a pack knows later whether someone changed it. */
export const fingerprint = (value: unknown): string => createHash('sha256').update(canonical(value)).digest('hex').slice(0, 32);

/** A function that fills a schema's defaults into a copy of a value (the value is left as it is if it does not validate). */
export function defaultsOf(schema: object, discriminator = false): (value: unknown) => unknown {
  let validate: ValidateFunction | undefined;
  return (value) => {
    validate ??= createAjv({ useDefaults: true, discriminator }).compile(schema);
    const copy = structuredClone(value);
    validate(copy);
    return copy;
  };
}
