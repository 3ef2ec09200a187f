/** The entity schema's simple conditions (status eq closed), evaluated on the record being edited. */
import type { Condition, Entity, Form } from '../../api/types.ts';

const present = (v: unknown): boolean => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
const plain = (v: unknown): unknown => (typeof v === 'object' && v !== null && '_id' in v ? (v as { _id: unknown })._id : v);

export function holds(condition: Condition | undefined, record: Record<string, unknown>): boolean {
  if (!condition) return true;
  const value = plain(record[condition.field]);
  switch (condition.op) {
    case 'eq': return value === condition.value;
    case 'ne': return value !== condition.value;
    case 'in': return Array.isArray(condition.value) && condition.value.includes(value);
    case 'isSet': return present(value);
    case 'isNotSet': return !present(value);
  }
}

/** The form used when none is defined (or the server has none to give): every field, two columns. */
export function defaultForm(entity: Entity): Form {
  const hidden = entity.permissions?.fields ?? {};
  return {
    name: 'default', label: entity.label, entity: entity.name,
    tabs: [{ label: 'Details', sections: [{ columns: 2, items: entity.fields.filter((f) => hidden[f.name] !== 'hidden').map((f) => ({ kind: 'field' as const, field: f.name })) }] }],
  };
}
