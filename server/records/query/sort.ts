/**
 * `sort=-amount,name`: comma-separated field names, `-` for descending. The record `_id` always
 * ends the list as a tie-breaker, so the order is total and keyset pagination (cursor.ts) never
 * skips or repeats a record among equal values.
 */
import type { EntityDefinition } from '../../metadata/index.ts';
import type { FieldError } from '../../shared/errors.ts';
import { invalidQuery } from './query-errors.ts';
import { resolveQueryField } from './query-fields.ts';

export type SortDirection = 1 | -1;
export type SortSpec = Array<[path: string, direction: SortDirection]>;

/** Keys a client may give; more rarely helps and every key widens the cursor filter. */
export const MAX_SORT_KEYS = 4;
export const DEFAULT_SORT = '-createdAt';

const POINTER = '/sort';

function parseKey(entity: EntityDefinition, key: string, errors: FieldError[]): [string, SortDirection] | undefined {
  const descending = key.startsWith('-');
  const name = descending ? key.slice(1).trim() : key;
  if (!name) {
    errors.push({ pointer: POINTER, detail: 'has an empty key; write field names separated by commas, e.g. -amount,name' });
    return undefined;
  }
  const field = resolveQueryField(entity, name);
  if (!field) errors.push({ pointer: POINTER, detail: `unknown field "${name}" on ${entity.name}` });
  else if (field.sortPath === null) errors.push({ pointer: POINTER, detail: `${field.label} cannot be sorted` });
  else return [field.sortPath, descending ? -1 : 1];
  return undefined;
}

/** Parses the `sort` parameter; throws invalid-query (pointer `/sort`) listing every bad key. */
export function parseSort(entity: EntityDefinition, sort: string | undefined): SortSpec {
  // An empty parameter (`?sort=`) is what a form sends when nothing is chosen: the default order.
  const text = sort === undefined || sort.trim() === '' ? DEFAULT_SORT : sort;
  const keys = text.split(',').map((k) => k.trim());
  const errors: FieldError[] = [];
  if (keys.length > MAX_SORT_KEYS) errors.push({ pointer: POINTER, detail: `has ${keys.length} keys; at most ${MAX_SORT_KEYS} are allowed` });
  const spec: SortSpec = [];
  for (const key of keys.slice(0, MAX_SORT_KEYS)) {
    const parsed = parseKey(entity, key, errors);
    if (!parsed) continue;
    if (spec.some(([path]) => path === parsed[0])) errors.push({ pointer: POINTER, detail: `sorts on "${key.replace(/^-/, '')}" more than once` });
    else spec.push(parsed);
  }
  if (errors.length > 0) throw invalidQuery('The sort', errors);
  // Keys after _id could never decide anything, so an explicit _id simply ends the list.
  const idAt = spec.findIndex(([path]) => path === '_id');
  if (idAt >= 0) return spec.slice(0, idAt + 1);
  return [...spec, ['_id', spec[spec.length - 1][1]]];
}
