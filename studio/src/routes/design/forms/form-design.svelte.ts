/**
 * One form being designed (issue 8): the layout, the selected item, and every move the canvas
 * offers — by drag and drop and by buttons/keys alike, so both end in the same few functions.
 * Server errors are kept by JSON Pointer (/tabs/0/sections/1/items/2/field) and read back per
 * tab, section and item, so each lands where it points.
 */
import type { Entity, Form, FormItem, FormSection } from '../../../lib/api/types.ts';
import type { FieldError } from '../../../lib/api/problem.ts';

export type ItemPath = { t: number; s: number; i: number };
export type SectionPath = { t: number; s: number };
export type FormSettings = Pick<Form, 'label' | 'roles' | 'order'>;

export const itemPointer = (p: ItemPath) => `/tabs/${p.t}/sections/${p.s}/items/${p.i}`;
export const sectionPointer = (p: SectionPath) => `/tabs/${p.t}/sections/${p.s}`;
const samePlace = (a: ItemPath | null, b: ItemPath) => !!a && a.t === b.t && a.s === b.s && a.i === b.i;
const json = (v: unknown) => JSON.stringify(v);

/** A key telling palette entries and placed items apart: a field once, a related list once per relation. */
export const itemKey = (item: FormItem): string =>
  item.kind === 'field' ? `field:${item.field}` : item.kind === 'related' ? `related:${item.entity}.${item.via}` : 'text';

export const newSection = (): FormSection => ({ label: 'Section', columns: 2, items: [] });

export class FormDesign {
  form = $state<Form>({ name: '', label: '', entity: '', tabs: [] });
  selected = $state<ItemPath | null>(null);
  tab = $state(0);
  /** The section the palette adds to when no item is selected. */
  aim = $state<SectionPath | null>(null);
  errors = $state<FieldError[]>([]);
  /** What is being dragged: a palette entry (item) or a placed item (from). */
  drag = $state<{ item?: FormItem; from?: ItemPath } | null>(null);
  private savedJson = $state('');
  /** Kept current by the designer: a saved required rule changes the entity. */
  entity = $state.raw<Entity>() as Entity;

  constructor(entity: Entity, form: Form) {
    this.entity = entity;
    this.form = $state.snapshot(form);
    if (!this.form.tabs.length) this.form.tabs = [{ label: 'Details', sections: [newSection()] }];
    this.savedJson = json(this.form);
  }

  get dirty(): boolean {
    return json(this.form) !== this.savedJson;
  }
  markSaved(form: Form): void {
    this.form = $state.snapshot({ ...this.form, ...form, tabs: form.tabs });
    this.savedJson = json(this.form);
    this.errors = [];
  }

  /** The keys of what is already on the form (a field appears once). */
  get placed(): Set<string> {
    return new Set(this.form.tabs.flatMap((t) => t.sections.flatMap((s) => s.items.map(itemKey))));
  }
  item(p: ItemPath): FormItem | undefined {
    return this.form.tabs[p.t]?.sections[p.s]?.items[p.i];
  }
  isSelected(p: ItemPath): boolean {
    return samePlace(this.selected, p);
  }

  /** Errors whose pointer is `prefix` or under it, except those under `prefix/below/` (a section's own, not its items'). */
  errorsAt(prefix: string, below?: string): FieldError[] {
    return this.errors.filter((e) => (e.pointer === prefix || e.pointer.startsWith(`${prefix}/`)) && !(below && e.pointer.startsWith(`${prefix}/${below}/`)));
  }
  /** Errors pointing at no tab (the label, roles, the whole body). */
  get formErrors(): FieldError[] {
    return this.errors.filter((e) => !e.pointer.startsWith('/tabs/'));
  }

  /** Where a palette click adds: the selected item's section, else the shown tab's last section. */
  get target(): SectionPath {
    if (this.selected && this.selected.t === this.tab) return { t: this.selected.t, s: this.selected.s };
    if (this.aim && this.aim.t === this.tab && this.form.tabs[this.tab]?.sections[this.aim.s]) return this.aim;
    return { t: this.tab, s: Math.max(0, (this.form.tabs[this.tab]?.sections.length ?? 1) - 1) };
  }

  add(item: FormItem, to: SectionPath = this.target, at?: number): void {
    const tab = this.form.tabs[to.t]!;
    if (!tab.sections.length) tab.sections.push(newSection());
    const items = this.form.tabs[to.t]!.sections[to.s]!.items;
    const i = at ?? items.length;
    items.splice(i, 0, $state.snapshot(item));
    this.select({ ...to, i });
  }

