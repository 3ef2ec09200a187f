/** Builds the one problem every query-parameter mistake becomes (invalid-query, 400). */
import { pointerToken, type FieldError, type Problem } from '../../shared/errors.ts';
import { recordProblems } from '../records.problems.ts';

/** A hostile or broken filter could yield thousands of errors; the first ones are enough to fix it. */
export const MAX_REPORTED_ERRORS = 50;

/** RFC 6901: a key becomes one pointer token, `~` and `/` escaped. */
export function pointerJoin(base: string, token: string | number): string {
  return `${base}/${pointerToken(token)}`;
}

/** `what` names the parameter ("The filter"); the detail repeats the first error so a log line says enough. */
export function invalidQuery(what: string, errors: FieldError[]): Problem {
  const first = errors[0] ?? { pointer: '', detail: 'is malformed' };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return recordProblems.invalidQuery.create({ detail: `${what} is not valid: ${first.pointer} ${first.detail}${more}`, errors });
}
