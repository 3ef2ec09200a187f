/**
 * What a schema cannot say about a form (issue 8): the fields, related entities, relations and
 * columns it names exist, a field appears once, a related list's `via` is a relation of its
 * entity pointing at this one. Every problem with its JSON Pointer, all at once.
 */
import type { CompiledEntity, MetadataRegistry } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import type { FormDefinition, FormFieldItem, FormRelatedItem } from './form.types.ts';

/** All sections together: enough for a record page with every field of a large entity. */
export const MAX_FORM_ITEMS = 400;

type Walk = { entity: CompiledEntity; registry: MetadataRegistry; errors: FieldError[]; seen: Set<string> };

export function formProblems(entity: CompiledEntity, registry: MetadataRegistry, form: FormDefinition): FieldError[] {
  const walk: Walk = { entity, registry, errors: [], seen: new Set() };
  if (form.entity !== undefined && form.entity !== entity.name) walk.errors.push({ pointer: '/entity', detail: `must be ${entity.name}, the entity in the URL` });
  let count = 0;
  form.tabs.forEach((tab, t) =>
    tab.sections.forEach((section, s) =>
      section.items.forEach((item, i) => {
        const p = `/tabs/${t}/sections/${s}/items/${i}`;
        if (++count === MAX_FORM_ITEMS + 1) walk.errors.push({ pointer: p, detail: `a form holds at most ${MAX_FORM_ITEMS} items` });
        if (item.kind === 'field') checkField(walk, item, p);
        if (item.kind === 'related') checkRelated(walk, item, p);
      }),
    ),
  );
  return walk.errors;
}

function checkField(walk: Walk, item: FormFieldItem, p: string): void {
  const { entity, errors } = walk;
  if (!entity.fields.has(item.field)) errors.push({ pointer: `${p}/field`, detail: `is not a field of ${entity.name}` });
  else if (walk.seen.has(item.field)) errors.push({ pointer: `${p}/field`, detail: `${item.field} is already on this form` });
  walk.seen.add(item.field);
  const when = item.visibleWhen;
  if (!when) return;
  if (!entity.fields.has(when.field) || when.field === item.field) errors.push({ pointer: `${p}/visibleWhen/field`, detail: `must name another field of ${entity.name}` });
  if (when.op === 'in' && !Array.isArray(when.value)) errors.push({ pointer: `${p}/visibleWhen/value`, detail: 'must be a list for in' });
  if ((when.op === 'eq' || when.op === 'ne') && when.value === undefined) errors.push({ pointer: `${p}/visibleWhen/value`, detail: `is required for ${when.op}` });
}

function checkRelated(walk: Walk, item: FormRelatedItem, p: string): void {
  const child = walk.registry.get(item.entity);
  if (!child) return void walk.errors.push({ pointer: `${p}/entity`, detail: `there is no entity "${item.entity}"` });
  const via = child.fields.get(item.via);
  if (via?.type !== 'relation' || via.target !== walk.entity.name) walk.errors.push({ pointer: `${p}/via`, detail: `must be a relation field of ${child.name} pointing at ${walk.entity.name}` });
  item.columns.forEach((column, c) => {
    if (!child.fields.has(column)) walk.errors.push({ pointer: `${p}/columns/${c}`, detail: `is not a field of ${child.name}` });
  });
}
