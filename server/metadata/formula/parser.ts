import type { BinaryOp, ChainLink, Node } from './ast.ts';
import { FormulaError } from './formula-error.ts';
import { FUNCTIONS } from './functions.ts';
import { tokenize, type Token } from './lexer.ts';

export const MAX_ARGUMENTS = 64;
export const MAX_PATH_SEGMENTS = 3;

// Segments that name the prototype machinery are refused outright, even though lookups only read own properties.
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

// Binding power per operator token: higher binds tighter. `not` sits between `and` and the comparisons, so
// `not a = b` is `not (a = b)` and `not a and b` is `(not a) and b`; `&` sits between comparisons and `+`, as in Excel.
const INFIX = new Map<string, { op: BinaryOp; level: number }>([
  ['or', { op: 'or', level: 1 }],
  ['||', { op: 'or', level: 1 }],
  ['and', { op: 'and', level: 2 }],
  ['&&', { op: 'and', level: 2 }],
  ['=', { op: '=', level: 4 }],
  ['==', { op: '=', level: 4 }],
  ['!=', { op: '!=', level: 4 }],
  ['<>', { op: '!=', level: 4 }],
  ['<', { op: '<', level: 4 }],
  ['<=', { op: '<=', level: 4 }],
  ['>', { op: '>', level: 4 }],
  ['>=', { op: '>=', level: 4 }],
  ['&', { op: '&', level: 5 }],
  ['+', { op: '+', level: 6 }],
  ['-', { op: '-', level: 6 }],
  ['*', { op: '*', level: 7 }],
  ['/', { op: '/', level: 7 }],
  ['%', { op: '%', level: 7 }],
]);
const NOT_LEVEL = 3;
const NEGATE_LEVEL = 8;

const LITERALS = new Map<string, boolean | null>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

export type ParseResult = { ast: Node; references: string[][] };

type State = { tokens: Token[]; index: number; maxDepth: number; references: Map<string, string[]> };

/** Parses a whole formula. `maxDepth` bounds nesting of parentheses, function calls and unary operators. */
export function parseFormula(source: string, maxDepth: number): ParseResult {
  const state: State = { tokens: tokenize(source), index: 0, maxDepth, references: new Map() };
  const ast = parseExpression(state, 0, 0);
  const rest = peek(state);
  if (rest.kind !== 'end') throw unexpected(rest);
  return { ast, references: [...state.references.values()] };
}

function parseExpression(state: State, minLevel: number, nesting: number): Node {
  let left = parsePrefix(state, nesting);
  let chain: { level: number; rest: ChainLink[] } | undefined;
  for (;;) {
    const infix = infixAt(peek(state));
    if (infix === undefined || infix.level < minLevel) return left;
    const token = advance(state);
    const operand = parseExpression(state, infix.level + 1, nesting);
    if (chain?.level === infix.level) {
      chain.rest.push({ op: infix.op, operand });
      continue;
    }
    chain = { level: infix.level, rest: [{ op: infix.op, operand }] };
    left = { kind: 'chain', first: left, rest: chain.rest, pos: token.pos };
  }
}

function infixAt(token: Token): { op: BinaryOp; level: number } | undefined {
  if (token.kind === 'punct') return INFIX.get(token.value);
  if (token.kind === 'ident') {
    const word = token.value.toLowerCase();
    if (word === 'and' || word === 'or') return INFIX.get(word);
  }
  return undefined;
}

function parsePrefix(state: State, nesting: number): Node {
  const token = advance(state);
  switch (token.kind) {
    case 'number':
    case 'string':
      return { kind: 'literal', value: token.value, pos: token.pos };
    case 'ident':
      return parseWord(state, token, nesting);
    case 'punct':
      return parsePunctPrefix(state, token, nesting);
    case 'end':
      throw unexpected(token);
  }
}

function parseWord(state: State, token: Token & { kind: 'ident' }, nesting: number): Node {
  const word = token.value.toLowerCase();
  if (isPunct(peek(state), '(')) return parseCall(state, token, nesting);
  if (LITERALS.has(word)) return { kind: 'literal', value: LITERALS.get(word)!, pos: token.pos };
  if (word === 'not') return parseUnary(state, token, 'not', nesting);
  if (word === 'and' || word === 'or') throw unexpected(token);
  return parseField(state, token);
}

