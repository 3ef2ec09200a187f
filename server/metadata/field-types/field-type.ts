/**
 * The contract each field type fulfils (issue 3): how an API value is validated (a JSON Schema
 * compiled by ajv into the entity's record validator), normalised into its stored form, read
 * back, documented (OpenAPI), filtered (operators and operand casting) and sorted.
 */
import type { Field } from '../entity.types.ts';

export type FieldTypeName = Field['type'];
export type FieldOf<T extends FieldTypeName> = Extract<Field, { type: T }>;

export type FilterOperator =
  | 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'between' | 'in' | 'nin'
  | 'contains' | 'startsWith' | 'endsWith' | 'isSet' | 'isNotSet' | 'containsAny' | 'containsAll';

/** A problem with one value; `pointer` is relative to the field (e.g. `/city` in an address). */
export type ValueIssue = { pointer?: string; detail: string };

export type Converted = { ok: true; value: unknown } | { ok: false; issues: ValueIssue[] };

export const converted = (value: unknown): Converted => ({ ok: true, value });
export const rejected = (detail: string, pointer?: string): Converted => ({ ok: false, issues: [{ detail, ...(pointer ? { pointer } : {}) }] });

/**
 * Who produces a field's value: the client (`input`), the server on write (`write`: autonumber,
 * stored formulas) or the server on read (`read`: rollups).
 */
export type ValueSource = 'input' | 'write' | 'read';

export type FieldTypeHandler<F extends Field = Field> = {
  type: F['type'];
  source: ValueSource;
  /** JSON Schema for a non-null input value; ajv checks it before `toStored`. */
  inputSchema(field: F): Record<string, unknown>;
  /** Schema-valid input → stored form (E.164 phone, sanitised HTML, Date, exact units...). */
  toStored(value: unknown, field: F): Converted;
  /** Stored form → API JSON. Must accept anything found in the database without throwing. */
  toApi(stored: unknown, field: F): unknown;
  /** JSON Schema of the API output (used by OpenAPI). */
  outputSchema(field: F): Record<string, unknown>;
  /** Filter operators the type offers; an empty list means the field cannot be filtered. */
  operators: readonly FilterOperator[];
  /** One filter operand (as the client sent it) → the stored form compared against. */
  castOperand(value: unknown, field: F): Converted;
  /** Path (relative to the field name) compared and sorted on, e.g. `.units` for currency; null: not sortable. */
  sortSuffix: string | null;
  /** Path suffix filters compare operands on when it differs from `sortSuffix` (many-to-many: `._id`). */
  matchSuffix?: string;
};

/** Handlers are written per concrete type; the registry erases the type parameter. */
export type AnyFieldTypeHandler = FieldTypeHandler<Field>;

export function defineFieldType<T extends FieldTypeName>(handler: FieldTypeHandler<FieldOf<T>>): AnyFieldTypeHandler {
  return handler as unknown as AnyFieldTypeHandler;
}
