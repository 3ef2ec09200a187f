/**
 * Step 3 of the write pipeline: a client's body checked against the entity version's compiled
 * ajv validator and normalised by each field type. Every problem comes back at once, each with
 * the JSON Pointer of its field.
 */
import { pointerToken, type FieldError } from '../shared/errors.ts';
import { fieldTypeOf, isClientWritable, SYSTEM_FIELDS, type CompiledEntity } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import type { FieldAccess } from '../shared/actor.ts';

export type CheckedInput = { set: Record<string, unknown>; clear: string[] };

const SYSTEM = new Set<string>([...SYSTEM_FIELDS, 'id']);

/**
 * `access` is the actor's field permissions: a hidden field is refused exactly as an unknown one
 * (same message, reported with every other problem of the body), a read-only one as read-only.
 */
export function checkInput(entity: CompiledEntity, body: unknown, pointerBase = '', access: Readonly<Record<string, FieldAccess>> = {}): CheckedInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw recordProblems.validationFailed.create({ detail: 'The body must be a JSON object', errors: [{ pointer: pointerBase || '/', detail: 'must be a JSON object' }] });
  }
  const errors: FieldError[] = [];
  const values: Record<string, unknown> = {};
  const clear: string[] = [];
  // Keys, not entries: no pair array for each field of each row of an import.
  for (const key of Object.keys(body)) {
    const value = (body as Record<string, unknown>)[key];
    const problem = keyProblem(entity, key, Object.hasOwn(access, key) ? access[key] : undefined);
    if (problem) errors.push({ pointer: `${pointerBase}/${pointerToken(key)}`, detail: problem });
    // An empty string is no value: required fields say so, and unique fields don't collide on it.
    else if (value === null || value === '') clear.push(key);
    else values[key] = value;
  }
  const validate = entity.validator();
  if (!validate(values)) {
    for (const e of validate.errors ?? []) errors.push({ pointer: pointerBase + e.instancePath + missing(e.params), detail: describe(e) });
  }
  const set: Record<string, unknown> = {};
  if (!errors.length) {
    for (const key of Object.keys(values)) {
      const field = entity.fields.get(key)!;
      const stored = fieldTypeOf(field).toStored(values[key], field);
      if (stored.ok) set[key] = stored.value;
      else for (const issue of stored.issues) errors.push({ pointer: `${pointerBase}/${key}${issue.pointer ?? ''}`, detail: issue.detail });
    }
  }
  if (errors.length) throw recordProblems.validationFailed.create({ detail: summary(errors), errors });
  return { set, clear };
}

function keyProblem(entity: CompiledEntity, key: string, access: FieldAccess | undefined): string | null {
  if (SYSTEM.has(key)) return 'is set by the server';
  const field = entity.fields.get(key); // a Map: `__proto__` and friends are just unknown keys
  if (!field || access === 'hidden') return `is not a field of ${entity.name}`;
  if (fieldTypeOf(field).source !== 'input') return 'is computed by the server';
  if (!isClientWritable(field)) return 'is read-only';
  if (entity.locked.has(key)) return 'is being converted to another type; change it when the conversion has finished';
  if (access === 'read') return 'is read-only for you';
  return null;
}

function describe(e: { keyword: string; message?: string; params: Record<string, unknown> }): string {
  if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) return `must be one of: ${e.params.allowedValues.join(', ')}`;
  if (e.keyword === 'required') return 'is required';
  return e.message ?? 'is invalid';
}

const missing = (params: Record<string, unknown>): string => (typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : '');


export function summary(errors: FieldError[]): string {
  const first = errors[0]!;
  const rest = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${first.pointer.slice(1) || 'the record'} ${first.detail}${rest}`;
}
