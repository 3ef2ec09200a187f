/**
 * The OpenAPI 3.1 document of the API as the live metadata shapes it (issue 3): every entity
 * gets typed schemas (`ContactRecord`, `ContactInput`, ...) built from the same JSON Schemas the
 * record validator uses, and its own concrete paths. openapi.routes.ts caches it per
 * metadataVersion.
 */
import pkg from '../../package.json' with { type: 'json' };
import { FIELD_TYPE_NAMES, inputSchema, outputSchema, type CompiledEntity, type Field, type FilterOperator } from '../metadata/index.ts';
import { PROBLEM_RESPONSES, entityPaths, schemaRef, staticPaths, type EntityDoc, type Schema } from './openapi-paths.ts';
import { MAX_PAGE } from '../records/index.ts';

export type OpenApiInput = { entities: CompiledEntity[]; metadataVersion: number };

// A record keyed by every operator, so adding one to FilterOperator fails to compile until it is documented.
const FILTER_OPERATORS: Record<FilterOperator, true> = {
  eq: true, ne: true, gt: true, gte: true, lt: true, lte: true, between: true, in: true, nin: true,
  contains: true, startsWith: true, endsWith: true, isSet: true, isNotSet: true, containsAny: true, containsAll: true,
};

const text: Schema = { type: 'string' };
const integer: Schema = { type: 'integer' };
const listOf = (items: Schema): Schema => ({ type: 'array', items });

const PROBLEM_SCHEMAS: Record<string, Schema> = {
  Problem: {
    type: 'object',
    description: 'RFC 9457 problem details',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', format: 'uri-reference', description: 'The kind of problem, e.g. https://rapport.dev/problems/validation-failed' },
      title: text,
      status: { type: 'integer', minimum: 100, maximum: 599 },
      detail: text,
      instance: { type: 'string', format: 'uri-reference' },
      requestId: { type: 'string', description: 'Also the X-Request-Id header; quote it when reporting a problem' },
      errors: listOf(schemaRef('FieldError')),
    },
  },
  FieldError: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: { type: 'string', description: 'JSON Pointer to the offending value' }, detail: text } },
  ItemProblem: { type: 'object', required: ['type', 'title'], properties: { type: text, title: text, detail: text, errors: listOf(schemaRef('FieldError')) } },
};

const nodeOf = (key: 'and' | 'or' | 'not', schema: Schema): Schema => ({ title: key, type: 'object', required: [key], additionalProperties: false, properties: { [key]: schema } });

const FILTER_SCHEMAS: Record<string, Schema> = {
  Filter: {
    description: 'The filter language: conditions on one field each, combined with and / or / not, e.g. {"and":[{"field":"status","op":"eq","value":"open"},{"not":{"field":"amount","op":"lt","value":"100"}}]}',
    oneOf: [
      nodeOf('and', { type: 'array', minItems: 1, items: schemaRef('Filter') }),
      nodeOf('or', { type: 'array', minItems: 1, items: schemaRef('Filter') }),
      nodeOf('not', schemaRef('Filter')),
      schemaRef('FilterCondition'),
    ],
  },
  FilterCondition: {
    type: 'object',
    required: ['field', 'op'],
    additionalProperties: false,
    properties: {
      field: { type: 'string', description: 'A field, a system field (_id, createdAt, ...) or a part of a composite field (address.city, name.last)' },
      op: { type: 'string', enum: Object.keys(FILTER_OPERATORS) },
      value: { description: 'Absent for isSet / isNotSet; a list for in, nin, containsAny, containsAll; [low, high] for between' },
    },
  },
  ListQuery: {
    type: 'object',
    additionalProperties: false,
    properties: { filter: schemaRef('Filter'), q: text, sort: text, cursor: text, limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE }, fields: text, expand: text },
  },
};

