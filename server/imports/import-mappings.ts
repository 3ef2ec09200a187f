/**
 * Column mappings (issue 5): which CSV column fills which field (or which part of an address or a
 * full name), how a relation column finds its target (by which field of the target), and how rows
 * meet existing records (create only, upsert or update by a unique field). Checked against the
 * entity and the actor's field permissions every time one is saved or used; saved per entity and
 * reused. Stored as a list, so headers such as "a.b", "$x" or "__proto__" are just text.
 */
import type { Db } from 'mongodb';
import { isClientWritable, SYSTEM_FIELDS, type CompiledEntity, type Field } from '../metadata/index.ts';
import type { Actor, EntityPermissions } from '../shared/actor.ts';
import { pointerToken, type FieldError } from '../shared/errors.ts';
import type { DateOrder } from './coerce-text.ts';
import { importProblems } from './imports.problems.ts';

export type ColumnMapping = { column: string; field: string; part?: string; match?: string };
export type ImportMode = 'create' | 'upsert' | 'update';
export type Mapping = { columns: ColumnMapping[]; mode: ImportMode; upsertBy?: string; dateOrder: DateOrder; delimiter: string };
export type MappingScope = { entity: CompiledEntity; perms: EntityPermissions; actor: Actor; lookup: (name: string) => CompiledEntity | undefined };

export const MAX_COLUMNS = 500;
const MAX_HEADER = 200;
const DELIMITERS = [',', ';', '\t', '|'];
const PARTS: Partial<Record<Field['type'], readonly string[]>> = {
  address: ['street', 'street2', 'city', 'region', 'postalCode', 'country'],
  fullName: ['salutation', 'first', 'middle', 'last', 'suffix'],
};
/** Target fields a relation column may name its records by. */
const MATCHABLE = new Set<Field['type']>(['text', 'email', 'phone', 'url', 'autonumber', 'integer', 'select']);
const NOT_FROM_CSV = new Set<Field['type']>(['file', 'manyToMany']);
const SYSTEM = new Set<string>(SYSTEM_FIELDS);
const SPEC_KEYS = new Set(['field', 'part', 'match', 'column']);

type Errors = FieldError[];
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `{"Header": "field" | "field.part" | {field, part?, match?}}` or `[{column, field, ...}]` → a list. */
function readColumns(raw: unknown, errors: Errors): Array<{ at: string; spec: unknown; column: string }> {
  const list = Array.isArray(raw)
    ? raw.map((c, i) => ({ at: `/columns/${i}`, spec: c, column: isObject(c) && typeof c.column === 'string' ? c.column : '' }))
    : isObject(raw) ? Object.entries(raw).map(([column, spec]) => ({ at: `/columns/${pointerToken(column)}`, spec, column })) : null;
  if (!list || !list.length) errors.push({ pointer: '/columns', detail: 'must map at least one CSV column to a field: {"Column": "field"}' });
  else if (list.length > MAX_COLUMNS) errors.push({ pointer: '/columns', detail: `must map at most ${MAX_COLUMNS} columns` });
  return (list ?? []).slice(0, MAX_COLUMNS);
}

function specOf(spec: unknown): { field: string; part?: string; match?: string } | null {
  if (typeof spec === 'string') {
    const [field, part, ...more] = spec.split('.');
    return more.length || !field ? null : { field, ...(part !== undefined ? { part } : {}) };
  }
  if (!isObject(spec) || typeof spec.field !== 'string' || Object.keys(spec).some((k) => !SPEC_KEYS.has(k))) return null;
  if ((spec.part !== undefined && typeof spec.part !== 'string') || (spec.match !== undefined && typeof spec.match !== 'string')) return null;
  return { field: spec.field, ...(spec.part !== undefined ? { part: spec.part } : {}), ...(spec.match !== undefined ? { match: spec.match } : {}) };
}

