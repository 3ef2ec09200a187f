/**
 * The paths of the OpenAPI document. Record paths are written out per entity
 * (`/api/entities/contact/records`, not `/api/entities/{entity}/records`) so that client
 * generators produce one typed method per entity and operation.
 */
import { isClientWritable, type CompiledEntity, type Field } from '../metadata/index.ts';
import { MAX_BULK } from '../records/index.ts';

export type Schema = Record<string, unknown>;

/** One entity as the document names it: its schema type name (`Contact`) and its tag. */
export type EntityDoc = { entity: CompiledEntity; type: string; tag: string };

export const schemaRef = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const param = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });
const header = (name: string): Schema => ({ $ref: `#/components/headers/${name}` });
const json = (schema: Schema): Schema => ({ 'application/json': { schema } });

/** The problem responses in components.responses, by status. */
export const PROBLEM_RESPONSES: Readonly<Record<number, { name: string; description: string }>> = {
  400: { name: 'BadRequest', description: 'Malformed request: bad JSON, an unknown or invalid query parameter, or a malformed If-Match' },
  404: { name: 'NotFound', description: 'The entity, record or field does not exist' },
  409: { name: 'Conflict', description: 'Conflicts with existing data: a unique value taken, or other records still point at this one' },
  412: { name: 'PreconditionFailed', description: 'If-Match names a version that is no longer current' },
  413: { name: 'PayloadTooLarge', description: 'The request body is too large' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not of an accepted media type: JSON bodies must be application/json (UTF-8); a file field may limit the file types it takes' },
  422: { name: 'UnprocessableContent', description: 'The body is not valid; `errors` holds a JSON Pointer per problem' },
  503: { name: 'ServiceUnavailable', description: 'The database is not reachable' },
};

const problems = (...statuses: number[]): Schema =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/${PROBLEM_RESPONSES[s]!.name}` }]));

const ok = (description: string, schema: Schema, headers?: Schema): Schema => ({ description, content: json(schema), ...(headers ? { headers } : {}) });

const body = (schema: Schema, description?: string): Schema => ({ required: true, content: json(schema), ...(description ? { description } : {}) });

const article = (label: string): string => (/^[aeiou]/i.test(label) ? `an ${label}` : `a ${label}`);

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const LIST_PARAMS = ['Filter', 'Q', 'Sort', 'Cursor', 'Limit', 'Fields', 'Expand'].map(param);
const READ_PARAMS = ['Fields', 'Expand'].map(param);
const versioned = { ETag: header('ETag') };

function collectionPaths(e: EntityDoc, base: string): Record<string, Schema> {
  const { type, tag } = e;
  const { label, pluralLabel: plural } = e.entity.definition;
  const page = schemaRef(`${type}Page`);
  return {
    [base]: {
      get: { tags: [tag], operationId: `list${type}Records`, summary: `List ${plural}`, parameters: LIST_PARAMS, responses: { 200: ok(`A page of ${plural}`, page), ...problems(400, 404) } },
      post: {
        tags: [tag], operationId: `create${type}Record`, summary: `Create ${article(label)}`, parameters: READ_PARAMS,
        requestBody: body(schemaRef(`${type}Input`)),
        responses: { 201: ok(`The ${label} created`, schemaRef(`${type}Record`), { ...versioned, Location: header('Location') }), ...problems(400, 404, 409, 413, 415, 422) },
      },
    },
    [`${base}/query`]: {
      post: {
        tags: [tag], operationId: `query${type}Records`, summary: `Query ${plural}`,
        description: 'The list parameters in a JSON body, for filters too long for a URL.',
        requestBody: body(schemaRef('ListQuery')),
        responses: { 200: ok(`A page of ${plural}`, page), ...problems(400, 404, 413, 415) },
      },
    },
    [`${base}/count`]: {
      get: { tags: [tag], operationId: `count${type}Records`, summary: `Count ${plural}`, parameters: ['Filter', 'Q'].map(param), responses: { 200: ok('How many records match', schemaRef('Count')), ...problems(400, 404) } },
    },
    [`${base}/group-by`]: {
      get: {
        tags: [tag], operationId: `group${type}Records`, summary: `Group ${plural}`, parameters: ['By', 'Metrics', 'Filter', 'Q'].map(param),
        responses: { 200: ok('Counts and metrics per group', schemaRef('GroupByResult')), ...problems(400, 404) },
      },
    },
  };
}

/** Bulk calls answer 200 with one result per item, so one bad item never blocks the others. */
function bulkPaths(e: EntityDoc, base: string): Record<string, Schema> {
  const { type, tag } = e;
  const plural = e.entity.definition.pluralLabel;
  const bulkResult = schemaRef(`${type}BulkResult`);
  const list = (items: Schema, max: number) => ({ type: 'array', minItems: 1, maxItems: max, items });
  return {
    [`${base}/bulk-create`]: {
      post: {
        tags: [tag], operationId: `bulkCreate${type}Records`, summary: `Create ${plural} in bulk`,
        requestBody: body({ type: 'object', required: ['records'], properties: { records: list(schemaRef(`${type}Input`), MAX_BULK) } }),
        responses: { 200: ok('One result per item, in order', bulkResult), ...problems(400, 404, 413, 415, 422) },
      },
    },
    [`${base}/bulk-update`]: {
      post: {
        tags: [tag], operationId: `bulkUpdate${type}Records`, summary: `Update ${plural} in bulk`,
        requestBody: body({ type: 'object', required: ['records'], properties: { records: list(schemaRef(`${type}BulkUpdateItem`), MAX_BULK) } }),
        responses: { 200: ok('One result per item, in order', bulkResult), ...problems(400, 404, 413, 415, 422) },
      },
    },
    [`${base}/bulk-delete`]: {
      post: {
        tags: [tag], operationId: `bulkDelete${type}Records`, summary: `Delete ${plural} in bulk`,
        requestBody: body({ type: 'object', required: ['ids'], properties: { ids: list({ type: 'string' }, MAX_BULK) } }),
        responses: { 200: ok('One result per item, in order (status 204 for each deleted record)', bulkResult), ...problems(400, 404, 413, 415, 422) },
      },
    },
  };
}

function itemPaths(e: EntityDoc, base: string): Record<string, Schema> {
  const { type, tag } = e;
  const { label } = e.entity.definition;
  const record = schemaRef(`${type}Record`);
  const one = article(label);
  const replaceBody = replaceSchema(e);
  return {
    [`${base}/{id}`]: {
      parameters: [param('RecordId')],
      get: { tags: [tag], operationId: `get${type}Record`, summary: `Get ${one}`, parameters: READ_PARAMS, responses: { 200: ok(`The ${label}`, record, versioned), ...problems(400, 404) } },
      patch: {
        tags: [tag], operationId: `update${type}Record`, summary: `Update ${one}`, description: 'Changes the fields the body names; `null` clears a field.',
        parameters: [param('IfMatch')], requestBody: body(schemaRef(`${type}Patch`)),
        responses: { 200: ok(`The ${label} as saved`, record, versioned), ...problems(400, 404, 409, 412, 413, 415, 422) },
      },
      put: {
        tags: [tag], operationId: `replace${type}Record`, summary: `Replace ${one}`, description: 'Writable fields the body leaves out are cleared.',
        parameters: [param('IfMatch')], requestBody: body(replaceBody),
        responses: { 200: ok(`The ${label} as saved`, record, versioned), ...problems(400, 404, 409, 412, 413, 415, 422) },
      },
      delete: {
        tags: [tag], operationId: `delete${type}Record`, summary: `Delete ${one}`, parameters: [param('IfMatch')],
        responses: { 204: { description: 'Deleted (moved to the recycle bin)' }, ...problems(400, 404, 409, 412) },
      },
    },
    [`${base}/{id}/related`]: {
      get: {
        tags: [tag], operationId: `get${type}Related`, summary: `Records related to ${one}`,
        description: 'The latest records of every entity that points at this record, grouped by the relation they point through.',
        parameters: [param('RecordId'), param('RelatedLimit')],
        responses: { 200: ok('One group per inbound relation', { type: 'object', required: ['data'], properties: { data: { type: 'array', items: schemaRef('RelatedGroup') } } }), ...problems(400, 404) },
      },
    },
  };
}

/** PUT does not apply defaults, so a required field with a default must be sent as well. */
function replaceSchema(e: EntityDoc): Schema {
  const defaulted = e.entity.definition.fields.filter((f) => f.required && f.default !== undefined && isClientWritable(f)).map((f) => f.name);
  const input = schemaRef(`${e.type}Input`);
  return defaulted.length ? { allOf: [input, { required: defaulted }] } : input;
}

/** The media types a file field accepts (`*\/*` when any); the body or response is the raw file. */
function fileContent(field: Extract<Field, { type: 'file' }>): Schema {
  const types = field.accept?.length ? field.accept : ['*/*'];
  return Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]));
}

