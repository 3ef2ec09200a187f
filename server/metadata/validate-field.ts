/** Per-field rules of a definition that the meta-schema cannot express. */
import { checkSync } from 'recheck';
import type { FieldError } from '../shared/errors.ts';
import type { EntityDefinition, Field } from './entity.types.ts';
import type { DefinitionContext, FilterChecker } from './validate-definition.ts';
import { fieldTypeOf } from './field-types/index.ts';
import { createAjv } from './record-schema.ts';

const NUMERIC = new Set(['integer', 'number', 'currency', 'percent', 'rating']);

export function checkFieldRules(d: EntityDefinition, ctx: DefinitionContext): FieldError[] {
  const errors: FieldError[] = [];
  const lookup = (name: string) => (name === d.name ? d : ctx.entities.get(name));
  d.fields.forEach((f, i) => {
    const at = (suffix: string, detail: string) => errors.push({ pointer: `/fields/${i}${suffix}`, detail });
    const before = ctx.previous?.fields.find((p) => p.name === f.name);
    if (before && before.type !== f.type) at('/type', `cannot change from ${before.type} to ${f.type} here; use a conversion plan`);
    if ((f.type === 'relation' || f.type === 'manyToMany') && !lookup(f.target)) at('/target', `there is no entity "${f.target}"`);
    if (f.type === 'relation' && f.required && f.onDelete === 'setNull') at('/onDelete', 'a required relation cannot be cleared when its target is deleted; use restrict or cascade');
    if (f.type === 'rollup') checkRollup({ rollup: f, parent: d, lookup, checkFilter: ctx.checkFilter }, (s, m) => at(s, m));
    if (f.type === 'text' && f.pattern !== undefined) {
      const problem = checkPattern(f.pattern);
      if (problem) at('/pattern', problem);
    }
    if (f.requiredWhen && !d.fields.some((o) => o.name === f.requiredWhen!.field && o !== f)) at('/requiredWhen/field', 'must name another field of this entity');
    if (f.unique && !['text', 'email', 'phone', 'url', 'integer', 'autonumber'].includes(f.type)) at('/unique', `${f.type} fields cannot be unique`);
    if (f.default !== undefined) {
      const problem = checkDefault(f);
      if (problem) at('/default', problem);
    }
  });
  return errors;
}

export type RollupCheck = {
  rollup: Extract<Field, { type: 'rollup' }>;
  parent: EntityDefinition;
  lookup: (name: string) => EntityDefinition | undefined;
  checkFilter: FilterChecker;
};

/** Whether a rollup still works against its child entity: its link, its field and its filter. */
export function checkRollup(c: RollupCheck, at: (suffix: string, detail: string) => void): void {
  const { rollup: f, parent: d } = c;
  const child = c.lookup(f.entity);
  if (!child) return at('/entity', `there is no entity "${f.entity}"`);
  const link = child.fields.find((x) => x.name === f.relationField);
  if (link?.type !== 'relation' || link.target !== d.name) at('/relationField', `must name a relation field of ${f.entity} that points at ${d.name}`);
  if (f.filter !== undefined) for (const e of c.checkFilter(child, f.filter)) at(`/filter${e.pointer.replace(/^\/filter/, '')}`, e.detail);
  if (f.function === 'count') return;
  const summarised = child.fields.find((x) => x.name === f.field);
  if (!summarised) return at('/field', `must name a field of ${f.entity}`);
  const orderable = NUMERIC.has(summarised.type) || ['date', 'datetime'].includes(summarised.type);
  if ((f.function === 'sum' || f.function === 'avg') && !NUMERIC.has(summarised.type)) at('/field', `${f.function} needs a numeric field`);
  else if (!orderable) at('/field', `${f.function} needs a numeric or date field`);
}

/** A pattern must compile as ajv will use it (unicode) and must not backtrack catastrophically. */
export function checkPattern(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  const diagnostics = checkSync(pattern, 'u', { timeout: 2000 });
  if (diagnostics.status === 'vulnerable') return 'can backtrack catastrophically (ReDoS); rewrite it without nested or overlapping repetition';
  if (diagnostics.status === 'unknown') return 'is too complex to prove safe from catastrophic backtracking; simplify it';
  return null;
}

function checkDefault(f: Field): string | null {
  const handler = fieldTypeOf(f);
  if (handler.source !== 'input') return 'computed fields cannot have a default';
  const validate = createAjv().compile(handler.inputSchema(f));
  if (!validate(f.default)) return `is not a valid value: ${validate.errors?.[0]?.message ?? 'invalid'}`;
  const stored = handler.toStored(f.default, f);
  return stored.ok ? null : `is not a valid value: ${stored.issues[0]?.detail}`;
}
