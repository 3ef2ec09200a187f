/**
 * The list screen's view (issue 8): the saved views of an entity, the one chosen, and the working
 * copy the user edits (columns, filter, sort, grouping, layout) until they save it or save it as
 * a new view. Switching views is part of the address (?view=id), so a view can be linked.
 */
import { viewsApi } from '../api/views.ts';
import type { Entity, View } from '../api/types.ts';
import { readFilter, writeFilter, type Filter } from '../../routes/views/filter-model.ts';

const WIDE = new Set(['longText', 'richText', 'json', 'address', 'file', 'manyToMany']);

/** The view every entity has: a table of its first few narrow fields. */
export function defaultView(entity: Entity): View {
  const columns = entity.fields.filter((f) => !WIDE.has(f.type) && f.name !== entity.titleField && entity.permissions?.fields?.[f.name] !== 'hidden').slice(0, 5).map((f) => f.name);
  return { entity: entity.name, label: `All ${entity.pluralLabel.toLowerCase()}`, kind: 'table', columns: columns.length ? columns : [entity.titleField ?? entity.fields[0]!.name], shared: false };
}

const comparable = (v: View, f: Filter | null) => JSON.stringify([v.kind, v.columns, v.sort ?? '', v.groupBy ?? '', v.kanbanField ?? '', v.dateField ?? '', f ? writeFilter(f) ?? null : v.filter ?? null]);

export class ListView {
  views = $state<View[]>([]);
  id = $state('');
  draft = $state<View>() as View;
  /** The filter rows; null when the saved filter has a shape they cannot show (kept as it is). */
  rows = $state<Filter | null>({ match: 'and', rows: [] });
  error = $state('');
  /** False while a view named in the address is being fetched: the list waits for it rather than load twice. */
  ready = $state(false);
  private saved: View;

  constructor(private readonly entity: Entity, id: string) {
    this.saved = defaultView(entity);
    this.id = id;
    this.ready = id === '';
    this.use(this.saved);
  }

  get chosen(): View | undefined {
    return this.views.find((v) => v._id === this.id);
  }
  get filter(): unknown {
    return this.rows ? writeFilter(this.rows) : this.draft.filter;
  }
  get dirty(): boolean {
    return comparable(this.draft, this.rows) !== comparable(this.saved, readFilter(this.saved.filter));
  }

  async load(): Promise<void> {
    try {
      this.views = await viewsApi.list(this.entity.name);
    } catch {
      this.views = [];
    }
    // With no view named, the working copy stays as it is (the user may have started changing it).
    if (this.id) this.select(this.id);
    this.ready = true;
  }

  select(id: string): void {
    this.id = this.views.some((v) => v._id === id) ? id : '';
    this.saved = this.chosen ?? defaultView(this.entity);
    this.use(this.saved);
  }

  discard(): void {
    this.use(this.saved);
  }

  /** Saves the working copy: over the chosen view, or as a new one when `label` is given. */
  async save(label?: string, shared = false): Promise<boolean> {
    const body: View = { ...this.draft, filter: this.filter as View['filter'], ...(label ? { label, shared } : {}) };
    if (body.filter === undefined) delete body.filter;
    for (const key of ['sort', 'groupBy', 'kanbanField', 'dateField'] as const) if (!body[key]) delete body[key];
    this.error = '';
    try {
      const view = label || !this.chosen ? await viewsApi.create(this.entity.name, body) : await viewsApi.replace(this.entity.name, this.id, body);
      this.views = [...this.views.filter((v) => v._id !== view._id), view].sort((a, b) => a.label.localeCompare(b.label));
      this.id = view._id!;
      this.saved = view;
      this.use(view);
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    }
  }

  async remove(): Promise<void> {
    if (!this.chosen) return;
    await viewsApi.remove(this.entity.name, this.id);
    this.views = this.views.filter((v) => v._id !== this.id);
    this.select('');
  }

  private use(view: View): void {
    this.draft = structuredClone($state.snapshot(view)) as View;
    this.rows = readFilter(view.filter);
  }
}
