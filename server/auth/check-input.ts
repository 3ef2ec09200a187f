/** ajv checks for the auth capability's request bodies; every problem names its field. */
import type { ErrorObject } from 'ajv';
import { createAjv } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { authProblems } from './auth.problems.ts';

const ajv = createAjv();

export function compileCheck<T>(schema: Record<string, unknown>): (body: unknown, extra?: FieldError[]) => T {
  const validate = ajv.compile(schema);
  return (body, extra = []) => {
    const errors: FieldError[] = validate(body) ? [] : (validate.errors ?? []).map(toFieldError);
    errors.push(...extra);
    if (errors.length) throw authProblems.validationFailed.create({ detail: `${errors[0]!.pointer.slice(1) || 'the body'} ${errors[0]!.detail}`, errors });
    return body as T;
  };
}

export function failWith(errors: FieldError[]): void {
  if (errors.length) throw authProblems.validationFailed.create({ detail: `${errors[0]!.pointer.slice(1) || 'the body'} ${errors[0]!.detail}`, errors });
}

function toFieldError(e: ErrorObject): FieldError {
  const extra = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
  const detail = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not allowed' : e.message ?? 'is invalid';
  return { pointer: e.instancePath + extra, detail };
}
