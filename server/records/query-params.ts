/** Reading list parameters from a query string (GET) or a JSON body (POST .../records/query). */
import { recordProblems } from './records.problems.ts';
import { MAX_PAGE, type ListQuery } from './records-query.ts';

const invalid = (name: string, detail: string) => recordProblems.invalidQuery.create({ detail: `${name} ${detail}`, errors: [{ pointer: `/${name}`, detail }] });

const KNOWN = new Set(['filter', 'q', 'sort', 'cursor', 'limit', 'fields', 'expand', 'by', 'metrics']);

function text(source: Record<string, unknown>, name: string): string | undefined {
  const value = source[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'must be given once, as text');
  if (value.length > 8000) throw invalid(name, 'is too long');
  return value;
}

/** `fromQueryString`: filter arrives as JSON text; in a body it is already JSON. */
export function listQuery(source: Record<string, unknown>, fromQueryString: boolean): ListQuery & { by?: string; metrics?: string } {
  for (const key of Object.keys(source)) if (!KNOWN.has(key)) throw invalid(key, 'is not a query parameter');
  let filter: unknown = source.filter;
  if (fromQueryString && filter !== undefined) {
    const raw = text(source, 'filter')!;
    try {
      filter = JSON.parse(raw);
    } catch {
      throw invalid('filter', 'must be JSON, e.g. {"field":"status","op":"eq","value":"open"}');
    }
  }
  const limitText = fromQueryString ? text(source, 'limit') : source.limit;
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid('limit', `must be an integer from 1 to ${MAX_PAGE}`);
  }
  return {
    filter, limit,
    q: text(source, 'q'), sort: text(source, 'sort'), cursor: text(source, 'cursor'),
    fields: text(source, 'fields'), expand: text(source, 'expand'), by: text(source, 'by'), metrics: text(source, 'metrics'),
  };
}