const RESULT_SCHEMAS: Record<string, Schema> = {
  Count: { type: 'object', required: ['count'], properties: { count: { type: 'integer', minimum: 0 } } },
  GroupByResult: {
    type: 'object',
    required: ['truncated', 'groups'],
    properties: {
      truncated: { type: 'boolean', description: 'More than 1000 groups matched; the largest are returned' },
      groups: listOf({
        type: 'object',
        required: ['key', 'count'],
        properties: { key: { type: 'object', description: "The group's value of each by= field (date buckets as field:month)" }, count: integer },
        additionalProperties: { type: ['number', 'null'], description: 'Each metric, named as requested, e.g. sum:amount' },
      }),
    },
  },
  RelatedGroup: {
    type: 'object',
    required: ['entity', 'field', 'label', 'total', 'data', 'filter'],
    properties: {
      entity: text, field: text, label: text, total: integer,
      data: listOf({ type: 'object', required: ['_id', '_version'], properties: { _id: text, _version: integer }, description: 'Records of `entity`, newest first' }),
      filter: schemaRef('FilterCondition'),
    },
  },
  FileInfo: { type: 'object', required: ['id', 'name', 'size', 'contentType'], properties: { id: text, name: text, size: integer, contentType: text } },
};

const definitionProperties: Record<string, Schema> = {
  name: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,39}$' }, label: text, pluralLabel: text, description: text, titleField: text, fields: listOf(schemaRef('EntityField')),
};

/** Loose on purpose: the server checks definitions against schemas/entity.schema.json. */
const METADATA_SCHEMAS: Record<string, Schema> = {
  EntityField: {
    type: 'object',
    description: 'A field definition; https://rapport.dev/schemas/entity.schema.json lists the properties of each type',
    required: ['name', 'type'],
    properties: { name: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,62}$' }, type: { type: 'string', enum: [...FIELD_TYPE_NAMES] }, label: text, required: { type: 'boolean' } },
  },
  EntityDefinition: {
    type: 'object',
    description: 'An entity definition, validated against https://rapport.dev/schemas/entity.schema.json',
    required: ['name', 'label', 'pluralLabel', 'fields'],
    properties: definitionProperties,
  },
  EntityDefinitionVersion: {
    type: 'object',
    required: ['name', 'label', 'pluralLabel', 'fields', 'version', 'metadataVersion'],
    properties: { ...definitionProperties, version: integer, metadataVersion: integer, updatedAt: { type: 'string', format: 'date-time' } },
  },
  EntityHistoryEntry: {
    type: 'object',
    required: ['entity', 'version', 'metadataVersion', 'change', 'definition', 'at', 'by'],
    properties: {
      entity: text, version: integer, metadataVersion: integer, change: { type: 'string', enum: ['create', 'update', 'delete'] },
      definition: schemaRef('EntityDefinition'), at: { type: 'string', format: 'date-time' }, by: text,
    },
  },
};

const SHARED_SCHEMAS: Record<string, Schema> = { ...PROBLEM_SCHEMAS, ...FILTER_SCHEMAS, ...RESULT_SCHEMAS, ...METADATA_SCHEMAS };

const query = (name: string, description: string, schema: Schema = { type: 'string' }): Schema => ({ name, in: 'query', required: false, description, schema });

const SHARED_PARAMETERS: Record<string, Schema> = {
  RecordId: { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9a-fA-F]{24}$' } },
  Filter: { name: 'filter', in: 'query', required: false, description: 'A filter as JSON text', content: { 'application/json': { schema: schemaRef('Filter') } } },
  Q: query('q', 'Search words, matched against the entity\'s search fields'),
  Sort: query('sort', 'Comma-separated fields, - for descending, at most 4, e.g. -amount,name; default -createdAt'),
  Cursor: query('cursor', 'The nextCursor of the previous page (same sort)'),
  Limit: query('limit', 'Page size (default 50)', { type: 'integer', minimum: 1, maximum: MAX_PAGE }),
  Fields: query('fields', 'Comma-separated fields to return; default all'),
  Expand: query('expand', 'Comma-separated relation fields to inline, up to two levels deep (account,account.owner)'),
  By: { ...query('by', 'One or two fields to group by; dates take :day, :month or :year, e.g. stage,closeDate:month'), required: true },
  Metrics: query('metrics', 'Comma-separated count, sum:<field>, avg:<field>, min:<field>, max:<field> over numeric fields'),
  RelatedLimit: query('limit', 'Records per group (default 5)', { type: 'integer', minimum: 1, maximum: MAX_PAGE }),
  IfMatch: { name: 'If-Match', in: 'header', required: false, description: 'The ETag read; the write fails with 412 if the version has changed since', schema: { type: 'string' } },
  Filename: query('filename', 'The file name to store; else taken from Content-Disposition'),
  ContentDisposition: { name: 'Content-Disposition', in: 'header', required: false, schema: { type: 'string' } },
};

