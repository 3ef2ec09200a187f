/**
 * Filters arrive as client JSON and end up inside a MongoDB filter, so nothing in them may look
 * like a MongoDB operator or reach an object prototype. Checked over the whole input, operands
 * included, before anything else looks at it.
 */
import type { FieldError } from '../../shared/errors.ts';
import { MAX_REPORTED_ERRORS, pointerJoin } from './query-errors.ts';

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Far deeper than any valid filter (8 node levels, each an object and an array, plus operand
 * lists); stops a pathological body from costing quadratic pointer building.
 */
const MAX_JSON_DEPTH = 40;

/** Why a key or field name is refused, or undefined when it is harmless. */
export function forbiddenName(name: string): string | undefined {
  if (name.startsWith('$')) {
    return `"${name}": MongoDB operators are not accepted; write conditions as {"field": ..., "op": ..., "value": ...}`;
  }
  if (name.split('.').some((part) => PROTOTYPE_KEYS.has(part) || part.startsWith('$'))) return `"${name}" is not allowed as a key or field name`;
  return undefined;
}

/** Every forbidden key in `root`, with its pointer; iterative so deep input cannot overflow the stack. */
export function findForbiddenKeys(root: unknown, pointerBase: string): FieldError[] {
  const errors: FieldError[] = [];
  const pending: Array<{ value: unknown; pointer: string; depth: number }> = [{ value: root, pointer: pointerBase, depth: 0 }];
  while (pending.length > 0 && errors.length < MAX_REPORTED_ERRORS) {
    const { value, pointer, depth } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      errors.push({ pointer, detail: `nests more than ${MAX_JSON_DEPTH} levels deep` });
      continue;
    }
    const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
    const children: typeof pending = [];
    for (const [key, child] of entries) {
      const childPointer = pointerJoin(pointer, key);
      const problem = Array.isArray(value) ? undefined : forbiddenName(key);
      if (problem) errors.push({ pointer: childPointer, detail: problem });
      else children.push({ value: child, pointer: childPointer, depth: depth + 1 });
    }
    // Reversed so the stack visits children in document order and errors read top to bottom.
    for (let i = children.length - 1; i >= 0; i -= 1) pending.push(children[i]);
  }
  return errors.slice(0, MAX_REPORTED_ERRORS);
}
