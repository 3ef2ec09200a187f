/** The body of a conversion plan or conversion: `{ to: <the field's new definition>, match?: <target field> }`. */
import { Problem, type FieldError } from '../../shared/errors.ts';
import { lifecycleProblems } from '../lifecycle.problems.ts';

export type ConversionRequest = { to: Record<string, unknown>; match?: string };

export function checkRequest(body: unknown): ConversionRequest {
  const errors: FieldError[] = [];
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  if (!b.to || typeof b.to !== 'object' || Array.isArray(b.to)) errors.push({ pointer: '/to', detail: 'must be the field\'s new definition, e.g. {"type": "number"}' });
  if (b.match !== undefined && (typeof b.match !== 'string' || !b.match)) errors.push({ pointer: '/match', detail: 'must be the name of a field of the target entity' });
  for (const key of Object.keys(b)) if (key !== 'to' && key !== 'match') errors.push({ pointer: `/${key}`, detail: 'is not part of a conversion' });
  if (errors.length) throw lifecycleProblems.invalidRequest.create({ detail: errors[0]!.detail, errors });
  return { to: b.to as Record<string, unknown>, ...(typeof b.match === 'string' ? { match: b.match } : {}) };
}

/** A definition problem about `/fields/<index>/...` is about the request's `/to/...`. */
export function remapPointers(err: unknown, index: number): unknown {
  if (!(err instanceof Problem) || !err.errors) return err;
  const prefix = `/fields/${index}`;
  const errors = err.errors.map((e) => (e.pointer === prefix || e.pointer.startsWith(`${prefix}/`) ? { ...e, pointer: `/to${e.pointer.slice(prefix.length)}` } : e));
  return new Problem(err, { detail: err.detail, errors });
}
