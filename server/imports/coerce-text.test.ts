/** Table tests: spreadsheet text → API input value, per field type (issue 5). */
import { describe, expect, it } from 'vitest';
import type { Field } from '../metadata/index.ts';
import { coercePart, coerceText, type CoerceOptions } from './coerce-text.ts';

const f = (type: string, extra: Record<string, unknown> = {}): Field => ({ name: 'x', type, ...extra }) as Field;
const OPTIONS = [{ value: 'new', label: 'New lead' }, { value: 'won', label: 'Won' }, { value: 'old', label: 'Old', retired: true }];

type Case = [field: Field, text: string, expected: unknown, options?: CoerceOptions];
type Refusal = [field: Field, text: string, detail: RegExp | string, options?: CoerceOptions];

const ACCEPTED: Case[] = [
  [f('text'), '  Ada  ', 'Ada'],
  [f('text'), '=SUM(A1:A9)', '=SUM(A1:A9)'],
  [f('text'), '', null],
  [f('longText'), 'line one\nline two', 'line one\nline two'],
  [f('email'), ' Ada@Example.org ', 'Ada@Example.org'],
  [f('phone'), '+44 20 7183 8750', '+44 20 7183 8750'],
  [f('url'), 'https://acme.example/x', 'https://acme.example/x'],
  [f('url'), 'www.acme.example', 'https://www.acme.example'],
  [f('url'), 'acme.example/contact?a=1', 'https://acme.example/contact?a=1'],
  [f('integer'), '42', 42],
  [f('integer'), '-7', -7],
  [f('integer'), '1,234,567', 1234567],
  [f('number'), '1,234.5', 1234.5],
  [f('number'), '1 234.5', 1234.5],
  [f('number'), '.5', 0.5],
  [f('number'), '+3', 3],
  [f('number'), '1e3', 1000],
  [f('percent'), '12.5%', 12.5],
  [f('percent'), '12.5 %', 12.5],
  [f('percent'), '0.4', 0.4],
  [f('rating'), '4', 4],
  [f('rating'), '★★★', 3],
  [f('currency'), '12.50', { amount: '12.50' }],
  [f('currency'), '12.50 GBP', { amount: '12.50', currency: 'GBP' }],
  [f('currency'), 'gbp 12.50', { amount: '12.50', currency: 'GBP' }],
  [f('currency'), '-1,234.00 EUR', { amount: '-1234.00', currency: 'EUR' }],
  [f('currency'), '£12', { amount: '12', currency: 'GBP' }],
  [f('currency'), '-€0.99', { amount: '-0.99', currency: 'EUR' }],
  [f('currency'), '$5', { amount: '5', currency: 'USD' }],
  [f('currency', { currency: 'CAD' }), '$5', { amount: '5', currency: 'CAD' }],
  [f('currency', { currency: 'CAD' }), '$5 USD', { amount: '5', currency: 'USD' }],
  [f('currency'), '.5', { amount: '0.5' }],
  [f('boolean'), 'Yes', true],
  [f('boolean'), 'TRUE', true],
  [f('boolean'), '1', true],
  [f('boolean'), 'x', true],
  [f('boolean'), 'no', false],
  [f('boolean'), 'False', false],
  [f('boolean'), '0', false],
  [f('date'), '2026-03-31', '2026-03-31'],
  [f('date'), '31/03/2026', '2026-03-31'],
  [f('date'), '1/2/2026', '2026-02-01'],
  [f('date'), '31.03.2026', '2026-03-31'],
  [f('date'), '2026/3/1', '2026-03-01'],
  [f('date'), '29/02/2024', '2024-02-29'],
  [f('date'), '2026-03-31T22:30:00-05:00', '2026-03-31'],
  [f('date'), '03/31/2026', '2026-03-31', { dateOrder: 'mdy' }],
  [f('date'), '1/2/2026', '2026-01-02', { dateOrder: 'mdy' }],
  [f('datetime'), '2026-03-31T09:30:00Z', '2026-03-31T09:30:00Z'],
  [f('datetime'), '2026-03-31 09:30', '2026-03-31T09:30:00Z'],
  [f('datetime'), '2026-03-31T09:30:15.250+0100', '2026-03-31T09:30:15.250+01:00'],
  [f('datetime'), '2026-03-31T09:30+01', '2026-03-31T09:30:00+01:00'],
  [f('datetime'), '31/03/2026 9:05', '2026-03-31T09:05:00Z'],
  [f('datetime'), '2026-03-31', '2026-03-31T00:00:00Z'],
  [f('select', { options: OPTIONS }), 'won', 'won'],
  [f('select', { options: OPTIONS }), 'WON', 'won'],
  [f('select', { options: OPTIONS }), 'new lead', 'new'],
  [f('select', { options: OPTIONS }), 'Old', 'old'],
  [f('multiSelect', { options: OPTIONS }), 'new; Won ;won', ['new', 'won']],
  [f('multiSelect', { options: OPTIONS }), ' ; ', null],
  [f('fullName'), 'Ada Lovelace', { first: 'Ada', last: 'Lovelace' }],
  [f('fullName'), 'Mary Ann  Evans', { first: 'Mary Ann', last: 'Evans' }],
  [f('fullName'), 'Lovelace, Ada', { first: 'Ada', last: 'Lovelace' }],
  [f('fullName'), 'Cher', { last: 'Cher' }],
  [f('address'), '1 High Street, London', { street: '1 High Street, London' }],
  [f('json'), '{"a": [1, 2]}', { a: [1, 2] }],
  [f('relation', { target: 'account' }), ' Acme Ltd ', 'Acme Ltd'],
  [f('user'), '65f0c0ffee0000000000beef', '65f0c0ffee0000000000beef'],
];

