/**
 * Who may read a record's template title (issue 7). A title is rendered from everything its
 * template reads, so a reader sees it only when they can see every field it read: those of the
 * record (`_titleUses`, stored with the title) and, for a related record's field, read permission
 * on that entity and that field. Anyone else gets the record without `_title`, and whatever
 * shows it falls back to the title field they may see. As with relation display values and
 * formulas, the related record's own read scope is not checked: only field permissions are.
 */
import type { Document } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import type { Actor, EntityPermissions } from '../shared/actor.ts';

/** A title stored before its uses were recorded counts as reading everything. */
const EVERYTHING = ['*'];

/** Decides for one reader; answers are kept per set of uses (a list has one template's uses). */
export function titleReader(entity: CompiledEntity, actor: Actor): (doc: Document) => string | undefined {
  const answers = new Map<string, boolean>();
  return (doc) => {
    if (typeof doc._title !== 'string') return undefined;
    const uses = Array.isArray(doc._titleUses) ? (doc._titleUses as string[]) : EVERYTHING;
    const key = uses.join(',');
    let ok = answers.get(key);
    if (ok === undefined) answers.set(key, (ok = seesAll(entity, actor, uses)));
    return ok ? doc._title : undefined;
  };
}

/** Whether the reader may search by the words of any title of `entity`: they see everything a title could read. */
export function seesEveryTitle(entity: CompiledEntity, actor: Actor): boolean {
  return seesAll(entity, actor, EVERYTHING);
}

const noneHidden = (perms: EntityPermissions): boolean => !Object.values(perms.fields).includes('hidden');

function seesAll(entity: CompiledEntity, actor: Actor, uses: string[]): boolean {
  const perms = actor.permissions(entity.name);
  /** A related record's field, or all of it (`field` undefined, or its own title). */
  const seesRelated = (target: string, field: string | undefined): boolean => {
    const related = actor.permissions(target);
    if (!related.operations.read) return false;
    return field === undefined || field === '_title' ? noneHidden(related) : related.fields[field] !== 'hidden';
  };
  for (const use of uses) {
    if (use === '*') {
      if (!noneHidden(perms) || entity.relations.some((r) => !seesRelated(r.target, undefined))) return false;
      continue;
    }
    const [head, sub] = use.split('.') as [string, string | undefined];
    if (perms.fields[head] === 'hidden') return false;
    const field = entity.fields.get(head);
    if (field?.type === 'relation' && !seesRelated(field.target, sub)) return false;
  }
  return true;
}
