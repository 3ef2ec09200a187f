/**
 * Field types that point at other records: relation (many-to-one), many-to-many (links with
 * optional attributes, stored on the owning record so a write stays one atomic document) and user.
 * Whether the target exists is checked by the record pipeline, which has the database.
 */
import { ObjectId } from 'mongodb';
import { converted, defineFieldType, rejected, type Converted } from './field-type.ts';
import { EQUALITY_OPERATORS, SET_OPERATORS } from './operators.ts';

export const OBJECT_ID_PATTERN = '^[0-9a-fA-F]{24}$';
const idSchema = { type: 'string', pattern: OBJECT_ID_PATTERN };

export function toObjectId(value: unknown): Converted {
  if (value instanceof ObjectId) return converted(value);
  if (typeof value !== 'string' || !ObjectId.isValid(value) || value.length !== 24) return rejected('must be a record id (24 hexadecimal characters)');
  return converted(new ObjectId(value));
}

export const idToApi = (stored: unknown): unknown => (stored instanceof ObjectId ? stored.toHexString() : null);

const reference = {
  source: 'input' as const,
  inputSchema: () => idSchema,
  toStored: toObjectId,
  toApi: idToApi,
  outputSchema: () => ({ type: 'string', pattern: OBJECT_ID_PATTERN }),
  operators: EQUALITY_OPERATORS,
  castOperand: toObjectId,
  sortSuffix: '',
};

export const relationType = defineFieldType<'relation'>({ ...reference, type: 'relation' });

/** A user id; the write pipeline checks that the user exists (checkReferences). */
export const userType = defineFieldType<'user'>({ ...reference, type: 'user' });

type Link = { _id: ObjectId } & Record<string, unknown>;

export const manyToManyType = defineFieldType<'manyToMany'>({
  type: 'manyToMany',
  source: 'input',
  inputSchema: (f) => {
    const attributes = Object.fromEntries((f.attributes ?? []).map((a) => [a.name, linkAttributeSchema(a.type)]));
    const required = (f.attributes ?? []).filter((a) => a.required).map((a) => a.name);
    const link = { type: 'object', required: ['id', ...required], additionalProperties: false, properties: { id: idSchema, ...attributes } };
    return { type: 'array', maxItems: f.maxItems ?? 200, items: required.length ? link : { anyOf: [idSchema, link] } };
  },
  toStored: (value) => {
    const links: Link[] = [];
    const seen = new Set<string>();
    for (const item of value as Array<string | ({ id: string } & Record<string, unknown>)>) {
      const { id, ...attributes } = typeof item === 'string' ? { id: item } : item;
      if (seen.has(id.toLowerCase())) return rejected(`links to ${id} more than once`);
      seen.add(id.toLowerCase());
      links.push({ _id: new ObjectId(id), ...attributes });
    }
    return converted(links);
  },
  toApi: (stored) =>
    Array.isArray(stored)
      ? stored.filter((l): l is Link => l?._id instanceof ObjectId).map(({ _id, ...attributes }) => ({ id: _id.toHexString(), ...attributes }))
      : [],
  outputSchema: (f) => ({
    type: 'array',
    items: {
      type: 'object',
      required: ['id'],
      properties: { id: idSchema, ...Object.fromEntries((f.attributes ?? []).map((a) => [a.name, linkAttributeSchema(a.type)])) },
    },
  }),
  operators: SET_OPERATORS,
  castOperand: toObjectId,
  sortSuffix: null,
  matchSuffix: '._id',
});

function linkAttributeSchema(type: 'text' | 'integer' | 'number' | 'boolean' | 'date'): Record<string, unknown> {
  if (type === 'text') return { type: 'string', maxLength: 255 };
  if (type === 'date') return { type: 'string', format: 'date' };
  return { type };
}
