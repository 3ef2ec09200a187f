import { describe, expect, it } from 'vitest';
import { parseFields } from './projection.ts';
import { deal, invalidQueryFrom } from './query-fixtures.test-support.ts';

describe('parseFields', () => {
  it.each([
    [undefined, null],
    ['name,amount', ['_id', '_version', 'name', 'amount']],
    [' name , name,createdAt ', ['_id', '_version', 'name', 'createdAt']],
    ['_id', ['_id', '_version']],
    ['total,ownerId,_version', ['_id', '_version', 'total', 'ownerId']],
  ])('%j → %j', (fields, expected) => {
    expect(parseFields(deal, fields)).toEqual(expected);
  });

  it.each([
    ['nope,name,zip,nope', 'names unknown fields "nope", "zip" on deal'],
    ['address.city', 'names unknown field "address.city" on deal'],
    ['', 'has an empty name; write field names separated by commas, e.g. name,amount'],
    ['name,', 'has an empty name; write field names separated by commas, e.g. name,amount'],
  ])('rejects %j', (fields, detail) => {
    expect(invalidQueryFrom(() => parseFields(deal, fields)).errors).toEqual([{ pointer: '/fields', detail }]);
  });
});
