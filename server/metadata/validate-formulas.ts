/** Formula fields must compile, read only fields that exist, and not depend on themselves. */
import type { FieldError } from '../shared/errors.ts';
import type { EntityDefinition, Field } from './entity.types.ts';
import type { DefinitionContext } from './validate-definition.ts';
import { compileFormula, FormulaError } from './formula/index.ts';
import { orderFormulas } from './compile-entity.ts';
import { AUDIT_FIELDS } from './record-schema.ts';

const SYSTEM_REFERENCES = new Set<string>(['_id', ...AUDIT_FIELDS]);

export function checkFormulas(d: EntityDefinition, ctx: DefinitionContext): FieldError[] {
  const errors: FieldError[] = [];
  const lookup = (name: string) => (name === d.name ? d : ctx.entities.get(name));
  d.fields.forEach((f, i) => {
    if (f.type !== 'formula') return;
    try {
      const compiled = compileFormula(f.expression);
      for (const path of compiled.references) {
        const problem = resolvePath(path, d, lookup);
        if (problem) errors.push({ pointer: `/fields/${i}/expression`, detail: problem });
      }
    } catch (err) {
      if (!(err instanceof FormulaError)) throw err;
      errors.push({ pointer: `/fields/${i}/expression`, detail: `${err.message} (at character ${err.position + 1})` });
    }
  });
  if (errors.length) return errors;
  const formulas = d.fields.filter((f): f is Extract<Field, { type: 'formula' }> => f.type === 'formula');
  try {
    orderFormulas(formulas, new Map(d.fields.map((f) => [f.name, f])));
  } catch (err) {
    errors.push({ pointer: '/fields', detail: (err as Error).message });
  }
  return errors;
}

/** `amount`, `account.name`, `account.owner.email`: every step but the last must be a relation. */
function resolvePath(path: string[], d: EntityDefinition, lookup: (name: string) => EntityDefinition | undefined): string | null {
  let entity: EntityDefinition | undefined = d;
  for (let i = 0; i < path.length; i++) {
    const name = path[i]!;
    const last = i === path.length - 1;
    if (last && SYSTEM_REFERENCES.has(name)) return null;
    const field: Field | undefined = entity?.fields.find((f) => f.name === name);
    if (!field) return `"${path.slice(0, i + 1).join('.')}" is not a field`;
    if (last) return field.type === 'rollup' || field.type === 'manyToMany' || field.type === 'file' ? `"${path.join('.')}" cannot be used in a formula` : null;
    if (field.type !== 'relation') return `"${path.slice(0, i + 1).join('.')}" is not a relation, so it has no fields`;
    entity = lookup(field.target);
  }
  return null;
}