const pascal = (name: string): string => name.split('_').filter(Boolean).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');

/** Schema type names and tags, unique even when two api names differ only by underscores. */
function nameEntities(entities: CompiledEntity[]): EntityDoc[] {
  const types = new Set<string>();
  const tags = new Set<string>(['Metadata', 'Health', 'API']);
  const unique = (taken: Set<string>, wanted: string, fallback: string): string => {
    let name = taken.has(wanted) ? fallback : wanted;
    for (let i = 2; taken.has(name); i++) name = `${fallback}${i}`;
    taken.add(name);
    return name;
  };
  return [...entities]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((entity) => {
      const type = unique(types, pascal(entity.name), `${pascal(entity.name)}_`);
      const label = entity.definition.pluralLabel;
      return { entity, type, tag: unique(tags, label, `${label} (${entity.name})`) };
    });
}

/** `null` added to a schema's accepted values: the API reads an empty field back as null. */
function nullable(schema: Schema): Schema {
  if (Array.isArray(schema.anyOf)) return schema.anyOf.some((s) => (s as Schema).type === 'null') ? schema : { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  if (schema.type === undefined) return schema;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('null')) return schema;
  return { ...schema, type: [...types, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) };
}

const ANNOTATIONS = ['title', 'description', 'readOnly'];

/** A relation reads back as the target's id, or as the whole target record under `expand=`. */
function expandable(schema: Schema, target: string): Schema {
  const annotations = Object.fromEntries(Object.entries(schema).filter(([k]) => ANNOTATIONS.includes(k)));
  const id = Object.fromEntries(Object.entries(schema).filter(([k]) => !ANNOTATIONS.includes(k)));
  return { ...annotations, anyOf: [id, { ...schemaRef(`${target}Record`), description: 'With expand= naming this field' }] };
}

function recordSchema(e: EntityDoc, typeOf: Map<string, string>): Schema {
  const { definition } = e.entity;
  const schema = outputSchema(definition);
  const properties = { ...(schema.properties as Record<string, Schema>) };
  for (const field of definition.fields) {
    const target = field.type === 'relation' ? typeOf.get(field.target) : undefined;
    const property = target ? expandable(properties[field.name]!, target) : properties[field.name]!;
    // An unset many-to-many reads back as []; every other field reads back as null.
    properties[field.name] = field.type === 'manyToMany' ? property : nullable(property);
  }
  return { ...schema, title: definition.label, ...(definition.description ? { description: definition.description } : {}), properties };
}

/** The input schema with each field's label, help and default, for people reading the document. */
function documentedInput(definition: CompiledEntity['definition']): Schema & { properties: Record<string, Schema> } {
  const schema = inputSchema(definition) as Schema & { properties: Record<string, Schema> };
  const fields = new Map<string, Field>(definition.fields.map((f) => [f.name, f]));
  const properties = Object.fromEntries(
    Object.entries(schema.properties).map(([name, s]) => {
      const f = fields.get(name)!;
      const description = f.helpText ?? f.description;
      return [name, { ...s, ...(f.label ? { title: f.label } : {}), ...(description ? { description } : {}), ...(f.default !== undefined ? { default: f.default } : {}) }];
    }),
  );
  return { ...schema, properties };
}