/** Why this field cannot take a column, or null. A field the actor cannot see is, to them, no field at all. */
function fieldProblem(s: MappingScope, name: string): string | null {
  const field = s.entity.fields.get(name);
  if (SYSTEM.has(name)) return 'is set by the server';
  if (!field || s.perms.fields[name] === 'hidden') return `must name a field of ${s.entity.name}`;
  if (!isClientWritable(field) || s.perms.fields[name] === 'read') return `${name} cannot be imported into`;
  if (NOT_FROM_CSV.has(field.type)) return `${field.type} fields cannot be imported from CSV`;
  if (s.entity.locked.has(name)) return `${name} is being converted to another type; import into it when that has finished`;
  return null;
}

/** A relation column's target and match field, seen through the actor's permissions on the target. */
function matchProblem(s: MappingScope, field: Field, match: string | undefined): string | null {
  if (field.type !== 'relation') return match === undefined ? null : 'is only for relation columns';
  const target = s.lookup(field.target);
  const perms = target && s.actor.permissions(target.name);
  if (!target || !perms?.operations.read) return `cannot be matched: you cannot read ${field.target} records`;
  if (match === undefined) return null;
  const by = target.fields.get(match);
  // A hidden field of the target must not become a way to probe its values.
  if (!by || perms.fields[match] === 'hidden' || !MATCHABLE.has(by.type)) return `must name a text-like field of ${field.target}`;
  return null;
}

function checkColumn(s: MappingScope, c: { at: string; spec: unknown; column: string }, errors: Errors): ColumnMapping | null {
  const spec = specOf(c.spec);
  if (!c.column.trim() || c.column.length > MAX_HEADER) errors.push({ pointer: c.at, detail: `the column name must have 1 to ${MAX_HEADER} characters` });
  else if (!spec) errors.push({ pointer: c.at, detail: 'must be a field name, "field.part" or {"field": ..., "match": ...}' });
  else {
    const problem = fieldProblem(s, spec.field);
    const field = s.entity.fields.get(spec.field);
    if (problem || !field) errors.push({ pointer: c.at, detail: problem ?? 'is not a field' });
    else if (spec.part !== undefined && !PARTS[field.type]?.includes(spec.part)) errors.push({ pointer: c.at, detail: PARTS[field.type] ? `${spec.field} has the parts ${PARTS[field.type]!.join(', ')}` : `${spec.field} has no parts` });
    else {
      const bad = matchProblem(s, field, spec.match);
      if (bad) errors.push({ pointer: spec.match === undefined ? c.at : `${c.at}/match`, detail: bad });
      else return { column: c.column.trim(), ...spec };
    }
  }
  return null;
}

/** Two columns for one field (or one part of it) would be a guess about which wins. */
function checkOverlaps(columns: ColumnMapping[], errors: Errors): void {
  const byField = new Map<string, ColumnMapping[]>();
  for (const c of columns) byField.set(c.field, [...(byField.get(c.field) ?? []), c]);
  for (const [field, list] of byField) {
    const whole = list.filter((c) => c.part === undefined);
    const parts = list.map((c) => c.part).filter((p) => p !== undefined);
    if (whole.length > 1 || (whole.length && parts.length) || new Set(parts).size < parts.length) errors.push({ pointer: `/columns/${pointerToken(list[1]!.column)}`, detail: `${field} is already filled by column "${list[0]!.column}"` });
  }
  const headers = new Set<string>();
  for (const c of columns) {
    if (headers.has(c.column)) errors.push({ pointer: '/columns', detail: `the column "${c.column}" is mapped twice` });
    headers.add(c.column);
  }
}

