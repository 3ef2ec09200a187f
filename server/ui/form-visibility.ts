/**
 * A form as one user sees it (issue 8): fields they may not read are gone, and so are fields
 * archived since the form was saved (a restore brings them back), related lists of entities they
 * cannot read or through relations that no longer hold, and the sections and tabs left empty.
 * A condition on a field they cannot read is dropped rather than the field it governs: the
 * studio could never evaluate it, and the field itself is readable.
 */
import type { CompiledEntity, MetadataRegistry } from '../metadata/index.ts';
import { visibleDefinition, visibleNames } from '../records/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { FormDefinition, FormItem, FormSection } from './form.types.ts';

export type Form = FormDefinition & { name: string; entity: string };

type Seeing = { entity: CompiledEntity; registry: MetadataRegistry; actor: Actor; readable: (entity: CompiledEntity, field: string) => boolean };

/** Whether the actor may read a field (a live one, not hidden from them); each entity's visible names computed once. */
function readableBy(actor: Actor): Seeing['readable'] {
  const visible = new Map<string, Set<string> | null>();
  return (entity, name) => {
    if (!entity.fields.has(name)) return false;
    if (!visible.has(entity.name)) visible.set(entity.name, visibleNames(entity, actor.permissions(entity.name)));
    return visible.get(entity.name)?.has(name) ?? true;
  };
}

function shownItem(s: Seeing, item: FormItem): FormItem[] {
  if (item.kind === 'text') return [item];
  if (item.kind === 'field') {
    if (!s.readable(s.entity, item.field)) return [];
    if (item.visibleWhen && !s.readable(s.entity, item.visibleWhen.field)) {
      const { visibleWhen: _dropped, ...rest } = item;
      return [rest];
    }
    return [item];
  }
  const child = s.registry.get(item.entity);
  if (!child || !s.actor.permissions(child.name).operations.read) return [];
  const via = child.fields.get(item.via);
  if (via?.type !== 'relation' || via.target !== s.entity.name || !s.readable(child, item.via)) return [];
  const columns = item.columns.filter((c) => s.readable(child, c));
  return columns.length ? [{ ...item, columns }] : [];
}

function shownSection(s: Seeing, section: FormSection): FormSection[] {
  const items = section.items.flatMap((item) => shownItem(s, item));
  return items.length || !section.items.length ? [{ ...section, items }] : [];
}

export function visibleForm(input: Omit<Seeing, 'readable'>, form: Form): Form {
  const s: Seeing = { ...input, readable: readableBy(input.actor) };
  const tabs = form.tabs.flatMap((tab) => {
    const sections = tab.sections.flatMap((section) => shownSection(s, section));
    return sections.length || !tab.sections.length ? [{ ...tab, sections }] : [];
  });
  return { ...form, tabs };
}

/** No form fits: one tab, one two-column section, every field the actor may read in entity order. */
export function generatedForm(entity: CompiledEntity, actor: Actor): Form {
  const fields = visibleDefinition(entity, actor.permissions(entity.name)).fields;
  const label = entity.definition.label;
  return { name: 'default', label, entity: entity.name, tabs: [{ label, sections: [{ columns: 2, items: fields.map((f) => ({ kind: 'field' as const, field: f.name })) }] }] };
}
