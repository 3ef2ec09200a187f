import { describe, expect, it } from 'vitest';
import { compileFormula, FormulaError } from './index.ts';

const NOW = new Date('2024-03-15T10:30:00Z');
const run = (source: string, scope: Record<string, unknown> = {}) => compileFormula(source).evaluate(scope, NOW);

function compileError(source: string, options?: { maxLength?: number; maxDepth?: number }): FormulaError {
  try {
    compileFormula(source, options);
  } catch (error) {
    if (error instanceof FormulaError) return error;
    throw error;
  }
  throw new Error(`expected ${source} not to compile`);
}

describe('compileFormula syntax errors', () => {
  it.each([
    ['', 0, /Unexpected end of formula/],
    ['1 +', 3, /Unexpected end of formula/],
    ['(1 + 2', 6, /expected "\)"/],
    ['1 + 2)', 5, /Unexpected "\)"/],
    ['1 2', 2, /Unexpected "2"/],
    ['* 2', 0, /Unexpected "\*"/],
    ['+2', 0, /Unexpected "\+"/],
    ['and', 0, /Unexpected "and"/],
    ['a or or b', 5, /Unexpected "or"/],
    ['IF(a, 1 2)', 8, /expected "," or "\)"/],
    ['IF(a,, 2)', 5, /Unexpected ","/],
    ['MAX(1,)', 6, /Unexpected "\)"/],
    ['account.', 8, /Expected a field name/],
    ['account.1', 8, /Expected a field name/],
    ['a "x"', 2, /Unexpected string/],
    ['1 = = 2', 4, /Unexpected "="/],
  ])('rejects %j at position %i', (source, position, message) => {
    const error = compileError(source);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['FOO(1)', 0, /Unknown function FOO/],
    ['1 + upper(a) & nope(b)', 15, /Unknown function nope/],
    ['account(1)', 0, /Unknown function account/],
    ['IF(a)', 0, /IF expects 2 to 3 arguments, got 1/],
    ['IF(a, 1, 2, 3)', 0, /IF expects 2 to 3 arguments, got 4/],
    ['x & LEFT("abc")', 4, /LEFT expects 2 arguments, got 1/],
    ['TODAY(1)', 0, /TODAY expects 0 arguments, got 1/],
    ['UPPER()', 0, /UPPER expects 1 argument, got 0/],
    ['AND()', 0, /AND expects at least 1 argument, got 0/],
    ['not(a, b)', 0, /NOT expects 1 argument, got 2/],
  ])('rejects the call in %j at position %i', (source, position, message) => {
    const error = compileError(source);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
  });

  it('reports a FormulaError, a subclass of Error, with its name set', () => {
    const error = compileError('1 +');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FormulaError');
  });
});

describe('operator precedence', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['24 / 4 / 2', 3],
    ['10 - 2 + 3', 11],
    ['7 % 4 * 2', 6],
    ['-2 * 3', -6],
    ['-(2 + 3) * 2', -10],
    ['2 * -3', -6],
    ['- - 4', 4],
    ['1 + 2 & 3 * 4', '312'],
    ['"a" & 1 + 1', 'a2'],
    ['1 + 1 = 2', true],
    ['"a" & "b" = "ab"', true],
    ['1 < 2 = true', true],
    ['true or false and false', true],
    ['(true or false) and false', false],
    ['true || false && false', true],
    ['not 1 = 2', true],
    ['not true and false', false],
    ['not false or true', true],
    ['!true = false', true],
    ['not not true', true],
    ['1 <> 2 and 2 != 3 and 2 == 2', true],
  ])('%s evaluates to %j', (source, expected) => {
    expect(run(source)).toEqual(expected);
  });

  it('reads keywords and function names case-insensitively', () => {
    expect(run('TRUE AND NOT False OR NULL')).toBe(true);
    expect(run('If(x = Null, Upper("y"), "n")', { x: null })).toBe('Y');
  });

  it('treats a function name without parentheses as a field', () => {
    expect(run('today & "/" & len', { today: 'mon', len: 3 })).toBe('mon/3');
  });
});

describe('references', () => {
  it('lists every field path once, in order of first use', () => {
    const compiled = compileFormula('IF(amount > 10, account.name & account.owner.email, amount & stage)');
    expect(compiled.references).toEqual([['amount'], ['account', 'name'], ['account', 'owner', 'email'], ['stage']]);
    expect(compiled.source).toBe('IF(amount > 10, account.name & account.owner.email, amount & stage)');
  });

  it('has no references for a formula of literals and functions only', () => {
    expect(compileFormula('TODAY() & " " & 1').references).toEqual([]);
  });

  it('keeps field name case, since field names are case-sensitive', () => {
    expect(compileFormula('Amount + amount').references).toEqual([['Amount'], ['amount']]);
  });
});

describe('bounds', () => {
  it('rejects a source longer than maxLength, at the first character past the limit', () => {
    const atLimit = `"${'x'.repeat(1998)}"`;
    expect(run(atLimit)).toBe('x'.repeat(1998));
    const error = compileError(`${atLimit} `);
    expect(error.position).toBe(2000);
    expect(error.message).toMatch(/longer than 2000/);
    expect(compileError('1 + 1 + 1', { maxLength: 5 }).position).toBe(5);
  });

  it('allows nesting up to maxDepth and rejects one level more at the offending token', () => {
    const nested = (depth: number) => '('.repeat(depth) + '1' + ')'.repeat(depth);
    expect(run(nested(32))).toBe(1);
    const error = compileError(nested(33));
    expect(error.position).toBe(32);
    expect(error.message).toMatch(/nested deeper than 32/);
    expect(compileError(nested(5), { maxDepth: 4 }).position).toBe(4);
  });

  it('counts function calls and unary operators as nesting', () => {
    expect(compileError('ABS(ABS(ABS(1)))', { maxDepth: 2 }).position).toBe(11);
    expect(compileError('- - -1', { maxDepth: 2 }).position).toBe(4);
    expect(compileError('not not not true', { maxDepth: 2 }).position).toBe(8);
  });

  it('does not count a long flat chain of operators as nesting', () => {
    const terms = Array.from({ length: 500 }, (_, i) => `a${i}`);
    const compiled = compileFormula(terms.join(' + '), { maxDepth: 1, maxLength: 5000 });
    const scope = Object.fromEntries(terms.map((t) => [t, 2]));
    expect(compiled.evaluate(scope)).toBe(1000);
  });

  it('allows 64 arguments and rejects the 65th at its position', () => {
    const args = (n: number) => Array.from({ length: n }, () => '1').join(',');
    expect(run(`MAX(${args(64)})`)).toBe(1);
    const error = compileError(`MAX(${args(65)})`);
    expect(error.position).toBe(4 + 64 * 2);
    expect(error.message).toMatch(/At most 64 arguments/);
  });

  it.each([{ maxLength: 0 }, { maxLength: 1.5 }, { maxDepth: 0 }, { maxDepth: 10_000 }, { maxLength: Number.NaN }])(
    'refuses the nonsensical option %j',
    (options) => {
      expect(() => compileFormula('1', options)).toThrow(RangeError);
    },
  );
});