function entitySchemas(e: EntityDoc, typeOf: Map<string, string>): Record<string, Schema> {
  const { definition } = e.entity;
  const input = documentedInput(definition);
  // Defaults are applied before the required check on create.
  const required = definition.fields.filter((f) => f.required && f.default === undefined && input.properties[f.name]).map((f) => f.name);
  const patchProperties = Object.fromEntries(Object.entries(input.properties).map(([k, s]) => [k, nullable(s)]));
  const record = schemaRef(`${e.type}Record`);
  return {
    [`${e.type}Record`]: recordSchema(e, typeOf),
    [`${e.type}Input`]: { ...input, title: `${definition.label} (create or replace)`, ...(required.length ? { required } : {}) },
    [`${e.type}Patch`]: { ...input, title: `${definition.label} (changes)`, description: 'Only the fields named change; null clears a field.', properties: patchProperties },
    [`${e.type}BulkUpdateItem`]: {
      ...input,
      required: ['_id'],
      properties: { _id: { type: 'string', description: 'The record to change' }, _version: { type: 'integer', description: 'Fails this item with 412 unless the record is at this version' }, ...patchProperties },
    },
    [`${e.type}Page`]: {
      type: 'object',
      required: ['data', 'nextCursor'],
      properties: { data: { type: 'array', items: record }, nextCursor: { type: ['string', 'null'], description: 'Pass as cursor= for the next page; null on the last page' } },
    },
    [`${e.type}BulkResult`]: {
      type: 'object',
      required: ['succeeded', 'failed', 'results'],
      properties: {
        succeeded: { type: 'integer' },
        failed: { type: 'integer' },
        results: { type: 'array', items: { type: 'object', required: ['index', 'status'], properties: { index: { type: 'integer' }, status: { type: 'integer' }, record, problem: schemaRef('ItemProblem') } } },
      },
    },
  };
}

function problemResponses(): Schema {
  return Object.fromEntries(
    Object.values(PROBLEM_RESPONSES).map(({ name, description }) => [name, { description, content: { 'application/problem+json': { schema: schemaRef('Problem') } } }]),
  );
}

/** The whole document for one metadata version. */
export function buildOpenApiDocument(input: OpenApiInput): Schema {
  const docs = nameEntities(input.entities);
  const typeOf = new Map(docs.map((d) => [d.entity.name, d.type]));
  const paths: Record<string, Schema> = {};
  const schemas: Record<string, Schema> = { ...SHARED_SCHEMAS };
  for (const d of docs) {
    Object.assign(paths, entityPaths(d));
    Object.assign(schemas, entitySchemas(d, typeOf));
  }
  Object.assign(paths, staticPaths());
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Rapport API',
      version: pkg.version,
      description: 'Built from the live metadata: every entity has its own typed paths and schemas. Errors are RFC 9457 problem details.',
      license: { name: 'MIT', identifier: 'MIT' },
      'x-metadata-version': input.metadataVersion,
    },
    'x-metadata-version': input.metadataVersion,
    tags: [
      ...docs.map((d) => ({ name: d.tag, description: d.entity.definition.description ?? `${d.entity.definition.pluralLabel} (entity \`${d.entity.name}\`)` })),
      { name: 'Metadata', description: 'Entity definitions: changes are live for the next request' },
      { name: 'Health', description: 'Liveness and readiness' },
      { name: 'API', description: 'This description' },
    ],
    paths,
    // Issue 4: every /api path needs one of these; health checks need none.
    security: [{ apiToken: [] }, { session: [] }],
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'A personal API token (rpt_...), created with POST /api/auth/tokens' },
        session: { type: 'apiKey', in: 'cookie', name: 'rapport_session', description: 'The sign-in session; writes also need the X-CSRF-Token header' },
      },
      schemas,
      parameters: SHARED_PARAMETERS,
      responses: problemResponses(),
      headers: {
        ETag: { description: 'The version as a strong ETag, e.g. "3"; send it back in If-Match to write over that version only', schema: { type: 'string' } },
        Location: { description: 'URL of the created resource', schema: { type: 'string', format: 'uri-reference' } },
        ContentDispositionAttachment: { description: 'attachment; filename="..."', schema: { type: 'string' } },
      },
    },
  };
}
