/**
 * Checks a candidate entity definition: first the meta-schema (schemas/entity.schema.json), then
 * the rules a schema cannot express (names, references between fields and entities, formulas,
 * patterns, changes a live entity cannot take). Every problem is reported with a JSON Pointer.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import entitySchema from '../../schemas/entity.schema.json' with { type: 'json' };
import type { FieldError } from '../shared/errors.ts';
import type { EntityDefinition, Field } from './entity.types.ts';
import { createAjv, RESERVED_FIELD_NAMES } from './record-schema.ts';
import { checkFieldRules } from './validate-field.ts';
import { checkFormulas } from './validate-formulas.ts';

let metaValidator: ValidateFunction | undefined;

function metaSchema(): ValidateFunction {
  if (!metaValidator) {
    // `discriminator` picks the one field-type branch to report against, instead of all 26;
    // defaults (required: false, onDelete: restrict...) are written into the stored definition.
    metaValidator = createAjv({ discriminator: true, useDefaults: true }).compile(entitySchema);
  }
  return metaValidator;
}

/**
 * Checks a records filter against an entity (rollup filters; list views later). The filter
 * language belongs to the records capability, which hands this in, keeping dependencies one way.
 */
export type FilterChecker = (entity: EntityDefinition, filter: unknown) => FieldError[];

export type DefinitionContext = {
  checkFilter: FilterChecker;
  previous: EntityDefinition | null;
  /** Every other live entity, by name; the candidate itself is looked up from `definition`. */
  entities: ReadonlyMap<string, EntityDefinition>;
};

/** Fills schema defaults into `candidate` and returns it typed, or every problem found. */
export function validateDefinition(candidate: unknown, ctx: DefinitionContext): { ok: true; definition: EntityDefinition } | { ok: false; errors: FieldError[] } {
  const validate = metaSchema();
  const copy = structuredClone(candidate);
  if (!validate(copy)) {
    return { ok: false, errors: (validate.errors ?? []).map((e) => ({ pointer: e.instancePath || '/', detail: describe(e) })) };
  }
  const definition = copy as EntityDefinition;
  definition.indexes ??= [];
  definition.searchFields ??= [];
  const errors = [...checkEntityRules(definition, ctx), ...checkFieldRules(definition, ctx), ...checkFormulas(definition, ctx)];
  return errors.length ? { ok: false, errors } : { ok: true, definition };
}

function describe(e: { keyword: string; message?: string; params: Record<string, unknown> }): string {
  if (e.keyword === 'unevaluatedProperties' || e.keyword === 'additionalProperties') {
    return `has an unknown property "${String(e.params.unevaluatedProperty ?? e.params.additionalProperty)}"`;
  }
  if (e.keyword === 'discriminator') return `unknown field type "${String(e.params.tagValue)}"`;
  return e.message ?? 'is invalid';
}

function checkEntityRules(d: EntityDefinition, ctx: DefinitionContext): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  d.fields.forEach((f: Field, i) => {
    if (RESERVED_FIELD_NAMES.has(f.name)) errors.push({ pointer: `/fields/${i}/name`, detail: `"${f.name}" is reserved for the system` });
    if (seen.has(f.name)) errors.push({ pointer: `/fields/${i}/name`, detail: `duplicates field ${seen.get(f.name)}` });
    seen.set(f.name, i);
  });
  const titleTypes = new Set(['text', 'email', 'phone', 'autonumber', 'fullName', 'formula', 'url', 'integer']);
  if (d.titleField && !titleTypes.has(d.fields.find((f) => f.name === d.titleField)?.type ?? '')) {
    errors.push({ pointer: '/titleField', detail: 'must name a text, email, phone, url, integer, autonumber, full name or formula field of this entity' });
  }
  const searchable = new Set(['text', 'longText', 'email', 'phone', 'url', 'autonumber', 'fullName', 'select']);
  d.searchFields?.forEach((name, i) => {
    if (!searchable.has(d.fields.find((f) => f.name === name)?.type ?? '')) {
      errors.push({ pointer: `/searchFields/${i}`, detail: 'must name a text-like field of this entity' });
    }
  });
  d.indexes?.forEach((index, i) => index.fields.forEach((k, j) => {
    const head = k.field.split('.')[0]!;
    if (!seen.has(head) && !['createdAt', 'updatedAt', 'ownerId'].includes(head)) {
      errors.push({ pointer: `/indexes/${i}/fields/${j}/field`, detail: `"${head}" is not a field of this entity` });
    }
  }));
  if (ctx.previous && ctx.previous.name !== d.name) errors.push({ pointer: '/name', detail: 'cannot be changed' });
  return errors;
}
