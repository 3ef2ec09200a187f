import { describe, expect, it } from 'vitest';
import { compileFormula, FormulaError } from './index.ts';

const NOW = new Date('2024-03-15T10:30:00Z');
const run = (source: string, scope: unknown) => compileFormula(source).evaluate(scope as Record<string, unknown>, NOW);

describe('prototype access', () => {
  it.each([
    ['__proto__', 0],
    ['constructor', 0],
    ['constructor.constructor', 0],
    ['account.__proto__', 8],
    ['account.constructor.name', 8],
    ['a.b.prototype', 4],
    ['x & __proto__.polluted', 4],
    ['IF(true, prototype, 1)', 9],
  ])('refuses %j at compile time, at position %i', (source, position) => {
    let error: unknown;
    try {
      compileFormula(source);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FormulaError);
    expect((error as FormulaError).position).toBe(position);
  });

  it('cannot call into JavaScript: constructor(...) and eval(...) are unknown functions', () => {
    expect(() => compileFormula('constructor("return 1")')).toThrow(/Unknown function constructor/);
    expect(() => compileFormula('eval("1")')).toThrow(/Unknown function eval/);
  });

  it.each(['toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'account.toString'])(
    'reads the inherited Object.prototype member %s as null',
    (source) => {
      expect(run(source, { account: {} })).toBeNull();
      expect(run(`ISBLANK(${source})`, { account: {} })).toBe(true);
    },
  );

  it('does not read properties a scope inherits', () => {
    expect(run('secret', Object.create({ secret: 1 }))).toBeNull();
    expect(run('account.secret', { account: Object.create({ secret: 'x' }) })).toBeNull();
  });

  it('reads own properties of a null-prototype scope', () => {
    const scope = Object.assign(Object.create(null) as Record<string, unknown>, { amount: 3 });
    expect(run('amount * 2', scope)).toBe(6);
  });

  it('never invokes getters, on the scope or on a parent record', () => {
    let calls = 0;
    const parent = {};
    Object.defineProperty(parent, 'name', { enumerable: true, get: () => ++calls });
    const scope = {
      get secret() {
        calls += 1;
        return 'leaked';
      },
      account: parent,
    };
    expect(run('secret', scope)).toBeNull();
    expect(run('account.name', scope)).toBeNull();
    expect(calls).toBe(0);
  });

  it('treats a JSON "__proto__" key as unreachable data, never as a prototype', () => {
    const scope = JSON.parse('{"__proto__": {"isAdmin": true}, "name": "x"}') as Record<string, unknown>;
    expect(run('isAdmin', scope)).toBeNull();
    expect(run('name', scope)).toBe('x');
  });

  it('has no access to globals', () => {
    expect(run('process.env.HOME', {})).toBeNull();
    expect(run('globalThis', {})).toBeNull();
  });

  it('never hands back an object from the scope, so the record cannot be changed through the result', () => {
    const d = new Date('2024-01-01T00:00:00Z');
    const result = run('d', { d });
    expect(result).toEqual(d);
    expect(result).not.toBe(d);
    expect(run('account', { account: { name: 'x' } })).toBeNull();
  });
});

describe('weird scopes', () => {
  it.each([
    ['an array value', { tags: ['a', 'b'] }, 'tags', null],
    ['the length of an array', { tags: ['a', 'b'] }, 'tags.length', null],
    ['a NaN', { n: Number.NaN }, 'n', null],
    ['an Infinity', { n: Number.POSITIVE_INFINITY }, 'n', null],
    ['a function', { f: () => 1 }, 'f', null],
    ['a symbol', { s: Symbol('s') }, 's', null],
    ['an invalid Date', { d: new Date(Number.NaN) }, 'd', null],
    ['a Map', { m: new Map([['size', 1]]) }, 'm.size', null],
    ['a nested path through a string', { a: 'text' }, 'a.length', null],
    ['a deep path', { a: { b: { c: 7 } } }, 'a.b.c', 7],
    ['a path through null', { a: null }, 'a.b.c', null],
  ])('reads %s as %j', (_label, scope, source, expected) => {
    expect(run(source, scope)).toEqual(expected);
  });

  it('reads a bigint as null (no mixing with doubles)', () => {
    expect(run('n', { n: 10n })).toBeNull();
    expect(run('n + 1', { n: 10n })).toBeNull();
  });

  it('reads an array or a primitive passed as the whole scope as having no fields', () => {
    expect(run('length', ['a'])).toBeNull();
    expect(run('ISBLANK(x)', null)).toBe(true);
    expect(run('x & "!"', 42)).toBe('!');
  });

  it('works on a frozen scope without changing it', () => {
    const scope = Object.freeze({ a: Object.freeze({ b: 2 }), c: 'x' });
    expect(run('a.b & c', scope)).toBe('2x');
    expect(scope).toEqual({ a: { b: 2 }, c: 'x' });
  });
});

const FORMULAS = [
  'a',
  'a.b.c',
  'a + b * c - d / e % f',
  '-a',
  'a & b & c',
  'a = b or a < b and not c >= d',
  'IF(a, b, c)',
  'AND(a, b) or OR(c, d)',
  'ISBLANK(a) and COALESCE(a, b, c) = null',
  'CONCAT(a, b, c) & UPPER(a) & LOWER(b) & TRIM(c)',
  'LEN(a) + LEN(b.c)',
  'LEFT(a, b) & RIGHT(a, c)',
  'CONTAINS(a, b)',
  'ROUND(a, b) + FLOOR(a) + CEIL(b) + ABS(c)',
  'MIN(a, b, c) + MAX(a, b, c)',
  'TODAY() & NOW()',
  'YEAR(a) + MONTH(b) + DAY(c)',
  'DATEDIFF(a, b) + 1',
  'ADDDAYS(a, b) > ADDDAYS(c, d)',
  'TEXT(a) & NUMBER(b)',
];

function hostileScopes(): unknown[] {
  const throwing = new Proxy(
    {},
    {
      get: () => {
        throw new Error('get');
      },
      getOwnPropertyDescriptor: () => {
        throw new Error('descriptor');
      },
    },
  );
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const huge = 'x'.repeat(200_000);
  return [
    {},
    null,
    undefined,
    7,
    'text',
    [],
    [1, 2, 3],
    throwing,
    revocable.proxy,
    { a: throwing, b: revocable.proxy },
    { a: huge, b: huge, c: 3, d: -1, e: 0, f: 0 },
    { a: [1], b: { c: [] }, c: { d: 1 }, d: new Map(), e: new Set() },
    { a: Number.MAX_VALUE, b: -Number.MAX_VALUE, c: Number.MIN_VALUE, d: 1e308, e: 5e-324, f: -0 },
    { a: new Date(8.64e15), b: new Date(-8.64e15), c: '9999-12-31', d: 1e9 },
    { a: '2024-02-29', b: '2024-02-30T25:61:61Z', c: '0000-01-01', d: '+275760-09-13' },
    { a: true, b: false, c: Symbol('c'), d: 10n, e: () => 1, f: Object.create(null) },
  ];
}

const ALLOWED = (value: unknown) =>
  value === null ||
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  value instanceof Date;

describe('evaluate never throws', () => {
  it.each(FORMULAS)('%s returns a formula value for every hostile scope', (source) => {
    const compiled = compileFormula(source);
    for (const scope of hostileScopes()) {
      let result: unknown;
      expect(() => {
        result = compiled.evaluate(scope as Record<string, unknown>, NOW);
      }).not.toThrow();
      expect(ALLOWED(result)).toBe(true);
      if (typeof result === 'number') expect(Number.isFinite(result)).toBe(true);
      if (typeof result === 'string') expect(result.length).toBeLessThanOrEqual(100_000);
    }
  });

  it('survives a Date subclass whose methods throw, passed as now', () => {
    const badNow = new Date();
    badNow.getTime = () => {
      throw new Error('boom');
    };
    expect(compileFormula('TODAY()').evaluate({}, badNow)).toBeNull();
    expect(compileFormula('1 + 1').evaluate({}, badNow)).toBe(2);
  });
});

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('random input', () => {
  const PIECES = ['a', 'b.c', '1', '2.5', '"s"', "'t'", '(', ')', ',', '+', '-', '*', '/', '%', '&', '=', '<>', '<', '>=', 'and', 'or', 'not', '!', 'IF(', 'LEN(', 'MAX(', 'ADDDAYS(', 'TODAY()', 'null', 'true', '.', ' ', '$', '"'];

  it('either compiles or throws a FormulaError pointing inside the source, for random token soup', () => {
    const next = seeded(12345);
    const scopes = hostileScopes();
    for (let i = 0; i < 3000; i += 1) {
      const length = 1 + Math.floor(next() * 25);
      const source = Array.from({ length }, () => PIECES[Math.floor(next() * PIECES.length)]).join('');
      try {
        const formula = compileFormula(source);
        for (const scope of scopes) expect(ALLOWED(formula.evaluate(scope as Record<string, unknown>, NOW))).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(FormulaError);
        expect((error as FormulaError).position).toBeGreaterThanOrEqual(0);
        expect((error as FormulaError).position).toBeLessThanOrEqual(source.length);
      }
    }
  });

  const CALLS: [string, number][] = [
    ['IF', 3], ['AND', 2], ['OR', 2], ['NOT', 1], ['ISBLANK', 1], ['COALESCE', 3], ['CONCAT', 2], ['UPPER', 1],
    ['LOWER', 1], ['TRIM', 1], ['LEN', 1], ['LEFT', 2], ['RIGHT', 2], ['CONTAINS', 2], ['ROUND', 2], ['FLOOR', 1],
    ['CEIL', 1], ['ABS', 1], ['MIN', 3], ['MAX', 2], ['TODAY', 0], ['NOW', 0], ['YEAR', 1], ['MONTH', 1], ['DAY', 1],
    ['DATEDIFF', 2], ['ADDDAYS', 2], ['TEXT', 1], ['NUMBER', 1],
  ];
  const LEAVES = ['a', 'b', 'c', 'd', 'e', 'f', 'a.b', 'b.c.d', '0', '1', '2.5', '"2024-02-29"', '"x"', "''", 'null', 'true', 'false'];
  const OPERATORS = ['+', '-', '*', '/', '%', '&', '=', '<>', '<', '<=', '>', '>=', 'and', 'or'];

  function randomExpression(next: () => number, depth: number): string {
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
    const roll = next();
    if (depth === 0 || roll < 0.3) return pick(LEAVES);
    if (roll < 0.4) return `${pick(['-', 'not ', '!'])}${randomExpression(next, depth - 1)}`;
    if (roll < 0.5) return `(${randomExpression(next, depth - 1)})`;
    if (roll < 0.75) return `${randomExpression(next, depth - 1)} ${pick(OPERATORS)} ${randomExpression(next, depth - 1)}`;
    const [name, arity] = pick(CALLS);
    return `${name}(${Array.from({ length: arity }, () => randomExpression(next, depth - 1)).join(', ')})`;
  }

  it('evaluates thousands of random well-formed formulas against hostile scopes without throwing', () => {
    const next = seeded(987654321);
    const scopes = hostileScopes();
    for (let i = 0; i < 1500; i += 1) {
      const source = randomExpression(next, 5);
      const formula = compileFormula(source, { maxLength: 100_000 });
      for (const scope of scopes) {
        const result = formula.evaluate(scope as Record<string, unknown>, NOW);
        expect(ALLOWED(result), source).toBe(true);
        if (typeof result === 'number') expect(Number.isFinite(result), source).toBe(true);
      }
    }
  });
});
