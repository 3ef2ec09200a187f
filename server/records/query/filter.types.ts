/**
 * The documented filter language of the records API (issue 3). A filter is JSON built from
 * conditions on one field each, combined with and / or / not:
 *
 *   { "and": [ { "field": "status", "op": "eq", "value": "open" },
 *              { "not": { "field": "amount", "op": "lt", "value": "100" } } ] }
 *
 * It is translated into a MongoDB filter by `translateFilter`; clients never write MongoDB
 * operators themselves, so the language stays the same whatever the storage does.
 */
import type { FilterOperator } from '../../metadata/index.ts';

export type { FilterOperator };

export type FilterNode = FilterAnd | FilterOr | FilterNot | FilterCondition;
export type FilterAnd = { and: FilterNode[] };
export type FilterOr = { or: FilterNode[] };
export type FilterNot = { not: FilterNode };
/** `value` is absent for isSet / isNotSet, a list for in / nin / containsAny / containsAll, `[low, high]` for between. */
export type FilterCondition = { field: string; op: FilterOperator; value?: unknown };

/** Bounds that keep one filter cheap to check and to run. */
export const FILTER_LIMITS = {
  /** and / or / not nesting, the outermost node counting as 1. */
  maxDepth: 8,
  maxConditions: 100,
  /** Operands of one in / nin / containsAny / containsAll. */
  maxListValues: 500,
} as const;

/** The shape of an operator's `value`. */
export type OperandArity = 'none' | 'one' | 'pair' | 'list';

export const OPERAND_ARITY: Readonly<Record<FilterOperator, OperandArity>> = {
  eq: 'one', ne: 'one', gt: 'one', gte: 'one', lt: 'one', lte: 'one',
  contains: 'one', startsWith: 'one', endsWith: 'one',
  between: 'pair',
  in: 'list', nin: 'list', containsAny: 'list', containsAll: 'list',
  isSet: 'none', isNotSet: 'none',
};
