/**
 * One condition `{field, op, value}` → one MongoDB filter clause. Every operator in the output is
 * written here; client input only ever becomes operands, after the field type has cast them.
 */
import type { Document } from 'mongodb';
import type { EntityDefinition } from '../../metadata/index.ts';
import type { FieldError } from '../../shared/errors.ts';
import { FILTER_LIMITS, OPERAND_ARITY, type FilterOperator } from './filter.types.ts';
import { forbiddenName } from './forbidden-keys.ts';
import { MAX_REPORTED_ERRORS, pointerJoin } from './query-errors.ts';
import { resolveQueryField, type QueryField } from './query-fields.ts';

/** State of one translation: errors are collected so a client can fix them all at once. */
export type FilterWalk = { entity: EntityDefinition; errors: FieldError[]; conditions: number; stopped: boolean };

/** Records an error; returns undefined so callers can `return report(...)`. */
export function report(walk: FilterWalk, pointer: string, detail: string): undefined {
  if (walk.errors.length < MAX_REPORTED_ERRORS) walk.errors.push({ pointer, detail });
  if (walk.errors.length >= MAX_REPORTED_ERRORS) walk.stopped = true;
  return undefined;
}

const ALL_OPERATORS = Object.keys(OPERAND_ARITY) as FilterOperator[];

function resolveField(walk: FilterWalk, node: Record<string, unknown>, pointer: string): QueryField | undefined {
  const at = pointerJoin(pointer, 'field');
  const name = node.field;
  if (name === undefined) return report(walk, at, 'is required: the name of the field to test');
  if (typeof name !== 'string') return report(walk, at, 'must be a string naming a field');
  const forbidden = forbiddenName(name);
  if (forbidden) return report(walk, at, forbidden);
  const field = resolveQueryField(walk.entity, name);
  if (!field) return report(walk, at, `unknown field "${name}" on ${walk.entity.name}`);
  if (field.operators.length === 0) return report(walk, at, `${field.label} cannot be filtered`);
  return field;
}

function resolveOperator(walk: FilterWalk, field: QueryField | undefined, node: Record<string, unknown>, pointer: string): FilterOperator | undefined {
  const at = pointerJoin(pointer, 'op');
  const op = node.op;
  if (op === undefined) return report(walk, at, 'is required');
  if (typeof op !== 'string' || !Object.hasOwn(OPERAND_ARITY, op)) {
    return report(walk, at, `${JSON.stringify(op)} is not an operator; operators are ${ALL_OPERATORS.join(', ')}`);
  }
  if (field && field.operators.length > 0 && !field.operators.includes(op as FilterOperator)) {
    return report(walk, at, `"${op}" is not available for ${field.label}; use one of ${field.operators.join(', ')}`);
  }
  return op as FilterOperator;
}

type Cast = { ok: true; value: unknown } | { ok: false };
const FAILED: Cast = { ok: false };

function fail(walk: FilterWalk, pointer: string, detail: string): Cast {
  report(walk, pointer, detail);
  return FAILED;
}

function castOne(walk: FilterWalk, field: QueryField, value: unknown, at: string): Cast {
  if (value === null) return fail(walk, at, 'must not be null; use isNotSet to find records without a value');
  const result = field.cast(value);
  if (result.ok) return result;
  for (const issue of result.issues) report(walk, at + (issue.pointer ?? ''), issue.detail);
  return FAILED;
}

function castList(walk: FilterWalk, field: QueryField, op: FilterOperator, value: unknown, at: string): Cast {
  const max = FILTER_LIMITS.maxListValues;
  if (OPERAND_ARITY[op] === 'pair') {
    if (!Array.isArray(value) || value.length !== 2) return fail(walk, at, `must be a list of two values, [low, high], for ${op}`);
  } else if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    return fail(walk, at, `must be a list of 1 to ${max} values for ${op}`);
  }
  const cast = value.map((item, i) => castOne(walk, field, item, pointerJoin(at, i)));
  return cast.every((c) => c.ok) ? { ok: true, value: cast.map((c) => (c.ok ? c.value : undefined)) } : FAILED;
}

function castOperand(walk: FilterWalk, field: QueryField, op: FilterOperator, node: Record<string, unknown>, pointer: string): Cast {
  const at = pointerJoin(pointer, 'value');
  const arity = OPERAND_ARITY[op];
  const present = Object.hasOwn(node, 'value');
  if (arity === 'none') return present ? fail(walk, at, `must be left out: ${op} takes no value`) : { ok: true, value: undefined };
  if (!present) return fail(walk, at, `is required for ${op}`);
  return arity === 'one' ? castOne(walk, field, node.value, at) : castList(walk, field, op, node.value, at);
}

/** Every regex metacharacter escaped, so `a.*` or `(a+)+$` match literally (and cannot backtrack). */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

const COMPARISON: Partial<Record<FilterOperator, string>> = {
  eq: '$eq', ne: '$ne', gt: '$gt', gte: '$gte', lt: '$lt', lte: '$lte', in: '$in', nin: '$nin', containsAny: '$in', containsAll: '$all',
};

const TEXT_MATCH: ReadonlySet<FilterOperator> = new Set(['contains', 'startsWith', 'endsWith']);

/**
 * contains / startsWith / endsWith: case-insensitive, on the literal operand. (MongoDB's `$` also
 * matches before a final newline; field values practically never end in one.)
 */
function textMatch(op: FilterOperator, operand: string): string {
  const literal = escapeRegex(operand);
  return op === 'startsWith' ? `^${literal}` : op === 'endsWith' ? `${literal}$` : literal;
}

/**
 * The clause for a cast operand. `ne` and `nin` also match records where the field is missing or
 * null, as MongoDB does: "status ne closed" includes records without a status, which is what a
 * user filtering out closed records expects. Use isSet alongside to exclude them.
 */
function conditionClause(field: QueryField, op: FilterOperator, operand: unknown): Document {
  const path = field.matchPath;
  const comparison = COMPARISON[op];
  if (comparison) return { [path]: { [comparison]: operand } };
  if (op === 'between') {
    const [low, high] = operand as [unknown, unknown];
    return { [path]: { $gte: low, $lte: high } };
  }
  if (op === 'isSet' || op === 'isNotSet') {
    const set = op === 'isSet';
    // Array-valued fields count as set only with at least one element; [] and null are both "not set".
    if (field.arrayValued) return { [`${field.presencePath}.0`]: { $exists: set } };
    return { [field.presencePath]: set ? { $ne: null } : { $eq: null } };
  }
  return { [path]: { $regex: textMatch(op, String(operand)), $options: 'i' } };
}

export function translateCondition(walk: FilterWalk, node: Record<string, unknown>, pointer: string): Document | undefined {
  walk.conditions += 1;
  if (walk.conditions > FILTER_LIMITS.maxConditions) {
    walk.stopped = true;
    return report(walk, pointer, `the filter has more than ${FILTER_LIMITS.maxConditions} conditions`);
  }
  const field = resolveField(walk, node, pointer);
  const op = resolveOperator(walk, field, node, pointer);
  if (!field || !op) return undefined;
  const operand = castOperand(walk, field, op, node, pointer);
  if (!operand.ok) return undefined;
  // Regex operators need text whatever a type's cast produced (its operators should not offer them otherwise).
  if (TEXT_MATCH.has(op) && typeof operand.value !== 'string') return report(walk, pointerJoin(pointer, 'value'), 'must be text');
  return conditionClause(field, op, operand.value);
}
