/**
 * One form being designed (issue 8): the layout, the selected item, and every move the canvas
 * offers — by drag and drop and by buttons/keys alike, so both end in the same few functions.
 * Server errors are kept by JSON Pointer (/tabs/0/sections/1/items/2/field) and read back per
 * tab, section and item, so each lands where it points.
 */
import type { Entity, Form, FormItem } from '../../../lib/api/types.ts';
import type { FieldError } from '../../../lib/api/problem.ts';
import { errorsUnder, itemKey, moveItem, newSection, shift, stepTarget, withoutBlanks, type ItemPath, type SectionPath } from './layout-moves.ts';

export { itemKey, itemPointer, sectionPointer, type ItemPath, type SectionPath } from './layout-moves.ts';

const samePlace = (a: ItemPath | null, b: ItemPath) => !!a && a.t === b.t && a.s === b.s && a.i === b.i;
const json = (v: unknown) => JSON.stringify(v);

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

  /** Errors at `prefix` or under it, except those under `prefix/below/`. */
  errorsAt(prefix: string, below?: string): FieldError[] {
    return errorsUnder(this.errors, prefix, below);
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

  /** Moves an item to a section before index `at` (counted before the move). */
  move(from: ItemPath, to: SectionPath, at?: number): void {
    const landed = moveItem(this.form.tabs, from, to, at);
    if (landed) this.select(landed);
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
    const next = stepTarget(this.form.tabs, p, by);
    if (next) this.move(p, next.to, next.at);
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
    const to = shift(this.form.tabs, t, by);
    if (to === null) return;
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
    if (shift(this.form.tabs[p.t]!.sections, p.s, by) !== null) this.selected = null;
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

