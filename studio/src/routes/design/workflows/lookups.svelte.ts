/** What the designer's pickers offer: users, roles and templates (loaded once), and the fields of an entity. */
import type { Entity, Field } from '../../../lib/api/types.ts';
import { directoryApi, type Person } from '../../../lib/api/workflows.ts';
import { labelOf } from '../../../lib/components/fields/format.ts';
import { session } from '../../../lib/state/session.svelte.ts';

class Lookups {
  users = $state<Person[]>([]);
  roles = $state<Array<{ name: string; label?: string }>>([]);
  templates = $state<Array<{ name: string; label?: string; kind?: string }>>([]);
  private loading: Promise<void> | null = null;

  load(): Promise<void> {
    this.loading ??= Promise.all([
      directoryApi.users().then((u) => (this.users = u.filter((x) => x.active)), () => undefined),
      directoryApi.roles().then((r) => (this.roles = r), () => undefined),
      directoryApi.templates().then((t) => (this.templates = t.filter((x) => !x.kind || x.kind === 'email')), () => undefined),
    ]).then(() => undefined);
    return this.loading;
  }

  userName(id: string): string {
    return this.users.find((u) => u.id === id)?.name ?? id;
  }
}

export const lookups = new Lookups();

export type FieldOption = { value: string; label: string };
export const optionsOf = (field: Field | undefined): FieldOption[] => (field && 'options' in field ? ((field.options as FieldOption[] | undefined) ?? []) : []);
export const fieldOf = (entity: Entity | undefined, name: unknown): Field | undefined => entity?.fields.find((f) => f.name === name);
export const entityOf = (name: unknown): Entity | undefined => (typeof name === 'string' ? session.entity(name) : undefined);
export const fieldLabel = (f: Field): string => `${labelOf(f)} (${f.type})`;

/** The fields a picker offers: of these types, and for a relation, one pointing at `relationTo`. */
export function pickableFields(entity: Entity | undefined, types?: string[], relationTo?: string): Field[] {
  return (entity?.fields ?? []).filter((f) => (!types || types.includes(f.type)) && (!relationTo || ('target' in f && f.target === relationTo)));
}

/** A typed value from what was typed, for the field it is compared with or written to. */
export function typedValue(field: Field | undefined, text: string): unknown {
  if (!field) return text;
  if (['integer', 'number', 'percent', 'rating'].includes(field.type) && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (field.type === 'boolean') return text === 'true';
  return text;
}
