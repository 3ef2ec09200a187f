/**
 * The form designer's moves as plain functions over a form layout (issue 8): drag and drop and the
 * keyboard's buttons end in the same few, so both behave alike, and they are tested without a browser.
 */
import type { FieldError } from '../../../lib/api/problem.ts';
import type { Form, FormItem, FormSection } from '../../../lib/api/types.ts';

export type ItemPath = { t: number; s: number; i: number };
export type SectionPath = { t: number; s: number };
type Tabs = Form['tabs'];

export const itemPointer = (p: ItemPath) => `/tabs/${p.t}/sections/${p.s}/items/${p.i}`;
export const sectionPointer = (p: SectionPath) => `/tabs/${p.t}/sections/${p.s}`;
export const newSection = (): FormSection => ({ label: 'Section', columns: 2, items: [] });

/** A key telling palette entries and placed items apart: a field once, a related list once per relation. */
export const itemKey = (item: FormItem): string =>
  item.kind === 'field' ? `field:${item.field}` : item.kind === 'related' ? `related:${item.entity}.${item.via}` : 'text';

/** Moves an item into a section before index `at` (counted before the move; the end when absent); where it landed. */
export function moveItem(tabs: Tabs, from: ItemPath, to: SectionPath, at?: number): ItemPath | null {
  const source = tabs[from.t]?.sections[from.s]?.items;
  const target = tabs[to.t]?.sections[to.s]?.items;
  if (!source || !target || from.i < 0 || from.i >= source.length) return null;
  let i = Math.min(at ?? target.length, target.length);
  const [item] = source.splice(from.i, 1);
  if (source === target && from.i < i) i--;
  target.splice(i, 0, item!);
  return { ...to, i };
}

/** Where one step up or down takes an item: past its section's edge, to the end or start of the neighbouring one; null at the tab's edge. */
export function stepTarget(tabs: Tabs, p: ItemPath, by: -1 | 1): { to: SectionPath; at: number } | null {
  const sections = tabs[p.t]?.sections ?? [];
  const i = p.i + by;
  if (i >= 0 && i < (sections[p.s]?.items.length ?? 0)) return { to: { t: p.t, s: p.s }, at: by > 0 ? i + 1 : i };
  const s = p.s + by;
  if (s < 0 || s >= sections.length) return null;
  return { to: { t: p.t, s }, at: by > 0 ? 0 : sections[s]!.items.length };
}

/** Moves list[from] by one place; the new index, or null at an edge. */
export function shift<T>(list: T[], from: number, by: -1 | 1): number | null {
  const to = from + by;
  if (from < 0 || from >= list.length || to < 0 || to >= list.length) return null;
  const [x] = list.splice(from, 1);
  list.splice(to, 0, x!);
  return to;
}

/** Errors at `prefix` or under it, except those under `prefix/below/` (a section's own, not its items'). */
export const errorsUnder = (errors: FieldError[], prefix: string, below?: string): FieldError[] =>
  errors.filter((e) => (e.pointer === prefix || e.pointer.startsWith(`${prefix}/`)) && !(below && e.pointer.startsWith(`${prefix}/${below}/`)));

/** An emptied help text or related-list title means "none": the field's own help text, the entity's plural label. */
export function withoutBlanks(item: FormItem): FormItem {
  if (item.kind === 'field' && item.helpText !== undefined && !item.helpText.trim()) {
    const { helpText: _blank, ...rest } = item;
    return rest;
  }
  if (item.kind === 'related' && item.label !== undefined && !item.label.trim()) {
    const { label: _blank, ...rest } = item;
    return rest;
  }
  return item;
}
