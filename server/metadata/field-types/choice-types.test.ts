import { describe, expect, it } from 'vitest';
import { checkValue, details, storedValue } from './check-value.test-support.ts';
import { multiSelectType, selectType } from './choice-types.ts';
import type { Field, Options } from '../entity.types.ts';

const options: Options = [
  { value: 'new', label: 'New' },
  { value: 'won', label: 'Won' },
  { value: 'lost', label: 'Lost', retired: false },
  { value: 'stale', label: 'Stale', retired: true },
];
const stage: Field = { name: 'stage', type: 'select', options };
const tags: Field = { name: 'tags', type: 'multiSelect', options };
const twoTags: Field = { name: 'tags', type: 'multiSelect', options, maxItems: 2 };

describe('select', () => {
  it.each(['new', 'won', 'lost'])('accepts the option %s', (value) => {
    expect(storedValue(checkValue(selectType, stage, value))).toBe(value);
  });

  it.each([
    ['stale', ['"stale" is a retired option and cannot be chosen for new values']],
    ['open', ['must be equal to one of the allowed values']],
    ['New', ['must be equal to one of the allowed values']],
    ['', ['must be equal to one of the allowed values']],
    [1, ['must be string', 'must be equal to one of the allowed values']],
  ])('rejects %j', (value, expected) => {
    expect(details(checkValue(selectType, stage, value))).toEqual(expected);
  });

  it('still reads back a retired value, and nulls unknown or garbage values', () => {
    expect(selectType.toApi(storedValue(checkValue(selectType, stage, 'won')), stage)).toBe('won');
    expect(selectType.toApi('stale', stage)).toBe('stale');
    for (const garbage of ['deleted', 3, null, undefined, ['won'], {}]) expect(selectType.toApi(garbage, stage)).toBeNull();
  });

  it('casts any option, retired ones included, so old records stay findable', () => {
    expect(selectType.castOperand('stale', stage)).toEqual({ ok: true, value: 'stale' });
    expect(selectType.castOperand('won', stage)).toEqual({ ok: true, value: 'won' });
    expect(details(selectType.castOperand('open', stage))).toEqual(['"open" is not an option of this field']);
    expect(selectType.castOperand(1, stage).ok).toBe(false);
  });

  it('sorts by value', () => {
    expect(selectType.sortSuffix).toBe('');
  });
});

describe('multiSelect', () => {
  it.each([[[]], [['new']], [['won', 'new', 'lost']]])('accepts %j', (value) => {
    expect(storedValue(checkValue(multiSelectType, tags, value))).toEqual(value);
  });

  it.each([
    [tags, ['new', 'stale'], ['/1: "stale" is a retired option and cannot be chosen for new values']],
    [tags, ['new', 'new'], ['must NOT have duplicate items (items ## 1 and 0 are identical)']],
    [tags, ['new', 'open'], ['/1: must be equal to one of the allowed values']],
    [tags, 'new', ['must be array']],
    [twoTags, ['new', 'won', 'lost'], ['must NOT have more than 2 items']],
  ])('rejects %j %j', (field, value, expected) => {
    expect(details(checkValue(multiSelectType, field, value))).toEqual(expected);
  });

  it('refuses duplicates and unknown values even without the schema', () => {
    expect(details(multiSelectType.toStored(['won', 'won', 'x'], tags))).toEqual(["/2: must be one of the field's options", 'must not repeat a value']);
  });

  it('reads back retired values, drops garbage elements, nulls non-arrays', () => {
    expect(multiSelectType.toApi(storedValue(checkValue(multiSelectType, tags, ['won', 'new'])), tags)).toEqual(['won', 'new']);
    expect(multiSelectType.toApi(['stale', 'deleted', 7, null, 'won'], tags)).toEqual(['stale', 'won']);
    for (const garbage of ['won', null, undefined, {}]) expect(multiSelectType.toApi(garbage, tags)).toBeNull();
  });

  it('casts each element to an option value, retired ones included', () => {
    expect(multiSelectType.castOperand('stale', tags)).toEqual({ ok: true, value: 'stale' });
    expect(multiSelectType.castOperand('open', tags).ok).toBe(false);
    expect(multiSelectType.castOperand(['won'], tags).ok).toBe(false);
    expect(multiSelectType.sortSuffix).toBeNull();
  });
});
