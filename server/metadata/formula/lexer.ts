import { FormulaError } from './formula-error.ts';

export type Token =
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'punct'; value: string; pos: number }
  | { kind: 'end'; value: ''; pos: number };

// Longest first, so `<=` wins over `<` and `==` over `=`.
const PUNCTUATION = ['==', '!=', '<>', '<=', '>=', '&&', '||', '+', '-', '*', '/', '%', '&', '=', '<', '>', '!', '(', ')', ',', '.'];

const ESCAPES = new Map([
  ['\\', '\\'],
  ['"', '"'],
  ["'", "'"],
  ['n', '\n'],
  ['t', '\t'],
  ['r', '\r'],
]);

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const WHITESPACE = /[ \t\r\n]/;

/** Splits a formula into tokens; the last token is always `end`, positioned at the source length. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const char = source[pos]!;
    if (WHITESPACE.test(char)) {
      pos += 1;
      continue;
    }
    const token = readToken(source, pos);
    tokens.push(token.token);
    pos = token.next;
  }
  tokens.push({ kind: 'end', value: '', pos: source.length });
  return tokens;
}

type Read = { token: Token; next: number };

function readToken(source: string, pos: number): Read {
  const char = source[pos]!;
  if (DIGIT.test(char)) return readNumber(source, pos);
  if (IDENT_START.test(char)) return readIdent(source, pos);
  if (char === '"' || char === "'") return readString(source, pos);
  const punct = PUNCTUATION.find((p) => source.startsWith(p, pos));
  if (punct === undefined) throw new FormulaError(`Unexpected character '${char}'`, pos);
  return { token: { kind: 'punct', value: punct, pos }, next: pos + punct.length };
}

function readNumber(source: string, pos: number): Read {
  let end = scan(source, pos, DIGIT);
  if (source[end] === '.' && DIGIT.test(source[end + 1] ?? '')) end = scan(source, end + 1, DIGIT);
  const value = Number(source.slice(pos, end));
  if (!Number.isFinite(value)) throw new FormulaError('Number is too large', pos);
  return { token: { kind: 'number', value, pos }, next: end };
}

function readIdent(source: string, pos: number): Read {
  const end = scan(source, pos, IDENT_PART);
  return { token: { kind: 'ident', value: source.slice(pos, end), pos }, next: end };
}

function readString(source: string, start: number): Read {
  const quote = source[start];
  let value = '';
  let pos = start + 1;
  while (pos < source.length) {
    const char = source[pos]!;
    if (char === quote) return { token: { kind: 'string', value, pos: start }, next: pos + 1 };
    if (char === '\\') {
      const escaped = ESCAPES.get(source[pos + 1] ?? '');
      if (escaped === undefined) throw new FormulaError('Unknown escape sequence in string', pos);
      value += escaped;
      pos += 2;
      continue;
    }
    value += char;
    pos += 1;
  }
  throw new FormulaError('Unterminated string', start);
}

function scan(source: string, pos: number, pattern: RegExp): number {
  let end = pos;
  while (end < source.length && pattern.test(source[end]!)) end += 1;
  return end;
}
