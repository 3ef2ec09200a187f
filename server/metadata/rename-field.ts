/**
 * What renaming a field changes in the definitions (issue 5, "rename a field: data follows"): the
 * field itself and every structural reference to it — title and search fields, indexes,
 * required-when conditions, relations' rollups that summarise it, filters that name it. Formulas
 * are text: one that reads the field blocks the rename, naming itself, rather than being rewritten.
 */
import type { EntityDefinition, Field } from './entity.types.ts';
import { compileFormula } from './formula/index.ts';

const rename = (path: string, from: string, to: string): string => (path === from ? to : path.startsWith(`${from}.`) ? to + path.slice(from.length) : path);

/** A records filter (and/or/not of {field, op, value}) with conditions on `from` naming `to`. */
export function renameInFilter(filter: unknown, from: string, to: string): unknown {
  if (Array.isArray(filter)) return filter.map((f) => renameInFilter(f, from, to));
  if (!filter || typeof filter !== 'object') return filter;
  const node = filter as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'field' && typeof value === 'string' ? rename(value, from, to) : key === 'value' ? value : renameInFilter(value, from, to);
  }
  return out;
}

/** The entity's own definition with the field renamed and its references following. */
export function renamedDefinition(def: EntityDefinition, from: string, to: string): EntityDefinition {
  return {
    ...def,
    fields: def.fields.map((f) => ({
      ...f,
      ...(f.name === from ? { name: to } : {}),
      ...(f.requiredWhen?.field === from ? { requiredWhen: { ...f.requiredWhen, field: to } } : {}),
    })) as Field[],
    ...(def.titleField === from ? { titleField: to } : {}),
    ...(def.searchFields ? { searchFields: def.searchFields.map((n) => (n === from ? to : n)) } : {}),
    ...(def.indexes ? { indexes: def.indexes.map((i) => ({ ...i, fields: i.fields.map((k) => ({ ...k, field: rename(k.field, from, to) })) })) } : {}),
  };
}

/**
 * Other entities whose rollups summarise `entity` through or over the field: their definitions
 * with the rollup following the rename (the relation it goes through, the field it sums, its filter).
 */
export function renamedRollupOwners(all: Map<string, EntityDefinition>, entity: string, from: string, to: string): EntityDefinition[] {
  const changed: EntityDefinition[] = [];
  for (const def of all.values()) {
    let touched = false;
    const fields = def.fields.map((f) => {
      if (f.type !== 'rollup' || f.entity !== entity) return f;
      const next = { ...f, relationField: f.relationField === from ? to : f.relationField, ...(f.field ? { field: f.field === from ? to : f.field } : {}), ...(f.filter ? { filter: renameInFilter(f.filter, from, to) as typeof f.filter } : {}) };
      if (JSON.stringify(next) !== JSON.stringify(f)) touched = true;
      return next;
    });
    if (touched) changed.push({ ...def, fields });
  }
  return changed;
}

/** Formulas that read the field, here or through a relation from another entity: they block the rename. */
export function formulasReading(all: Map<string, EntityDefinition>, entity: string, field: string): string[] {
  const found: string[] = [];
  for (const def of all.values()) {
    const toEntity = new Set(def.fields.filter((f) => f.type === 'relation' && f.target === entity).map((f) => f.name));
    for (const f of def.fields) {
      if (f.type !== 'formula') continue;
      let references: string[][];
      try {
        references = compileFormula(f.expression).references;
      } catch {
        continue;
      }
      const reads = references.some((path) => (def.name === entity && path[0] === field) || (path.length > 1 && toEntity.has(path[0]!) && path[1] === field));
      if (reads) found.push(`${def.name}.${f.name}`);
    }
  }
  return found;
}
