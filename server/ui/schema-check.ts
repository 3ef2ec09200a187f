/**
 * The first check of every form, view and dashboard body: no key that could become a MongoDB
 * operator or reach a prototype (anywhere, condition values included), a bounded size, then the
 * JSON Schema in schemas/ (which may use the entity schema's definitions, e.g. its condition).
 * Every problem comes back with its JSON Pointer, all at once.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import entitySchema from '../../schemas/entity.schema.json' with { type: 'json' };
import { createAjv } from '../metadata/index.ts';
import { findForbiddenKeys } from '../records/index.ts';
import { Problem, type FieldError } from '../shared/errors.ts';

/** A stored form, view or dashboard is read on every page: far more than any real one needs. */
const MAX_BYTES = 128 * 1024;

let ajv: ReturnType<typeof createAjv> | undefined;

/** A lazily compiled validator for one of the schemas (defaults applied, so `shared` is false unless said). */
export function schemaValidator(schema: Record<string, unknown>): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () => {
    if (!ajv) {
      ajv = createAjv({ discriminator: true, useDefaults: true });
      ajv.addSchema(entitySchema);
    }
    return (validate ??= ajv.compile(schema));
  };
}

/** The body checked against its schema: a copy with defaults, or the problems. */
export function checkShape<T>(validator: () => ValidateFunction, body: unknown): { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const forbidden = findForbiddenKeys(body, '');
  if (forbidden.length) return { ok: false, errors: forbidden.map((e) => ({ ...e, pointer: e.pointer || '/' })) };
  const size = JSON.stringify(body ?? null).length;
  if (size > MAX_BYTES) return { ok: false, errors: [{ pointer: '/', detail: `is ${size} bytes; at most ${MAX_BYTES} are accepted` }] };
  const copy = structuredClone(body);
  const validate = validator();
  if (!validate(copy)) return { ok: false, errors: (validate.errors ?? []).map(toFieldError) };
  return { ok: true, value: copy as T };
}

function toFieldError(e: ErrorObject): FieldError {
  if (e.keyword === 'additionalProperties') return { pointer: `${e.instancePath}/${String(e.params.additionalProperty)}`, detail: 'is not allowed here' };
  if (e.keyword === 'required') return { pointer: `${e.instancePath}/${String(e.params.missingProperty)}`, detail: 'is required' };
  if (e.keyword === 'enum') return { pointer: e.instancePath || '/', detail: `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}` };
  return { pointer: e.instancePath || '/', detail: e.message ?? 'is invalid' };
}

/** `/filter/and/0/field` as it sits in a larger document (`/widgets/2/filter/...`). */
export const rebase = (errors: FieldError[], from: string, to: string): FieldError[] => errors.map((e) => ({ ...e, pointer: e.pointer.startsWith(from) ? to + e.pointer.slice(from.length) : e.pointer }));

/** A 422 of `problem` listing `errors`; the detail repeats the first so a log line says enough. */
export function invalidWith(problem: { create: (init: { detail: string; errors: FieldError[] }) => Error }, errors: FieldError[]): Error {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return problem.create({ detail: `${first.pointer} ${first.detail}${more}`, errors });
}

/** The field errors a parser of the records API throws (as a Problem), or none. */
export function problemsOf(parse: () => unknown, pointer: string): FieldError[] {
  try {
    parse();
    return [];
  } catch (err) {
    if (err instanceof Problem) return err.errors ?? [{ pointer, detail: err.detail ?? err.title }];
    throw err;
  }
}