  /** Moves an item to a section at an index (counted before the move). */
  move(from: ItemPath, to: SectionPath, at?: number): void {
    const source = this.form.tabs[from.t]!.sections[from.s]!.items;
    const target = this.form.tabs[to.t]!.sections[to.s]!.items;
    let i = at ?? target.length;
    const [item] = source.splice(from.i, 1);
    if (!item) return;
    if (source === target && from.i < i) i--;
    target.splice(i, 0, item);
    this.select({ ...to, i });
  }

  /** Drops what is being dragged into a section, before item `at` (or at the end). */
  drop(to: SectionPath, at?: number): void {
    const drag = this.drag;
    this.drag = null;
    if (drag?.from) this.move(drag.from, to, at);
    else if (drag?.item) this.add(drag.item, to, at);
  }

  /** Up or down by one: past a section's edge it goes to the end/start of the neighbouring section. */
  step(p: ItemPath, by: -1 | 1): void {
    const sections = this.form.tabs[p.t]!.sections;
    const items = sections[p.s]!.items;
    const i = p.i + by;
    if (i >= 0 && i < items.length) return this.move(p, p, by > 0 ? i + 1 : i);
    const s = p.s + by;
    if (s < 0 || s >= sections.length) return;
    this.move(p, { t: p.t, s }, by > 0 ? 0 : sections[s]!.items.length);
  }

  remove(p: ItemPath): void {
    this.form.tabs[p.t]!.sections[p.s]!.items.splice(p.i, 1);
    this.selected = null;
  }

  aimAt(p: SectionPath): void {
    this.selected = null;
    this.aim = p;
  }
  isTarget(p: SectionPath): boolean {
    const t = this.target;
    return t.t === p.t && t.s === p.s;
  }

  select(p: ItemPath | null): void {
    this.selected = p;
    if (p) this.tab = p.t;
  }

  addTab(): void {
    this.form.tabs.push({ label: `Tab ${this.form.tabs.length + 1}`, sections: [newSection()] });
    this.tab = this.form.tabs.length - 1;
    this.selected = null;
  }
  removeTab(t: number): void {
    this.form.tabs.splice(t, 1);
    this.tab = Math.min(this.tab, this.form.tabs.length - 1);
    this.selected = null;
  }
  moveTab(t: number, by: -1 | 1): void {
    const to = t + by;
    if (to < 0 || to >= this.form.tabs.length) return;
    const [tab] = this.form.tabs.splice(t, 1);
    this.form.tabs.splice(to, 0, tab!);
    this.tab = to;
    this.selected = null;
  }

  addSection(t: number): void {
    this.form.tabs[t]!.sections.push(newSection());
  }
  removeSection(p: SectionPath): void {
    this.form.tabs[p.t]!.sections.splice(p.s, 1);
    this.selected = null;
  }
  moveSection(p: SectionPath, by: -1 | 1): void {
    const sections = this.form.tabs[p.t]!.sections;
    const to = p.s + by;
    if (to < 0 || to >= sections.length) return;
    const [section] = sections.splice(p.s, 1);
    sections.splice(to, 0, section!);
    this.selected = null;
  }

  /** Every section as a place to move to, for the keyboard's "Move to" choice. */
  get places(): { path: SectionPath; label: string }[] {
    return this.form.tabs.flatMap((tab, t) => tab.sections.map((section, s) => ({ path: { t, s }, label: `${tab.label} › ${section.label || `Section ${s + 1}`}` })));
  }

  /** The body to PUT: settings and tabs; the name and entity come from the URL. */
  body(): Omit<Form, 'name' | 'entity'> {
    const { label, roles, order, tabs } = $state.snapshot(this.form);
    const cleaned = tabs.map((tab) => ({ ...tab, sections: tab.sections.map((section) => ({ ...section, items: section.items.map(withoutBlanks) })) }));
    return { label, ...(roles?.length ? { roles } : {}), ...(typeof order === 'number' ? { order } : {}), tabs: cleaned };
  }
}

/** An emptied help text or related-list title means "none": the field's own help text, the entity's plural label. */
function withoutBlanks(item: FormItem): FormItem {
  if (item.kind === 'field' && !item.helpText?.trim()) {
    const { helpText: _blank, ...rest } = item;
    return rest;
  }
  if (item.kind === 'related' && !item.label?.trim()) {
    const { label: _blank, ...rest } = item;
    return rest;
  }
  return item;
}
