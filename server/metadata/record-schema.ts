/**
 * Builds, from one entity version, the JSON Schemas ajv compiles to check record input, and the
 * output schema OpenAPI documents. Null values never reach ajv: the pipeline treats them as
 * "clear this field" before validating, which keeps error messages about the value itself.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import type { EntityDefinition, Field } from './entity.types.ts';
import { fieldTypeOf, isClientWritable } from './field-types/index.ts';

// ajv-formats is CommonJS with `exports.default`; under NodeNext that arrives as `.default`.
const addFormats = ajvFormats.default.default ?? ajvFormats.default;

/** Who made and changed a record, and when: set by the server, readable and filterable by clients. */
export const AUDIT_FIELDS = ['createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'ownerId'] as const;
export const SYSTEM_FIELDS = ['_id', ...AUDIT_FIELDS, '_version'] as const;
export const RESERVED_FIELD_NAMES = new Set<string>([...SYSTEM_FIELDS, 'id', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty']);

export function createAjv(options: { useDefaults?: boolean; discriminator?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, ...options });
  addFormats(ajv);
  return ajv;
}

/** Schema of the client-writable fields; `additionalProperties: false` reports the rest. */
export function inputSchema(definition: EntityDefinition): Record<string, unknown> {
  const writable = definition.fields.filter(isClientWritable);
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(writable.map((f) => [f.name, fieldTypeOf(f).inputSchema(f)])),
  };
}

const systemOutput: Record<string, unknown> = {
  _id: { type: 'string', pattern: '^[0-9a-f]{24}$', readOnly: true },
  createdAt: { type: 'string', format: 'date-time', readOnly: true },
  createdBy: { type: 'string', readOnly: true },
  updatedAt: { type: 'string', format: 'date-time', readOnly: true },
  updatedBy: { type: 'string', readOnly: true },
  ownerId: { type: 'string', readOnly: true },
  _version: { type: 'integer', readOnly: true },
  _title: { type: 'string', readOnly: true, description: "The record's title from its entity's title template; absent when the entity has none" },
};

/** Schema of a record as the API returns it. */
export function outputSchema(definition: EntityDefinition): Record<string, unknown> {
  const fields = Object.fromEntries(
    definition.fields.map((f: Field) => {
      const schema = fieldTypeOf(f).outputSchema(f);
      return [f.name, { ...schema, ...(f.label ? { title: f.label } : {}), ...(f.description ? { description: f.description } : {}) }];
    }),
  );
  return { type: 'object', required: ['_id', '_version'], properties: { ...systemOutput, ...fields } };
}

export function compileInputValidator(definition: EntityDefinition): ValidateFunction {
  return createAjv().compile(inputSchema(definition));
}