const REFUSED: Refusal[] = [
  [f('integer'), 'lots', '"lots" is not a number'],
  [f('number'), '1,5', '"1,5" is not a number'],
  [f('number'), '1,23,456', '"1,23,456" is not a number'],
  [f('number'), '12%', '"12%" is not a number'],
  [f('number'), '1.234,5', '"1.234,5" is not a number'],
  [f('number'), '-', '"-" is not a number'],
  [f('currency'), '12.50 GBP EUR', /is not an amount/],
  [f('currency'), 'GBP 12.50 EUR', /is not an amount/],
  [f('currency'), '£12 EUR', '"£12 EUR" names two currencies'],
  [f('currency'), 'twelve', /is not an amount/],
  [f('boolean'), 'maybe', '"maybe" is not yes or no'],
  [f('date'), '31/02/2020', '"31/02/2020" is not a date (use YYYY-MM-DD or DD/MM/YYYY)'],
  [f('date'), '2023-02-29', /is not a date/],
  [f('date'), '03/31/2026', /is not a date/],
  [f('date'), '31/03/26', /is not a date/],
  [f('date'), 'next Tuesday', /is not a date/],
  [f('date'), '2026-03-311', /is not a date/],
  [f('date'), '31/03/2026', '"31/03/2026" is not a date (use YYYY-MM-DD or MM/DD/YYYY)', { dateOrder: 'mdy' }],
  [f('datetime'), '2026-03-31T25:00', '"2026-03-31T25:00" is not a time of day'],
  [f('datetime'), '2026-03-31 9am', /is not a date and time/],
  [f('datetime'), 'March 31', /is not a date and time/],
  [f('select', { options: OPTIONS }), 'lost', '"lost" is not one of the options (new, won)'],
  [f('multiSelect', { options: OPTIONS }), 'new;lost', '"lost" is not one of the options (new, won)'],
  [f('json'), '{a: 1}', '"{a: 1}" is not valid JSON'],
];

describe('coerceText', () => {
  it.each(ACCEPTED)('%o reads %j', (field, text, expected, options) => {
    expect(coerceText(field, text, options)).toEqual({ ok: true, value: expected });
  });

  it.each(REFUSED)('%o refuses %j', (field, text, detail, options) => {
    const result = coerceText(field, text, options);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(detail);
  });

  it('reads a blank cell of any type as no value', () => {
    for (const type of ['integer', 'date', 'boolean', 'select', 'currency', 'fullName']) expect(coerceText(f(type, { options: OPTIONS }), '   ')).toEqual({ ok: true, value: null });
  });

  it('reads a part of a composite field from its own column', () => {
    expect(coercePart(f('address'), 'country', ' gb ')).toEqual({ ok: true, value: 'GB' });
    expect(coercePart(f('address'), 'city', ' London ')).toEqual({ ok: true, value: 'London' });
    expect(coercePart(f('fullName'), 'first', '')).toEqual({ ok: true, value: null });
  });
});
