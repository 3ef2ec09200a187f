export type { FieldTypeName, FilterOperator, ValueIssue, Converted, AnyFieldTypeHandler } from './field-type.ts';
export { fieldTypeOf, operatorsFor, matchPath, sortPath, isClientWritable, FIELD_TYPE_NAMES } from './registry.ts';
export { formulaResultHandler } from './computed-types.ts';
export { OBJECT_ID_PATTERN, toObjectId } from './reference-types.ts';
