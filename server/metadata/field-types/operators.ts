import type { FilterOperator } from './field-type.ts';

/** Operator sets shared by several field types. */
export const TEXT_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'in', 'nin', 'contains', 'startsWith', 'endsWith', 'isSet', 'isNotSet'];
export const ORDERED_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'between', 'in', 'nin', 'isSet', 'isNotSet'];
export const EQUALITY_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'in', 'nin', 'isSet', 'isNotSet'];
export const SET_OPERATORS: readonly FilterOperator[] = ['containsAny', 'containsAll', 'isSet', 'isNotSet'];
export const PRESENCE_OPERATORS: readonly FilterOperator[] = ['isSet', 'isNotSet'];

/** Longest string accepted as a filter operand. */
export const MAX_OPERAND_LENGTH = 1000;