function checkMode(s: MappingScope, b: Record<string, unknown>, columns: ColumnMapping[], errors: Errors): Pick<Mapping, 'mode' | 'upsertBy'> {
  const mode = b.mode ?? (b.upsertBy !== undefined ? 'upsert' : 'create');
  if (mode !== 'create' && mode !== 'upsert' && mode !== 'update') {
    errors.push({ pointer: '/mode', detail: 'must be create, upsert or update' });
    return { mode: 'create' };
  }
  if (mode === 'create') {
    if (b.upsertBy !== undefined) errors.push({ pointer: '/upsertBy', detail: 'is only for the upsert and update modes' });
    return { mode };
  }
  const field = typeof b.upsertBy === 'string' ? s.entity.fields.get(b.upsertBy) : undefined;
  if (!field?.unique || s.perms.fields[field.name] === 'hidden') errors.push({ pointer: '/upsertBy', detail: `must name a unique field of ${s.entity.name} (${mode} matches existing records by it)` });
  else if (!columns.some((c) => c.field === field.name && c.part === undefined)) errors.push({ pointer: '/upsertBy', detail: 'must be one of the mapped fields' });
  return { mode, ...(field ? { upsertBy: field.name } : {}) };
}

/** Checks a mapping against the entity and the actor's access; every problem at its pointer (422). */
export function checkMapping(body: unknown, s: MappingScope): Mapping {
  const errors: Errors = [];
  const b = isObject(body) ? body : {};
  const columns = readColumns(b.columns, errors).map((c) => checkColumn(s, c, errors)).filter((c): c is ColumnMapping => c !== null);
  checkOverlaps(columns, errors);
  const mode = checkMode(s, b, columns, errors);
  const dateOrder = b.dateOrder ?? 'dmy';
  if (dateOrder !== 'dmy' && dateOrder !== 'mdy') errors.push({ pointer: '/dateOrder', detail: 'must be dmy (31/12/2026) or mdy (12/31/2026)' });
  const delimiter = b.delimiter ?? ',';
  if (typeof delimiter !== 'string' || !DELIMITERS.includes(delimiter)) errors.push({ pointer: '/delimiter', detail: 'must be one of , ; | or a tab' });
  if (errors.length) throw importProblems.invalidMapping.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, errors });
  return { columns, ...mode, dateOrder: dateOrder as DateOrder, delimiter: delimiter as string };
}

/** The API form: columns as an object keyed by header (Object.fromEntries keeps "__proto__" a plain key). */
export function mappingView(m: Mapping): Record<string, unknown> {
  const columns = Object.fromEntries(m.columns.map(({ column, ...rest }) => [column, rest.part === undefined && rest.match === undefined ? rest.field : rest]));
  return { columns, mode: m.mode, ...(m.upsertBy ? { upsertBy: m.upsertBy } : {}), dateOrder: m.dateOrder, delimiter: m.delimiter };
}

export const MAPPING_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

type StoredMapping = { _id: string; entity: string; name: string; mapping: Mapping; updatedAt: Date; updatedBy: string };

export type MappingStore = ReturnType<typeof createMappingStore>;

export function createMappingStore(db: Db) {
  const mappings = db.collection<StoredMapping>('import_mappings');
  const view = (s: StoredMapping) => ({ name: s.name, entity: s.entity, ...mappingView(s.mapping), updatedAt: s.updatedAt, updatedBy: s.updatedBy });
  return {
    /** true when the name was new. */
    async save(entity: string, name: string, mapping: Mapping, by: string): Promise<boolean> {
      const res = await mappings.replaceOne({ _id: `${entity}/${name}` }, { entity, name, mapping, updatedAt: new Date(), updatedBy: by }, { upsert: true });
      return res.upsertedCount === 1;
    },
    /** The stored mapping in its API form (to be checked again before use: fields and permissions change). */
    async get(entity: string, name: string) {
      const found = await mappings.findOne({ _id: `${entity}/${name}` });
      return found ? view(found) : null;
    },
    list: async (entity: string) => (await mappings.find({ entity }).sort({ name: 1 }).limit(1000).toArray()).map(view),
    remove: async (entity: string, name: string): Promise<boolean> => (await mappings.deleteOne({ _id: `${entity}/${name}` })).deletedCount === 1,
  };
}
