import { describe, expect, it } from 'vitest';
import { parseSort } from './sort.ts';
import { deal, invalidQueryFrom } from './query-fixtures.test-support.ts';

describe('parseSort', () => {
  it.each([
    [undefined, [['createdAt', -1], ['_id', -1]]],
    ['', [['createdAt', -1], ['_id', -1]]],
    ['name', [['name', 1], ['_id', 1]]],
    ['-amount,name', [['amount.units', -1], ['name', 1], ['_id', 1]]],
    [' name , -seats ', [['name', 1], ['seats', -1], ['_id', -1]]],
    ['person', [['person.last', 1], ['_id', 1]]],
    ['-address.city,closeDate', [['address.city', -1], ['closeDate', 1], ['_id', 1]]],
    ['weighted,ref,status,won', [['weighted', 1], ['ref', 1], ['status', 1], ['won', 1], ['_id', 1]]],
    ['-updatedAt', [['updatedAt', -1], ['_id', -1]]],
    ['-_id', [['_id', -1]]],
    ['name,_id,seats', [['name', 1], ['_id', 1]]],
  ])('%j → %j', (sort, expected) => {
    expect(parseSort(deal, sort)).toEqual(expected);
  });

  it.each([
    ['nope', 'unknown field "nope" on deal'],
    ['-nope', 'unknown field "nope" on deal'],
    ['tags', 'tags (multiSelect) cannot be sorted'],
    ['contacts', 'contacts (manyToMany) cannot be sorted'],
    ['total', 'total (rollup) cannot be sorted'],
    ['notes', 'notes (longText) cannot be sorted'],
    ['address', 'address (address) cannot be sorted'],
    ['name,,seats', 'has an empty key'],
    ['-', 'has an empty key'],
    ['name,-name', 'sorts on "name" more than once'],
    ['name,seats,score,won,ref', 'has 5 keys; at most 4 are allowed'],
  ])('rejects %j', (sort, detail) => {
    const problem = invalidQueryFrom(() => parseSort(deal, sort));
    expect(problem.errors).toContainEqual({ pointer: '/sort', detail: expect.stringContaining(detail) });
  });

  it('lists every bad key', () => {
    expect(invalidQueryFrom(() => parseSort(deal, 'nope,tags')).errors).toHaveLength(2);
  });
});
