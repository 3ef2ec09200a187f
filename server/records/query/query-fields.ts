/**
 * The names a client may use in filter, sort and fields: the entity's own fields, the system
 * fields every record has, and the subfields of composite fields. Each resolves to what the query
 * language needs: operators, operand casting and stored paths.
 */
import type { EntityDefinition, Field } from '../../metadata/index.ts';
import { AUDIT_FIELDS, fieldTypeOf, matchPath, operatorsFor, sortPath, type Converted, type FilterOperator } from '../../metadata/index.ts';

export type QueryField = {
  /** As the client writes it: `amount`, `createdAt`, `address.city`. */
  name: string;
  /** `amount (currency)`, for messages. */
  label: string;
  operators: readonly FilterOperator[];
  /** One operand as the client sent it → the stored form it is compared with. */
  cast(value: unknown): Converted;
  matchPath: string;
  sortPath: string | null;
  /**
   * What isSet / isNotSet test: the whole stored value, not `matchPath` (a full name compares and
   * sorts on `.last`, yet a name with only a first name is set).
   */
  presencePath: string;
  /** Array-valued fields are set with at least one element, tested on `<presencePath>.0`. */
  arrayValued: boolean;
};

/** Owner and audit ids are user ids stored as strings; ordering or substring search on them means nothing. */
const USER_ID_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'in', 'nin', 'isSet', 'isNotSet'];

export const SYSTEM_FIELD_NAMES = ['_id', ...AUDIT_FIELDS] as const;

export const COMPOSITE_SUBFIELDS: Readonly<Partial<Record<Field['type'], readonly string[]>>> = {
  address: ['street', 'street2', 'city', 'region', 'postalCode', 'country'],
  fullName: ['first', 'last', 'middle', 'salutation', 'suffix', 'display'],
};

const ARRAY_VALUED: ReadonlySet<Field['type']> = new Set(['multiSelect', 'manyToMany']);

function fromField(field: Field, name = field.name): QueryField {
  return {
    name,
    label: `${name} (${field.type})`,
    operators: operatorsFor(field),
    cast: (value) => fieldTypeOf(field).castOperand(value, field),
    matchPath: matchPath(field),
    sortPath: sortPath(field),
    presencePath: field.name,
    arrayValued: ARRAY_VALUED.has(field.type),
  };
}

/** System fields borrow the handler of the type they are stored as. */
function systemField(entity: EntityDefinition, name: string): QueryField | undefined {
  if (name === '_id') return fromField({ name, type: 'relation', target: entity.name });
  if (name === 'createdAt' || name === 'updatedAt') return fromField({ name, type: 'datetime' });
  if (name === 'createdBy' || name === 'updatedBy' || name === 'ownerId') {
    return { ...fromField({ name, type: 'text' }), label: `${name} (user id)`, operators: USER_ID_OPERATORS };
  }
  return undefined;
}

/** `address.city` and the like: stored as text inside the composite value. */
function subfield(entity: EntityDefinition, name: string): QueryField | undefined {
  const [parentName, child, ...rest] = name.split('.');
  const parent = entity.fields.find((f) => f.name === parentName);
  if (!parent || rest.length > 0 || !COMPOSITE_SUBFIELDS[parent.type]?.includes(child)) return undefined;
  return { ...fromField({ name, type: 'text' }), label: `${name} (${parent.type} part)` };
}

export function resolveQueryField(entity: EntityDefinition, name: string): QueryField | undefined {
  if (name.includes('.')) return subfield(entity, name);
  // System fields first: the pipeline owns those stored names whatever a definition says.
  const field = entity.fields.find((f) => f.name === name);
  return systemField(entity, name) ?? (field ? fromField(field) : undefined);
}
