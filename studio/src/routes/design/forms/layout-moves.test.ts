import { describe, expect, it } from 'vitest';
import type { Form, FormItem } from '../../../lib/api/types.ts';
import { errorsUnder, moveItem, shift, stepTarget, withoutBlanks } from './layout-moves.ts';

const f = (field: string): FormItem => ({ kind: 'field', field });
/** Two tabs: [a b c | d] and [e]. */
const layout = (): Form['tabs'] => [
  { label: 'One', sections: [{ columns: 2, items: [f('a'), f('b'), f('c')] }, { columns: 1, items: [f('d')] }] },
  { label: 'Two', sections: [{ columns: 1, items: [f('e')] }] },
];
const names = (tabs: Form['tabs']) => tabs.map((t) => t.sections.map((s) => s.items.map((i) => (i.kind === 'field' ? i.field : '?')).join('')).join('|'));

describe('moveItem', () => {
  it.each([
    ['down within a section (index counted before the move)', { t: 0, s: 0, i: 0 }, { t: 0, s: 0 }, 2, ['bac|d', 'e'], { t: 0, s: 0, i: 1 }],
    ['up within a section', { t: 0, s: 0, i: 2 }, { t: 0, s: 0 }, 0, ['cab|d', 'e'], { t: 0, s: 0, i: 0 }],
    ['to the end of another section', { t: 0, s: 0, i: 1 }, { t: 0, s: 1 }, undefined, ['ac|db', 'e'], { t: 0, s: 1, i: 1 }],
    ['before an item on another tab', { t: 0, s: 1, i: 0 }, { t: 1, s: 0 }, 0, ['abc|', 'de'], { t: 1, s: 0, i: 0 }],
    ['past the end is the end', { t: 1, s: 0, i: 0 }, { t: 0, s: 0 }, 99, ['abce|d', ''], { t: 0, s: 0, i: 3 }],
  ])('%s', (_name, from, to, at, expected, landed) => {
    const tabs = layout();
    expect(moveItem(tabs, from, to, at)).toEqual(landed);
    expect(names(tabs)).toEqual(expected);
  });

  it('leaves the layout alone for a place that does not exist', () => {
    const tabs = layout();
    expect(moveItem(tabs, { t: 0, s: 0, i: 5 }, { t: 0, s: 1 })).toBeNull();
    expect(moveItem(tabs, { t: 0, s: 0, i: 0 }, { t: 3, s: 0 })).toBeNull();
    expect(names(tabs)).toEqual(['abc|d', 'e']);
  });
});

describe('stepTarget', () => {
  it.each([
    ['down inside the section', { t: 0, s: 0, i: 0 }, 1, { to: { t: 0, s: 0 }, at: 2 }, ['bac|d', 'e']],
    ['up inside the section', { t: 0, s: 0, i: 1 }, -1, { to: { t: 0, s: 0 }, at: 0 }, ['bac|d', 'e']],
    ['down past the last item: first of the next section', { t: 0, s: 0, i: 2 }, 1, { to: { t: 0, s: 1 }, at: 0 }, ['ab|cd', 'e']],
    ['up past the first item: last of the previous section', { t: 0, s: 1, i: 0 }, -1, { to: { t: 0, s: 0 }, at: 3 }, ['abcd|', 'e']],
  ] as const)('%s', (_name, p, by, target, expected) => {
    const tabs = layout();
    const next = stepTarget(tabs, p, by);
    expect(next).toEqual(target);
    moveItem(tabs, p, next!.to, next!.at);
    expect(names(tabs)).toEqual(expected);
  });

  it('stops at the edges of the tab', () => {
    expect(stepTarget(layout(), { t: 0, s: 0, i: 0 }, -1)).toBeNull();
    expect(stepTarget(layout(), { t: 1, s: 0, i: 0 }, 1)).toBeNull();
  });
});

describe('shift', () => {
  it('moves by one place and refuses to go past an edge', () => {
    const list = ['x', 'y', 'z'];
    expect(shift(list, 0, 1)).toBe(1);
    expect(list).toEqual(['y', 'x', 'z']);
    expect(shift(list, 0, -1)).toBeNull();
    expect(shift(list, 2, 1)).toBeNull();
    expect(list).toEqual(['y', 'x', 'z']);
  });
});

describe('errorsUnder', () => {
  const errors = [
    { pointer: '/tabs/0/label', detail: 'tab' },
    { pointer: '/tabs/0/sections/1/label', detail: 'section' },
    { pointer: '/tabs/0/sections/1/items/2/field', detail: 'item' },
    { pointer: '/tabs/0/sections/10/items/0/field', detail: 'other section' },
  ];
  it('keeps what points at a place or under it, and can leave out its children', () => {
    expect(errorsUnder(errors, '/tabs/0/sections/1').map((e) => e.detail)).toEqual(['section', 'item']);
    expect(errorsUnder(errors, '/tabs/0/sections/1', 'items').map((e) => e.detail)).toEqual(['section']);
    expect(errorsUnder(errors, '/tabs/0', 'sections').map((e) => e.detail)).toEqual(['tab']);
    expect(errorsUnder(errors, '/tabs/0/sections/1/items/2').map((e) => e.detail)).toEqual(['item']);
  });
});

describe('withoutBlanks', () => {
  it('drops an emptied help text or related-list title, keeps the rest', () => {
    expect(withoutBlanks({ kind: 'field', field: 'a', helpText: '  ' })).toEqual({ kind: 'field', field: 'a' });
    expect(withoutBlanks({ kind: 'field', field: 'a', helpText: 'Why' })).toEqual({ kind: 'field', field: 'a', helpText: 'Why' });
    expect(withoutBlanks({ kind: 'related', entity: 'note', via: 'contact', label: '', columns: ['subject'] })).toEqual({ kind: 'related', entity: 'note', via: 'contact', columns: ['subject'] });
  });
});
