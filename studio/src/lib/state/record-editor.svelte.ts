/**
 * One record being viewed or edited: its form, the saved copy, the draft the inputs bind to, and
 * the server's verdict on a save (problem+json errors by field, landing on their inputs).
 */
import { recordsApi, ui } from '../api/endpoints.ts';
import { ApiError } from '../api/problem.ts';
import type { ApiRecord, Entity, Form } from '../api/types.ts';
import { defaultForm } from '../components/forms/conditions.ts';

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
/** Expanded relations are sent back as their id. */
const plain = (v: unknown): unknown => (typeof v === 'object' && v !== null && !Array.isArray(v) && '_id' in v ? (v as { _id: unknown })._id : v);

export class RecordEditor {
  form = $state<Form | null>(null);
  saved = $state<ApiRecord | null>(null);
  draft = $state<Record<string, unknown>>({});
  errors = $state<Record<string, string>>({});
  message = $state('');
  saving = $state(false);
  notFound = $state(false);
  readonly entity: Entity;
  readonly id: string | null;

  constructor(entity: Entity, id: string | null, prefill: Record<string, unknown> = {}) {
    this.entity = entity;
    this.id = id;
    this.draft = { ...prefill };
  }

  get changes(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this.draft)) if (!same(plain(v), plain(this.saved?.[k]))) out[k] = plain(v);
    return out;
  }
  get dirty(): boolean {
    return Object.keys(this.changes).length > 0;
  }

  async load(): Promise<void> {
    const form = ui.form(this.entity.name).catch((err: unknown) => {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return defaultForm(this.entity);
      throw err;
    });
    try {
      if (this.id) {
        this.saved = await recordsApi.get(this.entity.name, this.id, this.entity.fields.filter((f) => f.type === 'relation').map((f) => f.name));
        this.draft = { ...this.saved };
      }
      this.form = await form;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else this.message = (err as Error).message;
    }
  }

  /** Saves the changes; the new record on success, null when the server refused (errors are set). */
  async save(): Promise<ApiRecord | null> {
    this.saving = true;
    this.errors = {};
    this.message = '';
    try {
      const record = this.id ? await recordsApi.update(this.entity.name, this.id, this.changes, this.saved!._version) : await recordsApi.create(this.entity.name, this.changes);
      this.saved = record;
      this.draft = { ...record, ...this.expandedOf(record) };
      this.message = 'Saved';
      return record;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.errors = err.byField();
      const known = new Set(this.entity.fields.map((f) => f.name));
      // An error on no field of the form (a conflict, a hook's refusal) is said at the top.
      this.message = err.errors.length && Object.keys(this.errors).every((f) => known.has(f)) ? 'Please correct the highlighted fields.' : err.message;
      return null;
    } finally {
      this.saving = false;
    }
  }

  discard(): void {
    this.draft = { ...(this.saved ?? {}) };
    this.errors = {};
    this.message = '';
  }

  /** Keeps the expanded parents of the previous copy, so relation inputs still show titles. */
  private expandedOf(record: ApiRecord): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.entity.fields) {
      const before = this.draft[f.name];
      if (f.type === 'relation' && typeof before === 'object' && before !== null && plain(before) === record[f.name]) out[f.name] = before;
    }
    return out;
  }
}
