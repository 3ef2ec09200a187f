import type { Value } from './values.ts';

export type EvalContext = { scope: unknown; now: Date };

export type Thunk = () => Value;

/**
 * A built-in function. Eager ones get their arguments evaluated; lazy ones (IF, AND, OR, COALESCE) get thunks
 * and evaluate only what they need. `max` is Infinity for variadic functions (the parser caps arguments at 64).
 */
export type FormulaFunction =
  | { kind: 'eager'; min: number; max: number; call: (args: Value[], context: EvalContext) => Value }
  | { kind: 'lazy'; min: number; max: number; call: (args: Thunk[], context: EvalContext) => Value };

export type FunctionTable = Record<string, FormulaFunction>;

export const VARIADIC = Number.POSITIVE_INFINITY;

export function eager(min: number, max: number, call: (args: Value[], context: EvalContext) => Value): FormulaFunction {
  return { kind: 'eager', min, max, call };
}

export function lazy(min: number, max: number, call: (args: Thunk[], context: EvalContext) => Value): FormulaFunction {
  return { kind: 'lazy', min, max, call };
}