function parsePunctPrefix(state: State, token: Token & { kind: 'punct' }, nesting: number): Node {
  if (token.value === '-') return parseUnary(state, token, '-', nesting);
  if (token.value === '!') return parseUnary(state, token, 'not', nesting);
  if (token.value !== '(') throw unexpected(token);
  const inner = parseExpression(state, 0, deeper(state, nesting, token));
  expectPunct(state, ')');
  return inner;
}

function parseUnary(state: State, token: Token, op: '-' | 'not', nesting: number): Node {
  const level = op === '-' ? NEGATE_LEVEL : NOT_LEVEL;
  const operand = parseExpression(state, level, deeper(state, nesting, token));
  return { kind: 'unary', op, operand, pos: token.pos };
}

function parseField(state: State, first: Token & { kind: 'ident' }): Node {
  const path = [checkSegment(first)];
  while (isPunct(peek(state), '.')) {
    advance(state);
    const segment = advance(state);
    if (segment.kind !== 'ident') throw new FormulaError('Expected a field name after "."', segment.pos);
    if (path.length === MAX_PATH_SEGMENTS) {
      throw new FormulaError(`A field path has at most ${MAX_PATH_SEGMENTS} segments`, segment.pos);
    }
    path.push(checkSegment(segment));
  }
  state.references.set(path.join('.'), path);
  return { kind: 'field', path, pos: first.pos };
}

function checkSegment(token: Token & { kind: 'ident' }): string {
  if (FORBIDDEN_SEGMENTS.has(token.value)) throw new FormulaError(`"${token.value}" is not a valid field name`, token.pos);
  return token.value;
}

function parseCall(state: State, nameToken: Token & { kind: 'ident' }, nesting: number): Node {
  const name = nameToken.value.toUpperCase();
  const fn = FUNCTIONS.get(name);
  if (fn === undefined) throw new FormulaError(`Unknown function ${nameToken.value}`, nameToken.pos);
  const open = advance(state);
  const args = parseArguments(state, deeper(state, nesting, open));
  if (args.length < fn.min || args.length > fn.max) {
    throw new FormulaError(`${name} expects ${describeArity(fn.min, fn.max)}, got ${args.length}`, nameToken.pos);
  }
  return { kind: 'call', name, args, pos: nameToken.pos };
}

function parseArguments(state: State, nesting: number): Node[] {
  const args: Node[] = [];
  if (isPunct(peek(state), ')')) {
    advance(state);
    return args;
  }
  for (;;) {
    const start = peek(state);
    if (args.length === MAX_ARGUMENTS) throw new FormulaError(`At most ${MAX_ARGUMENTS} arguments are allowed`, start.pos);
    args.push(parseExpression(state, 0, nesting));
    const separator = advance(state);
    if (isPunct(separator, ')')) return args;
    if (!isPunct(separator, ',')) throw unexpected(separator, '"," or ")"');
  }
}

function describeArity(min: number, max: number): string {
  const plural = (n: number) => `${n} argument${n === 1 ? '' : 's'}`;
  if (min === max) return plural(min);
  if (max === Number.POSITIVE_INFINITY) return `at least ${plural(min)}`;
  return `${min} to ${max} arguments`;
}

function deeper(state: State, nesting: number, token: Token): number {
  if (nesting >= state.maxDepth) throw new FormulaError(`Formula is nested deeper than ${state.maxDepth} levels`, token.pos);
  return nesting + 1;
}

function expectPunct(state: State, value: string): void {
  const token = advance(state);
  if (!isPunct(token, value)) throw unexpected(token, `"${value}"`);
}

function isPunct(token: Token, value: string): boolean {
  return token.kind === 'punct' && token.value === value;
}

function peek(state: State): Token {
  return state.tokens[state.index]!;
}

function advance(state: State): Token {
  const token = state.tokens[state.index]!;
  if (token.kind !== 'end') state.index += 1;
  return token;
}

function unexpected(token: Token, expected?: string): FormulaError {
  const found = token.kind === 'end' ? 'end of formula' : token.kind === 'string' ? 'string' : `"${token.value}"`;
  return new FormulaError(`Unexpected ${found}${expected ? `, expected ${expected}` : ''}`, token.pos);
}
