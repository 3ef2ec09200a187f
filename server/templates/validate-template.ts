/**
 * Checks a template document: the meta-schema (schemas/template.schema.json), then what a schema
 * says badly — which parts each kind needs and allows, the entity it names — then the Handlebars
 * source of each part (syntax, unsafe property names, unknown helpers) with line and column.
 * Every problem is reported with a JSON Pointer, all at once.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import templateSchema from '../../schemas/template.schema.json' with { type: 'json' };
import { createAjv, type MetadataRegistry } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { sourceErrors, type SourceError } from './template-source.ts';
import type { TemplateDefinition } from './template.types.ts';

let validator: ValidateFunction | undefined;

export type TemplateCheck = { ok: true; definition: TemplateDefinition } | { ok: false; errors: FieldError[]; syntax: boolean };

function toFieldError(e: ErrorObject): FieldError {
  if (e.keyword === 'additionalProperties') return { pointer: `${e.instancePath}/${String(e.params.additionalProperty)}`, detail: 'is not allowed here' };
  if (e.keyword === 'required') return { pointer: `${e.instancePath}/${String(e.params.missingProperty)}`, detail: 'is required' };
  if (e.keyword === 'enum') return { pointer: e.instancePath, detail: `must be one of ${(e.params.allowedValues as string[]).join(', ')}` };
  return { pointer: e.instancePath || '/', detail: e.message ?? 'is invalid' };
}

const RULES: Record<TemplateDefinition['kind'], { required: Array<'subject' | 'html' | 'text'>; oneOf?: Array<'html' | 'text'>; forbidden: Array<'subject' | 'html' | 'text'> }> = {
  email: { required: ['subject'], oneOf: ['html', 'text'], forbidden: [] },
  document: { required: ['html'], forbidden: ['subject'] },
  title: { required: ['text'], forbidden: ['subject', 'html'] },
  partial: { required: [], oneOf: ['html', 'text'], forbidden: ['subject'] },
};

function kindErrors(def: TemplateDefinition): FieldError[] {
  const rule = RULES[def.kind];
  const errors: FieldError[] = [];
  for (const part of rule.required) if (def.parts[part] === undefined) errors.push({ pointer: `/parts/${part}`, detail: `is required in a ${def.kind} template` });
  for (const part of rule.forbidden) if (def.parts[part] !== undefined) errors.push({ pointer: `/parts/${part}`, detail: `is not a part of a ${def.kind} template` });
  if (rule.oneOf && !rule.oneOf.some((p) => def.parts[p] !== undefined)) errors.push({ pointer: '/parts/html', detail: `a ${def.kind} template needs an html or a text part` });
  return errors;
}

/** `registry`, when given, checks that the entity exists. */
export function validateTemplate(candidate: unknown, registry?: MetadataRegistry): TemplateCheck {
  validator ??= createAjv().compile(templateSchema);
  const copy = structuredClone(candidate);
  if (!validator(copy)) return { ok: false, errors: (validator.errors ?? []).map(toFieldError), syntax: false };
  const definition = copy as TemplateDefinition;
  const errors = kindErrors(definition);
  if (registry && definition.entity && !registry.get(definition.entity)) errors.push({ pointer: '/entity', detail: `there is no entity "${definition.entity}"` });
  if (errors.length) return { ok: false, errors, syntax: false };
  const syntax: SourceError[] = sourceErrors(definition);
  return syntax.length ? { ok: false, errors: syntax, syntax: true } : { ok: true, definition };
}
