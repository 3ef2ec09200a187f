/** How a value of each field type reads in a list, a card or a read-only form cell. */
import type { Entity, Field } from '../../api/types.ts';

type Money = { amount: string; currency: string };
type Named = { display?: string; first?: string; last?: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The title of a record: what its entity's title template gave, else its title field, read as text. */
export function titleOf(entity: Entity | undefined, record: Record<string, unknown> | null | undefined): string {
  if (!record) return '';
  if (typeof record._title === 'string' && record._title) return record._title;
  const field = entity?.fields.find((f) => f.name === entity.titleField);
  const text = field ? formatValue(field, record[field.name]) : '';
  return text || String(record._id ?? '');
}

function optionLabel(field: Field, value: unknown): string {
  const options = 'options' in field ? (field.options as { value: string; label: string }[] | undefined) : undefined;
  return options?.find((o) => o.value === value)?.label ?? String(value);
}

export function formatValue(field: Field, value: unknown, target?: Entity): string {
  if (value === null || value === undefined || value === '') return '';
  switch (field.type) {
    case 'fullName':
      return isObject(value) ? String((value as Named).display ?? [value.first, value.last].filter(Boolean).join(' ')) : '';
    case 'address':
      return isObject(value) ? ['street', 'street2', 'city', 'region', 'postalCode', 'country'].map((k) => value[k]).filter(Boolean).join(', ') : '';
    case 'currency': {
      const m = value as Money;
      if (!isObject(value)) return '';
      const n = Number(m.amount);
      return Number.isFinite(n) ? new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(n) : `${m.amount} ${m.currency}`;
    }
    case 'percent':
      return `${String(value)}%`;
    case 'boolean':
      return value ? 'Yes' : 'No';
    case 'date':
      return new Date(`${String(value)}T00:00:00`).toLocaleDateString();
    case 'datetime':
      return new Date(String(value)).toLocaleString();
    case 'select':
      return optionLabel(field, value);
    case 'multiSelect':
      return Array.isArray(value) ? value.map((v) => optionLabel(field, v)).join(', ') : '';
    case 'rating':
      return '★'.repeat(Number(value));
    case 'relation':
    case 'user':
      return isObject(value) ? titleOf(target, value) : String(value);
    case 'manyToMany':
      return Array.isArray(value) ? value.map((v) => (isObject(v) ? titleOf(target, v) : String(v))).join(', ') : '';
    case 'file':
      return isObject(value) ? String(value.name ?? 'file') : '';
    case 'json':
      return JSON.stringify(value);
    default:
      return isObject(value) ? JSON.stringify(value) : String(value);
  }
}

/** Computed and system-filled types: shown, never edited. */
export const COMPUTED_TYPES = new Set(['formula', 'rollup', 'autonumber']);
export const isEditable = (field: Field, access?: string): boolean => !COMPUTED_TYPES.has(field.type) && !field.readOnly && access !== 'read';
export const labelOf = (field: Field): string => field.label ?? field.name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
