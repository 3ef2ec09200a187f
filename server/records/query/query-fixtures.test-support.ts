/** Test helper: an entity with one field of every type the query language treats differently. */
import type { EntityDefinition } from '../../metadata/index.ts';
import { Problem } from '../../shared/errors.ts';

export const deal: EntityDefinition = {
  name: 'deal',
  label: 'Deal',
  pluralLabel: 'Deals',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'email', type: 'email' },
    { name: 'notes', type: 'longText' },
    { name: 'seats', type: 'integer' },
    { name: 'score', type: 'number' },
    { name: 'amount', type: 'currency', currency: 'EUR' },
    { name: 'closeDate', type: 'date' },
    { name: 'closedAt', type: 'datetime' },
    { name: 'won', type: 'boolean' },
    { name: 'status', type: 'select', options: [{ value: 'open', label: 'Open' }, { value: 'won', label: 'Won' }, { value: 'stale', label: 'Stale', retired: true }] },
    { name: 'tags', type: 'multiSelect', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }, { value: 'c', label: 'C' }] },
    { name: 'account', type: 'relation', target: 'account' },
    { name: 'contacts', type: 'manyToMany', target: 'contact' },
    { name: 'address', type: 'address' },
    { name: 'person', type: 'fullName' },
    { name: 'ref', type: 'autonumber', pattern: 'D-{00000}' },
    { name: 'weighted', type: 'formula', expression: 'score * 2', resultType: 'number' },
    { name: 'total', type: 'rollup', entity: 'line', relationField: 'deal', function: 'sum', field: 'price' },
    { name: 'doc', type: 'file' },
    { name: 'data', type: 'json' },
  ],
};

/** Runs `fn`, expecting it to throw invalid-query; returns the problem for assertions on its errors. */
export function invalidQueryFrom(fn: () => unknown): Problem {
  try {
    fn();
  } catch (err) {
    if (err instanceof Problem && err.status === 400 && err.type.endsWith('/invalid-query')) return err;
    throw err;
  }
  throw new Error('expected an invalid-query problem, but nothing was thrown');
}
