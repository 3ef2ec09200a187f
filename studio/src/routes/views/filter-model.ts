/**
 * The list screen's filter builder model (issue 8): rows of "field, operator, value" joined by
 * all/any, turned into the records filter JSON (README, "The filter language") and read back from
 * a saved view. A saved filter the rows cannot show (nested groups, not) is kept as it is.
 */
import { EQUALITY_OPERATORS, ORDERED_OPERATORS, PRESENCE_OPERATORS, SET_OPERATORS, TEXT_OPERATORS } from '../../../../server/metadata/field-types/operators.ts';
import type { FilterOperator } from '../../../../server/metadata/field-types/field-type.ts';
import type { Field } from '../../lib/api/types.ts';

export type { FilterOperator };
export type Row = { field: string; op: FilterOperator; value: unknown };
export type Filter = { match: 'and' | 'or'; rows: Row[] };

const BY_TYPE: Record<string, readonly FilterOperator[]> = {
  text: TEXT_OPERATORS, email: TEXT_OPERATORS, phone: TEXT_OPERATORS, url: TEXT_OPERATORS, autonumber: TEXT_OPERATORS, longText: TEXT_OPERATORS, richText: TEXT_OPERATORS,
  integer: ORDERED_OPERATORS, number: ORDERED_OPERATORS, currency: ORDERED_OPERATORS, percent: ORDERED_OPERATORS, rating: ORDERED_OPERATORS, date: ORDERED_OPERATORS, datetime: ORDERED_OPERATORS,
  boolean: ['eq', 'ne', 'isSet', 'isNotSet'], select: EQUALITY_OPERATORS, relation: EQUALITY_OPERATORS, user: EQUALITY_OPERATORS,
  multiSelect: SET_OPERATORS, manyToMany: SET_OPERATORS,
};
const RESULT: Record<string, string> = { text: 'text', number: 'number', boolean: 'boolean', date: 'date', datetime: 'datetime' };

export const OP_LABELS: Record<FilterOperator, string> = {
  eq: 'is', ne: 'is not', gt: 'is more than', gte: 'is at least', lt: 'is less than', lte: 'is at most', between: 'is between',
  in: 'is any of', nin: 'is none of', contains: 'contains', startsWith: 'starts with', endsWith: 'ends with',
  isSet: 'is set', isNotSet: 'is empty', containsAny: 'has any of', containsAll: 'has all of',
};

/** The type a field filters as: a formula filters as its result. */
export const filterType = (field: Field): string => (field.type === 'formula' ? (RESULT[(field as { resultType?: string }).resultType ?? ''] ?? 'text') : field.type);
export const operatorsOf = (field: Field): readonly FilterOperator[] => BY_TYPE[filterType(field)] ?? PRESENCE_OPERATORS;
export const arity = (op: FilterOperator): 'none' | 'one' | 'pair' | 'list' =>
  op === 'isSet' || op === 'isNotSet' ? 'none' : op === 'between' ? 'pair' : ['in', 'nin', 'containsAny', 'containsAll'].includes(op) ? 'list' : 'one';

const isCondition = (n: unknown): n is Row => typeof n === 'object' && n !== null && typeof (n as Row).field === 'string' && typeof (n as Row).op === 'string';

/** The rows of a saved filter, or null when it has a shape the rows cannot show. */
export function readFilter(filter: unknown): Filter | null {
  if (filter === undefined || filter === null) return { match: 'and', rows: [] };
  if (isCondition(filter)) return { match: 'and', rows: [{ ...filter }] };
  const node = filter as { and?: unknown[]; or?: unknown[] };
  const list = node.and ?? node.or;
  if (!Array.isArray(list) || !list.every(isCondition)) return null;
  return { match: node.and ? 'and' : 'or', rows: list.map((r) => ({ ...r })) };
}

/** A row is ready when its value is there (an unfinished row is left out, not sent). */
export function complete(row: Row): boolean {
  const a = arity(row.op);
  if (a === 'none') return true;
  if (a === 'pair') return Array.isArray(row.value) && row.value.length === 2 && row.value.every((v) => v !== null && v !== undefined && v !== '');
  if (a === 'list') return Array.isArray(row.value) && row.value.length > 0;
  return row.value !== null && row.value !== undefined && row.value !== '';
}

/** The records filter JSON for these rows, or undefined when there is nothing to filter by. */
export function writeFilter(f: Filter): Record<string, unknown> | undefined {
  const rows = f.rows.filter(complete).map(({ field, op, value }) => (arity(op) === 'none' ? { field, op } : { field, op, value }));
  if (!rows.length) return undefined;
  return rows.length === 1 ? rows[0] : { [f.match]: rows };
}

/** The value a row starts with when its operator changes. */
export const emptyValue = (op: FilterOperator): unknown => (arity(op) === 'pair' ? [null, null] : arity(op) === 'list' ? [] : arity(op) === 'none' ? undefined : null);

/** AND one more condition onto a filter (a kanban column, a calendar month). */
export function andFilter(filter: unknown, condition: Record<string, unknown>): Record<string, unknown> {
  if (!filter) return condition;
  const node = filter as { and?: unknown[] };
  return Array.isArray(node.and) ? { and: [...node.and, condition] } : { and: [filter, condition] };
}