function filePaths(e: EntityDoc, base: string): Record<string, Schema> {
  const { type, tag, entity } = e;
  const { label } = entity.definition;
  const paths: Record<string, Schema> = {};
  for (const field of entity.definition.fields) {
    if (field.type !== 'file') continue;
    const fieldType = capitalise(field.name);
    const fieldLabel = field.label ?? field.name;
    paths[`/api/entities/${entity.name}/files/${field.name}`] = {
      post: {
        tags: [tag], operationId: `upload${type}${fieldType}`, summary: `Upload a file for the ${fieldLabel} field of ${entity.definition.pluralLabel}`,
        description: `The body is the file itself. Put the returned id in the \`${field.name}\` field of a create or update to attach it.`
          + (field.maxSize ? ` At most ${field.maxSize} bytes.` : ''),
        parameters: [param('Filename'), param('ContentDisposition')],
        requestBody: { required: true, content: fileContent(field) },
        responses: { 201: ok('The stored file', schemaRef('FileInfo')), ...problems(404, 413, 415, 422) },
      },
    };
    paths[`${base}/{id}/files/${field.name}`] = {
      get: {
        tags: [tag], operationId: `download${type}${fieldType}`, summary: `Download the ${fieldLabel} of ${article(label)}`,
        parameters: [param('RecordId')],
        responses: { 200: { description: 'The file, as an attachment', headers: { 'Content-Disposition': header('ContentDispositionAttachment') }, content: fileContent(field) }, ...problems(404) },
      },
    };
  }
  return paths;
}

