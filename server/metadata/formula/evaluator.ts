import type { BinaryOp, ChainLink, Node } from './ast.ts';
import type { EvalContext } from './function-types.ts';
import { FUNCTIONS } from './functions.ts';
import { concat } from './text-functions.ts';
import { compareValues, fromScope, toNumberResult, valuesEqual, type Value } from './values.ts';

/** Evaluates a parsed formula. Recursion depth follows the parser's nesting limit; there are no loops in the language. */
export function evaluateNode(node: Node, context: EvalContext): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'field':
      return readPath(context.scope, node.path);
    case 'unary':
      return applyUnary(node.op, evaluateNode(node.operand, context));
    case 'chain':
      return evaluateChain(node.first, node.rest, context);
    case 'call':
      return callFunction(node.name, node.args, context);
  }
}

/**
 * Follows a field path through the scope reading own data properties only: inherited properties, getters and
 * setters are never touched, and arrays or Dates are not records to walk into.
 */
export function readPath(scope: unknown, path: string[]): Value {
  let current = scope;
  for (const segment of path) {
    if (!isRecord(current)) return null;
    const descriptor = Object.getOwnPropertyDescriptor(current, segment);
    if (descriptor === undefined || !('value' in descriptor)) return null;
    current = descriptor.value;
  }
  return fromScope(current);
}

function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function callFunction(name: string, args: Node[], context: EvalContext): Value {
  const fn = FUNCTIONS.get(name);
  if (fn === undefined) return null;
  if (fn.kind === 'lazy') {
    return fn.call(
      args.map((arg) => () => evaluateNode(arg, context)),
      context,
    );
  }
  return fn.call(
    args.map((arg) => evaluateNode(arg, context)),
    context,
  );
}

function applyUnary(op: '-' | 'not', value: Value): Value {
  if (op === 'not') return value !== true;
  return typeof value === 'number' ? toNumberResult(-value) : null;
}

function evaluateChain(first: Node, rest: ChainLink[], context: EvalContext): Value {
  let result = evaluateNode(first, context);
  for (const { op, operand } of rest) {
    if (op === 'and') result = result === true && evaluateNode(operand, context) === true;
    else if (op === 'or') result = result === true || evaluateNode(operand, context) === true;
    else result = applyBinary(op, result, evaluateNode(operand, context));
  }
  return result;
}

function applyBinary(op: Exclude<BinaryOp, 'and' | 'or'>, left: Value, right: Value): Value {
  switch (op) {
    case '&':
      return concat([left, right]);
    case '=':
      return valuesEqual(left, right);
    case '!=':
      return !valuesEqual(left, right);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return applyOrdering(op, compareValues(left, right));
    default:
      return typeof left === 'number' && typeof right === 'number' ? arithmetic(op, left, right) : null;
  }
}

function applyOrdering(op: '<' | '<=' | '>' | '>=', order: number | null): boolean | null {
  if (order === null) return null;
  if (op === '<') return order < 0;
  if (op === '<=') return order <= 0;
  if (op === '>') return order > 0;
  return order >= 0;
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', left: number, right: number): number | null {
  if (op === '+') return toNumberResult(left + right);
  if (op === '-') return toNumberResult(left - right);
  if (op === '*') return toNumberResult(left * right);
  if (op === '/') return toNumberResult(left / right);
  return toNumberResult(left % right);
}
