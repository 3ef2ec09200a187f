/**
 * Stored documents → API records. Only fields of the current definition leave the server; data of
 * removed fields stays stored (it comes back if the field does) and internal fields never show.
 */
import { ObjectId, type Document } from 'mongodb';
import { AUDIT_FIELDS, fieldTypeOf, type CompiledEntity, type Field } from '../metadata/index.ts';

export type ApiRecord = Record<string, unknown> & { _id: string; _version: number };

const iso = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v ?? null);

export function toApiRecord(entity: CompiledEntity, doc: Document, only?: ReadonlySet<string> | null): ApiRecord {
  const out: ApiRecord = {
    _id: doc._id instanceof ObjectId ? doc._id.toHexString() : String(doc._id),
    _version: typeof doc._version === 'number' ? doc._version : 0,
  };
  for (const field of entity.definition.fields) {
    if (only && !only.has(field.name)) continue;
    const stored = doc[field.name];
    out[field.name] = stored === undefined ? defaultOutput(field) : fieldTypeOf(field).toApi(stored, field);
  }
  for (const name of AUDIT_FIELDS) {
    if (!only || only.has(name)) out[name] = iso(doc[name]);
  }
  return out;
}

function defaultOutput(field: Field): unknown {
  return field.type === 'multiSelect' || field.type === 'manyToMany' ? [] : null;
}

/**
 * A stored value as formulas see it: numbers for money, plain strings for names and choices,
 * hex strings for ids. Formulas compute in numbers (documented: use currency fields for exact money).
 */
export function formulaValue(field: Field, stored: unknown): unknown {
  if (stored === undefined || stored === null) return null;
  switch (field.type) {
    case 'currency': {
      const api = fieldTypeOf(field).toApi(stored, field) as { amount?: string } | null;
      return api?.amount !== undefined ? Number(api.amount) : null;
    }
    case 'fullName':
      return (stored as { display?: unknown }).display ?? null;
    case 'relation':
    case 'user':
      return stored instanceof ObjectId ? stored.toHexString() : null;
    case 'multiSelect':
      return Array.isArray(stored) ? stored.join(', ') : null;
    case 'address':
      return Object.values(stored as object).filter((v) => typeof v === 'string').join(', ');
    case 'manyToMany':
    case 'file':
    case 'json':
      return null;
    default:
      return stored;
  }
}