export function entityPaths(e: EntityDoc): Record<string, Schema> {
  const base = `/api/entities/${e.entity.name}/records`;
  return { ...collectionPaths(e, base), ...bulkPaths(e, base), ...itemPaths(e, base), ...filePaths(e, base) };
}

const entityParam = { name: 'entity', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-z0-9_]{1,39}$' } };
const fieldParam = { name: 'field', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z][a-zA-Z0-9]{0,62}$' } };
const definitionOut = (description: string) => ok(description, schemaRef('EntityDefinitionVersion'), versioned);

/** Metadata, health and the document itself. */
export function staticPaths(): Record<string, Schema> {
  const tags = ['Metadata'];
  const writes = { parameters: [param('IfMatch')] };
  return {
    '/api/metadata/entities': {
      get: { tags, operationId: 'listEntities', summary: 'List entity definitions', responses: { 200: ok('Every live entity', { type: 'object', required: ['data'], properties: { data: { type: 'array', items: schemaRef('EntityDefinitionVersion') } } }) } },
      post: {
        tags, operationId: 'createEntity', summary: 'Create an entity', requestBody: body(schemaRef('EntityDefinition')),
        responses: { 201: ok('The entity created, live at once', schemaRef('EntityDefinitionVersion'), { ...versioned, Location: header('Location') }), ...problems(400, 409, 413, 422) },
      },
    },
    '/api/metadata/entities/{entity}': {
      parameters: [entityParam],
      get: { tags, operationId: 'getEntity', summary: 'Get an entity definition', responses: { 200: definitionOut('The current definition'), ...problems(404) } },
      put: { tags, operationId: 'replaceEntity', summary: 'Replace an entity definition', ...writes, requestBody: body(schemaRef('EntityDefinition')), responses: { 200: definitionOut('The definition as saved'), ...problems(400, 404, 409, 412, 413, 422) } },
      delete: { tags, operationId: 'deleteEntity', summary: 'Delete an entity (its records stay stored)', ...writes, responses: { 204: { description: 'Deleted' }, ...problems(400, 404, 409, 412) } },
    },
    '/api/metadata/entities/{entity}/history': {
      parameters: [entityParam],
      get: { tags, operationId: 'getEntityHistory', summary: 'Versions of an entity definition, newest first', responses: { 200: ok('The versions', { type: 'object', required: ['data'], properties: { data: { type: 'array', items: schemaRef('EntityHistoryEntry') } } }), ...problems(404) } },
    },
    '/api/metadata/entities/{entity}/fields': {
      parameters: [entityParam],
      post: { tags, operationId: 'addEntityField', summary: 'Add a field to an entity', ...writes, requestBody: body(schemaRef('EntityField')), responses: { 201: definitionOut('The definition with the new field'), ...problems(400, 404, 409, 412, 413, 422) } },
    },
    '/api/metadata/entities/{entity}/fields/{field}': {
      parameters: [entityParam, fieldParam],
      put: { tags, operationId: 'replaceEntityField', summary: 'Replace a field of an entity', ...writes, requestBody: body(schemaRef('EntityField')), responses: { 200: definitionOut('The definition as saved'), ...problems(400, 404, 409, 412, 413, 422) } },
      delete: { tags, operationId: 'removeEntityField', summary: 'Remove a field (its stored values stay)', ...writes, responses: { 200: definitionOut('The definition without the field'), ...problems(400, 404, 412, 422) } },
    },
    '/api/openapi.json': {
      get: { tags: ['API'], operationId: 'getOpenApiDocument', summary: 'This document, built from the live metadata', responses: { 200: ok('OpenAPI 3.1', { type: 'object' }, versioned) } },
    },
    '/healthz': {
      get: { tags: ['Health'], operationId: 'getHealth', summary: 'The process is up', security: [], responses: { 200: ok('Up', status('ok')) } },
    },
    '/readyz': {
      get: { tags: ['Health'], operationId: 'getReadiness', summary: 'The database answers', security: [], responses: { 200: ok('Ready', status('ready')), ...problems(503) } },
    },
  };
}

const status = (value: string): Schema => ({ type: 'object', required: ['status'], properties: { status: { const: value } } });
