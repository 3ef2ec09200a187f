/**
 * One entity version turned into what requests need: field lookup, the ajv validator, formulas in
 * evaluation order. Compiled once per version and cached by the registry (issue 3: "validators
 * and query plans are cached per version").
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { AutonumberField, EntityDefinition, Field, FileField, FormulaField, RelationField, ManyToManyField, RollupField } from './entity.types.ts';
import { compileFormula, type CompiledFormula } from './formula/index.ts';
import { compileInputValidator } from './record-schema.ts';

export type CompiledEntityFormula = { field: FormulaField; formula: CompiledFormula; readsParents: boolean };

export type CompiledEntity = {
  name: string;
  definition: EntityDefinition;
  version: number;
  metadataVersion: number;
  collection: string;
  fields: ReadonlyMap<string, Field>;
  relations: RelationField[];
  manyToMany: ManyToManyField[];
  autonumbers: AutonumberField[];
  files: FileField[];
  rollups: RollupField[];
  /** In dependency order: a formula comes after the formulas it reads. */
  formulas: CompiledEntityFormula[];
  /** Fields being converted to another type (issue 5): no write may change them until it is done. */
  locked: ReadonlySet<string>;
  validator(): ValidateFunction;
};

export const recordCollection = (entity: string): string => `rec_${entity}`;

export function compileEntity(input: { definition: EntityDefinition; version: number; metadataVersion: number; locks?: Record<string, unknown> }): CompiledEntity {
  const { locks, ...rest } = input;
  const { definition } = input;
  const fields = new Map(definition.fields.map((f) => [f.name, f]));
  const byType = <T extends Field['type']>(type: T) => definition.fields.filter((f): f is Extract<Field, { type: T }> => f.type === type);
  let validator: ValidateFunction | undefined;
  return {
    ...rest,
    locked: new Set(Object.keys(locks ?? {})),
    name: definition.name,
    collection: recordCollection(definition.name),
    fields,
    relations: byType('relation'),
    manyToMany: byType('manyToMany'),
    autonumbers: byType('autonumber'),
    files: byType('file'),
    rollups: byType('rollup'),
    formulas: orderFormulas(byType('formula'), fields),
    validator: () => (validator ??= compileInputValidator(definition)),
  };
}

/** Topological order; the definition validator has already refused cycles. */
export function orderFormulas(formulas: FormulaField[], fields: ReadonlyMap<string, Field>): CompiledEntityFormula[] {
  const compiled = new Map(formulas.map((f) => {
    const formula = compileFormula(f.expression);
    return [f.name, { field: f, formula, readsParents: formula.references.some((r) => r.length > 1) }];
  }));
  const ordered: CompiledEntityFormula[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const entry = compiled.get(name);
    if (!entry || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`formula cycle through ${name}`);
    state.set(name, 'visiting');
    for (const [head] of entry.formula.references) if (fields.get(head)?.type === 'formula') visit(head);
    state.set(name, 'done');
    ordered.push(entry);
  };
  for (const name of compiled.keys()) visit(name);
  return ordered;
}
