import type { Node } from './ast.ts';
import { evaluateNode } from './evaluator.ts';
import { FormulaError } from './formula-error.ts';
import { parseFormula } from './parser.ts';
import { MAX_TEXT_LENGTH, type Value } from './values.ts';

export type FormulaResultType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

export type CompiledFormula = {
  source: string;
  /** Every field path the formula reads, e.g. [['amount'], ['account','name']]; a path of length 2+ goes through relation fields to parent records. */
  references: string[][];
  /** Evaluates against a scope: plain JSON-like objects; parents are nested objects under the relation field name (scope.account = {name: ...}). Returns null when the result is undefined/null, or on runtime errors like division by zero (Excel/Salesforce style: blank). */
  evaluate(scope: Record<string, unknown>, now?: Date): unknown;
};

export type CompileOptions = { maxLength?: number; maxDepth?: number };

export const DEFAULT_MAX_LENGTH = 2000;
export const DEFAULT_MAX_DEPTH = 32;
// Hard ceilings on the options themselves, so no configuration can make parsing or evaluation overflow the stack.
const MAX_LENGTH_CEILING = 100_000;
const MAX_DEPTH_CEILING = 256;

/** Parses and checks a formula once; the result can be evaluated against many records. Throws FormulaError. */
export function compileFormula(source: string, options: CompileOptions = {}): CompiledFormula {
  const maxLength = checkLimit('maxLength', options.maxLength ?? DEFAULT_MAX_LENGTH, MAX_LENGTH_CEILING);
  const maxDepth = checkLimit('maxDepth', options.maxDepth ?? DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING);
  if (typeof source !== 'string') throw new FormulaError('Formula must be a string', 0);
  if (source.length > maxLength) throw new FormulaError(`Formula is longer than ${maxLength} characters`, maxLength);
  const { ast, references } = parseFormula(source, maxDepth);
  return {
    source,
    references: references.map((path) => [...path]),
    evaluate: (scope, now) => evaluateSafely(ast, scope, now),
  };
}

function checkLimit(name: string, value: number, ceiling: number): number {
  if (!Number.isInteger(value) || value < 1 || value > ceiling) {
    throw new RangeError(`${name} must be an integer from 1 to ${ceiling}, got ${value}`);
  }
  return value;
}

/** Never throws: a hostile scope (a Proxy whose traps throw, say) yields null like any other runtime error. */
function evaluateSafely(ast: Node, scope: unknown, now: Date | undefined): Value {
  try {
    const result = evaluateNode(ast, { scope, now: now instanceof Date ? now : new Date() });
    if (typeof result === 'string' && result.length > MAX_TEXT_LENGTH) return null;
    return result;
  } catch {
    return null;
  }
}
