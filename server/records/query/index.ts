/** The records query language: filter, sort, keyset cursors and field selection (issue 3). */
export type { FilterNode, FilterAnd, FilterOr, FilterNot, FilterCondition, FilterOperator, OperandArity } from './filter.types.ts';
export { FILTER_LIMITS, OPERAND_ARITY } from './filter.types.ts';
export { translateFilter, filterProblems } from './translate-filter.ts';
export type { SortDirection, SortSpec } from './sort.ts';
export { parseSort, MAX_SORT_KEYS, DEFAULT_SORT } from './sort.ts';
export { encodeCursor, cursorFilter } from './cursor.ts';
export { parseFields, ALWAYS_RETURNED } from './projection.ts';
export { SYSTEM_FIELD_NAMES, COMPOSITE_SUBFIELDS } from './query-fields.ts';
export { escapeRegex } from './translate-condition.ts';
