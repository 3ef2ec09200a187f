import { describe, expect, it } from 'vitest';
import { FormulaError } from './formula-error.ts';
import { tokenize } from './lexer.ts';

const kindsAndValues = (source: string) => tokenize(source).map((t) => [t.kind, t.value]);

describe('tokenize', () => {
  it('reads numbers, identifiers, dotted paths and operators with their positions', () => {
    const tokens = tokenize('amount >= 12.5 && account.name');
    expect(tokens.map((t) => [t.kind, t.value, t.pos])).toEqual([
      ['ident', 'amount', 0],
      ['punct', '>=', 7],
      ['number', 12.5, 10],
      ['punct', '&&', 15],
      ['ident', 'account', 18],
      ['punct', '.', 25],
      ['ident', 'name', 26],
      ['end', '', 30],
    ]);
  });

  it.each([
    ['a<>b', ['<>']],
    ['a<=b', ['<=']],
    ['a==b', ['==']],
    ['a!=b', ['!=']],
    ['a||b', ['||']],
    ['!a', ['!']],
    ['a&b', ['&']],
    ['a%b', ['%']],
  ])('takes the longest operator in %s', (source, operators) => {
    const puncts = tokenize(source).filter((t) => t.kind === 'punct').map((t) => t.value);
    expect(puncts).toEqual(operators);
  });

  it.each([
    [`"say \\"hi\\""`, 'say "hi"'],
    [`'it\\'s'`, "it's"],
    [`"a\\nb\\tc\\\\d\\re"`, 'a\nb\tc\\d\re'],
    [`'double " inside single'`, 'double " inside single'],
    [`""`, ''],
    [`"😀 ünïcode"`, '😀 ünïcode'],
  ])('decodes the string literal %s', (source, value) => {
    expect(kindsAndValues(source)).toEqual([
      ['string', value],
      ['end', ''],
    ]);
  });

  it('reads "1." as a number followed by a dot, not a decimal', () => {
    expect(kindsAndValues('1.')).toEqual([
      ['number', 1],
      ['punct', '.'],
      ['end', ''],
    ]);
  });

  it('ignores spaces, tabs and newlines', () => {
    expect(kindsAndValues(' \t1\n+\r\n2 ')).toEqual([
      ['number', 1],
      ['punct', '+'],
      ['number', 2],
      ['end', ''],
    ]);
  });

  it.each([
    ['1 $ 2', 2, /Unexpected character '\$'/],
    ['a | b', 2, /Unexpected character '\|'/],
    ['"abc', 0, /Unterminated string/],
    ["x & 'abc\\'", 4, /Unterminated string/],
    ['"a\\qb"', 2, /Unknown escape/],
    ['"a\\', 2, /Unknown escape/],
    ['9'.repeat(400), 0, /too large/],
    ['a # b', 2, /Unexpected character '#'/],
    ['a\u00a0b', 1, /Unexpected character/],
  ])('rejects %j at position %i', (source, position, message) => {
    let error: unknown;
    try {
      tokenize(source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FormulaError);
    expect((error as FormulaError).position).toBe(position);
    expect((error as FormulaError).message).toMatch(message);
  });
});
