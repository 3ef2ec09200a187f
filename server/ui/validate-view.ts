/**
 * What a schema cannot say about a list view (issue 8), checked against the entity as its author
 * sees it: columns and fields exist and are not hidden from them (a view cannot become a way to
 * read a hidden field), the filter and sort are what the records API accepts, a kanban board has
 * a select field and a calendar a date field. Every problem with its JSON Pointer, all at once.
 */
import { AUDIT_FIELDS, type EntityDefinition } from '../metadata/index.ts';
import { filterProblems, parseSort } from '../records/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { problemsOf } from './schema-check.ts';
import type { ViewDefinition } from './view.types.ts';

const DATE_TYPES = new Set(['date', 'datetime']);

/** The type of a field the author may see; the audit fields every record has are datetimes and user ids. */
function typeOf(visible: EntityDefinition, name: string): string | undefined {
  if ((AUDIT_FIELDS as readonly string[]).includes(name)) return name.endsWith('At') ? 'datetime' : 'user';
  return visible.fields.find((f) => f.name === name)?.type;
}

export function viewProblems(visible: EntityDefinition, view: ViewDefinition): FieldError[] {
  const errors: FieldError[] = [];
  const at = (pointer: string, detail: string) => errors.push({ pointer, detail });
  if (view.entity !== undefined && view.entity !== visible.name) at('/entity', `must be ${visible.name}, the entity in the URL`);
  const seen = new Set<string>();
  view.columns.forEach((column, i) => {
    if (!typeOf(visible, column)) at(`/columns/${i}`, `is not a field of ${visible.name}`);
    else if (seen.has(column)) at(`/columns/${i}`, `${column} is already a column`);
    seen.add(column);
  });
  if (view.groupBy !== undefined && !typeOf(visible, view.groupBy)) at('/groupBy', `is not a field of ${visible.name}`);
  if (view.kind === 'kanban' && view.kanbanField === undefined) at('/kanbanField', 'is required for a kanban view');
  if (view.kanbanField !== undefined && typeOf(visible, view.kanbanField) !== 'select') at('/kanbanField', `must be a select field of ${visible.name}`);
  if (view.kind === 'calendar' && view.dateField === undefined) at('/dateField', 'is required for a calendar view');
  if (view.dateField !== undefined && !DATE_TYPES.has(typeOf(visible, view.dateField) ?? '')) at('/dateField', `must be a date or datetime field of ${visible.name}`);
  if (view.filter !== undefined) errors.push(...filterProblems(visible, view.filter));
  if (view.sort !== undefined) errors.push(...problemsOf(() => parseSort(visible, view.sort), '/sort'));
  return errors;
}
