/**
 * Who may read a record's template title (issue 7). A title is rendered from everything its
 * template reads, so a reader sees it only when they can see every field it read: those of the
 * record (`_titleUses`, stored with the title) and, for a related record's field, read permission
 * on that entity (in scope `all`: the title does not say which related record it read) and that
 * field. Anyone else gets the record without `_title`, and whatever shows it falls back to the
 * title field they may see.
 */
import type { Document } from 'mongodb';
import { AUDIT_FIELDS, type CompiledEntity } from '../metadata/index.ts';
import type { Actor, EntityPermissions } from '../shared/actor.ts';

/** A title stored before its uses were recorded counts as reading everything. */
const EVERYTHING = ['*'];

type Lookup = (name: string) => CompiledEntity | undefined;

/** Decides for one reader; answers are kept per set of uses (a list has one template's uses). */
export function titleReader(lookup: Lookup, entity: CompiledEntity, actor: Actor): (doc: Document) => string | undefined {
  const answers = new Map<string, boolean>();
  return (doc) => {
    if (typeof doc._title !== 'string') return undefined;
    const uses = Array.isArray(doc._titleUses) ? (doc._titleUses as string[]) : EVERYTHING;
    const key = uses.join(',');
    let ok = answers.get(key);
    if (ok === undefined) answers.set(key, (ok = seesAll(lookup, entity, actor, uses)));
    return ok ? doc._title : undefined;
  };
}

/** Whether the reader may search by the words of any title of `entity`: they see everything a title could read. */
export function seesEveryTitle(entity: CompiledEntity, actor: Actor): boolean {
  return seesAll(() => undefined, entity, actor, EVERYTHING);
}

const noneHidden = (perms: EntityPermissions): boolean => !Object.values(perms.fields).includes('hidden');
const BUILT_IN = new Set<string>(['_id', ...AUDIT_FIELDS]);
/** A name the entity has now: a title made from a field since renamed or removed shows to no one until it is rendered again. */
const current = (entity: CompiledEntity, name: string): boolean => BUILT_IN.has(name) || entity.fields.has(name);

function seesAll(lookup: Lookup, entity: CompiledEntity, actor: Actor, uses: string[]): boolean {
  const perms = actor.permissions(entity.name);
  /** A related record's field, or all of it (`field` undefined, or its own title): in read scope `all`, since a title does not know the reader's scope. */
  const seesRelated = (target: string, field: string | undefined): boolean => {
    const related = actor.permissions(target);
    if (!related.operations.read || !related.read.all) return false;
    if (field === undefined || field === '_title') return noneHidden(related);
    const known = lookup(target);
    return related.fields[field] !== 'hidden' && (!known || current(known, field));
  };
  for (const use of uses) {
    if (use === '*') {
      if (!noneHidden(perms) || entity.relations.some((r) => !seesRelated(r.target, undefined))) return false;
      continue;
    }
    const [head, sub] = use.split('.') as [string, string | undefined];
    if (perms.fields[head] === 'hidden' || !current(entity, head)) return false;
    const field = entity.fields.get(head);
    if (field?.type === 'relation' && !seesRelated(field.target, sub)) return false;
  }
  return true;
}
