/**
 * Column mappings (issue 5): which CSV column fills which field, how a relation column finds its
 * target (by which field of the target), and which unique field an upsert matches existing
 * records on. Saved per entity and reused; or given with the import itself.
 */
import type { Db } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import { isClientWritable } from '../metadata/index.ts';
import type { EntityPermissions } from '../shared/actor.ts';
import type { FieldError } from '../shared/errors.ts';
import { importProblems } from './imports.problems.ts';

export type ColumnMapping = { field: string; match?: string };
export type Mapping = { columns: Record<string, ColumnMapping>; upsertBy?: string };

const MAX_COLUMNS = 500;
const MATCHABLE = new Set(['text', 'email', 'phone', 'url', 'autonumber', 'integer', 'select']);

/** Checks a mapping against the entity and the actor's field access; every problem at its pointer. */
export function checkMapping(body: unknown, entity: CompiledEntity, perms: EntityPermissions, lookup: (name: string) => CompiledEntity | undefined): Mapping {
  const errors: FieldError[] = [];
  const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as { columns?: unknown; upsertBy?: unknown };
  const columns = b.columns && typeof b.columns === 'object' && !Array.isArray(b.columns) ? (b.columns as Record<string, unknown>) : null;
  if (!columns || !Object.keys(columns).length) errors.push({ pointer: '/columns', detail: 'must map at least one CSV column to a field: {"Column": "field"}' });
  const mapped: Record<string, ColumnMapping> = {};
  for (const [header, raw] of Object.entries(columns ?? {}).slice(0, MAX_COLUMNS)) {
    const at = `/columns/${header.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const m: ColumnMapping | null = typeof raw === 'string' ? { field: raw } : raw && typeof raw === 'object' && typeof (raw as ColumnMapping).field === 'string' ? (raw as ColumnMapping) : null;
    const field = m ? entity.fields.get(m.field) : undefined;
    // A field the actor cannot see is, to them, no field at all.
    if (!m || !field || perms.fields[m.field] === 'hidden') {
      errors.push({ pointer: at, detail: `must name a field of ${entity.name}` });
      continue;
    }
    if (!isClientWritable(field) || perms.fields[m.field] === 'read') errors.push({ pointer: at, detail: `${m.field} cannot be imported into` });
    else if (field.type === 'relation') {
      const target = lookup(field.target);
      const matchField = m.match ? target?.fields.get(m.match) : undefined;
      if (m.match !== undefined && (!matchField || !MATCHABLE.has(matchField.type))) errors.push({ pointer: `${at}/match`, detail: `must name a text-like field of ${field.target}` });
    } else if (m.match !== undefined) errors.push({ pointer: `${at}/match`, detail: 'is only for relation columns' });
    else if (['file', 'manyToMany'].includes(field.type)) errors.push({ pointer: at, detail: `${field.type} fields cannot be imported from CSV` });
    mapped[header] = { field: m.field, ...(m.match ? { match: m.match } : {}) };
  }
  if (columns && Object.keys(columns).length > MAX_COLUMNS) errors.push({ pointer: '/columns', detail: `at most ${MAX_COLUMNS} columns` });
  let upsertBy: string | undefined;
  if (b.upsertBy !== undefined) {
    const field = typeof b.upsertBy === 'string' ? entity.fields.get(b.upsertBy) : undefined;
    if (!field?.unique) errors.push({ pointer: '/upsertBy', detail: `must name a unique field of ${entity.name}` });
    else if (!Object.values(mapped).some((m) => m.field === b.upsertBy)) errors.push({ pointer: '/upsertBy', detail: 'must be one of the mapped fields' });
    else upsertBy = b.upsertBy as string;
  }
  if (errors.length) throw importProblems.invalidMapping.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
  return { columns: mapped, ...(upsertBy ? { upsertBy } : {}) };
}

export function createMappingStore(db: Db) {
  const mappings = db.collection<{ _id: string; entity: string; name: string; mapping: Mapping; updatedAt: Date; updatedBy: string }>('import_mappings');
  return {
    save: (entity: string, name: string, mapping: Mapping, by: string) => mappings.replaceOne({ _id: `${entity}/${name}` }, { entity, name, mapping, updatedAt: new Date(), updatedBy: by }, { upsert: true }),
    get: async (entity: string, name: string) => (await mappings.findOne({ _id: `${entity}/${name}` }))?.mapping,
    list: (entity: string) => mappings.find({ entity }, { projection: { _id: 0 } }).sort({ name: 1 }).toArray(),
  };
}
