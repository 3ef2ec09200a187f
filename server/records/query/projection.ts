/**
 * `fields=name,amount`: the fields a client wants back. `_id` and `_version` always come along:
 * a client needs them to address the record and to update it (If-Match).
 */
import type { EntityDefinition } from '../../metadata/index.ts';
import type { FieldError } from '../../shared/errors.ts';
import { invalidQuery } from './query-errors.ts';
import { SYSTEM_FIELD_NAMES } from './query-fields.ts';

export const ALWAYS_RETURNED = ['_id', '_version'] as const;

const POINTER = '/fields';

function isKnown(entity: EntityDefinition, name: string): boolean {
  return (SYSTEM_FIELD_NAMES as readonly string[]).includes(name) || name === '_version' || entity.fields.some((f) => f.name === name);
}

/**
 * Top-level field names to return, or null for all of them. Whole fields only: a composite value
 * (an address) is returned whole. Throws invalid-query (pointer `/fields`) naming every unknown field.
 */
export function parseFields(entity: EntityDefinition, fields: string | undefined): string[] | null {
  if (fields === undefined) return null;
  const names = fields.split(',').map((n) => n.trim());
  const errors: FieldError[] = [];
  if (names.some((n) => n === '')) errors.push({ pointer: POINTER, detail: 'has an empty name; write field names separated by commas, e.g. name,amount' });
  const unknown = [...new Set(names.filter((n) => n !== '' && !isKnown(entity, n)))];
  if (unknown.length > 0) {
    const listed = unknown.slice(0, 20).map((n) => `"${n.slice(0, 100)}"`).join(', ');
    errors.push({ pointer: POINTER, detail: `names unknown field${unknown.length > 1 ? 's' : ''} ${listed}${unknown.length > 20 ? ', ...' : ''} on ${entity.name}` });
  }
  if (errors.length > 0) throw invalidQuery('The fields parameter', errors);
  return [...new Set([...ALWAYS_RETURNED, ...names])];
}
