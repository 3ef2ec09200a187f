/**
 * The studio's pure helpers for list views and the import wizard (issue 8): the filter rows and
 * the records filter JSON they stand for, a month grid, a CSV preview and the column guesses.
 */
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../studio/src/lib/api/types.ts';
import { andFilter, operatorsOf, readFilter, writeFilter } from '../../studio/src/routes/views/filter-model.ts';
import { bounds, dayOf, monthGrid } from '../../studio/src/routes/views/calendar-days.ts';
import { preview } from '../../studio/src/routes/import/csv-preview.ts';
import { autoMap, targetsOf } from '../../studio/src/routes/import/auto-map.ts';

describe('filter rows', () => {
  it.each([
    ['one condition', { match: 'and' as const, rows: [{ field: 'stage', op: 'eq' as const, value: 'won' }] }, { field: 'stage', op: 'eq', value: 'won' }],
    ['all of several', { match: 'and' as const, rows: [{ field: 'stage', op: 'eq' as const, value: 'won' }, { field: 'amount', op: 'gt' as const, value: 5 }] }, { and: [{ field: 'stage', op: 'eq', value: 'won' }, { field: 'amount', op: 'gt', value: 5 }] }],
    ['any of several', { match: 'or' as const, rows: [{ field: 'a', op: 'isSet' as const, value: undefined }, { field: 'b', op: 'isNotSet' as const, value: undefined }] }, { or: [{ field: 'a', op: 'isSet' }, { field: 'b', op: 'isNotSet' }] }],
    ['unfinished rows left out', { match: 'and' as const, rows: [{ field: 'a', op: 'eq' as const, value: '' }, { field: 'b', op: 'between' as const, value: [1, null] }, { field: 'c', op: 'in' as const, value: [] }] }, undefined],
  ])('%s', (_, rows, filter) => {
    expect(writeFilter(rows)).toEqual(filter);
    if (filter) expect(writeFilter(readFilter(filter)!)).toEqual(filter);
  });

  it('keeps a filter the rows cannot show (a nested group) as it is', () => {
    expect(readFilter({ and: [{ or: [{ field: 'a', op: 'isSet' }] }] })).toBeNull();
    expect(readFilter({ not: { field: 'a', op: 'isSet' } })).toBeNull();
  });

  it('offers the operators of the field type, a formula those of its result', () => {
    expect(operatorsOf({ name: 'stage', type: 'select', options: [] } as never)).toContain('in');
    expect(operatorsOf({ name: 'stage', type: 'select', options: [] } as never)).not.toContain('contains');
    expect(operatorsOf({ name: 'total', type: 'formula', expression: '1', resultType: 'number' } as never)).toContain('between');
    expect(operatorsOf({ name: 'home', type: 'address' } as never)).toEqual(['isSet', 'isNotSet']);
  });

  it('ANDs a column or a month onto a view filter', () => {
    const column = { field: 'stage', op: 'eq', value: 'won' };
    expect(andFilter(undefined, column)).toEqual(column);
    expect(andFilter({ and: [{ field: 'a', op: 'isSet' }] }, column)).toEqual({ and: [{ field: 'a', op: 'isSet' }, column] });
    expect(andFilter({ or: [{ field: 'a', op: 'isSet' }] }, column)).toEqual({ and: [{ or: [{ field: 'a', op: 'isSet' }] }, column] });
  });
});

describe('month grid', () => {
  it('starts on the Monday on or before the 1st and ends on the Sunday on or after the last day', () => {
    const weeks = monthGrid(2026, 1); // February 2026: Sunday the 1st
    expect(weeks[0]![0]!.key).toBe('2026-01-26');
    expect(weeks.at(-1)!.at(-1)!.key).toBe('2026-03-01');
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(bounds(weeks, false)).toEqual(['2026-01-26', '2026-03-01']);
  });

  it('puts a date on its own day and a datetime on the local day', () => {
    expect(dayOf('2026-02-03', false)).toBe('2026-02-03');
    const local = new Date(2026, 1, 3, 23, 30);
    expect(dayOf(local.toISOString(), true)).toBe('2026-02-03');
    expect(dayOf(null, true)).toBeNull();
  });
});

describe('CSV preview', () => {
  it.each([
    ['commas', 'Name,Email\nAda,ada@x.org\nGrace,grace@x.org\n', ',', ['Name', 'Email'], 2],
    ['semicolons, quotes and a line break in a cell', '\uFEFF"Name";"Note"\r\n"Ada";"said ""hi""\nthen left"\r\n\r\n"Grace";x', ';', ['Name', 'Note'], 2],
    ['tabs', 'a\tb\n1\t2', '\t', ['a', 'b'], 1],
  ])('%s', (_, text, delimiter, header, rows) => {
    const p = preview(text);
    expect(p.delimiter).toBe(delimiter);
    expect(p.header).toEqual(header);
    expect(p.rows).toBe(rows);
  });

  it('keeps quoted cells whole', () => {
    expect(preview('"Name";"Note"\n"Ada";"said ""hi""\nthen left"').sample[0]).toEqual(['Ada', 'said "hi"\nthen left']);
  });
});

describe('column guesses', () => {
  const entity = {
    name: 'contact', label: 'Contact', pluralLabel: 'Contacts', version: 1, titleField: 'name',
    fields: [
      { name: 'name', type: 'fullName' }, { name: 'email', type: 'email', label: 'E-mail' }, { name: 'closeDate', type: 'date' },
      { name: 'number', type: 'autonumber', pattern: 'C-{0000}' }, { name: 'salary', type: 'integer' }, { name: 'cv', type: 'file' },
    ],
    permissions: { read: true, create: true, update: true, delete: true, fields: { salary: 'hidden' } },
  } as unknown as Entity;

  it('matches by name or label, ignoring case, spaces and punctuation, and skips what cannot be filled', () => {
    const header = ['First name', 'Last Name', 'e-mail', 'close_date', 'Number', 'Salary', 'CV', 'Shoe size'];
    expect(autoMap(header, targetsOf(entity))).toEqual(['name.first', 'name.last', 'email', 'closeDate', '', '', '', '']);
  });

  it('fills a field once', () => {
    expect(autoMap(['Email', 'E-mail'], targetsOf(entity))).toEqual(['email', '']);
  });
});
