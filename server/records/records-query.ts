/**
 * Lists, counts, group-by summaries and the related ("360°") view. Each builds one MongoDB filter
 * from the query language, the search words and (issue 4) the actor's record scope, so lists,
 * counts, reports and related lists always agree.
 */
import type { Document, Filter, ObjectId } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import type { Actor } from '../shared/actor.ts';
import { authorize, scopeFilter, visibleDefinition, visibleNames, visibleOnly, withScope } from './access.ts';
import { recordProblems } from './records.problems.ts';
import { toApiRecords, parseExpand } from './read-enrich.ts';
import type { ApiRecord } from './record-view.ts';
import type { ReadContext } from './parents.ts';
import { searchFilter, searchFilterOnFields } from './search-tokens.ts';
import { seesEveryTitle } from './title-access.ts';
import { cursorFilter, encodeCursor, parseFields, parseSort, translateFilter } from './query/index.ts';
import { parseId, type Access } from './records.service.ts';

export type ListQuery = { filter?: unknown; q?: string; sort?: string; cursor?: string; limit?: number; fields?: string; expand?: string };
export type ListPage = { data: ApiRecord[]; nextCursor: string | null };

export const MAX_PAGE = 200;
const DEFAULT_PAGE = 50;

/**
 * Every condition a read applies: the client's filter and search, over the fields the actor can
 * see, and the actor's record scope, all in the one MongoDB filter.
 */
export function readFilter({ entity, perms, actor }: Access, query: Pick<ListQuery, 'filter' | 'q'>): Filter<Document> {
  const parts: Document[] = [];
  const visible = visibleDefinition(entity, perms);
  if (query.filter !== undefined) parts.push(translateFilter(visible, query.filter));
  const search = query.q ? searchFor(entity, visible, query.q, actor) : null;
  if (search) parts.push(search);
  const filter = parts.length === 0 ? {} : parts.length === 1 ? parts[0]! : { $and: parts };
  return withScope(filter, scopeFilter(entity, perms.read));
}

/**
 * `_search` holds the words of every search field; when some are hidden from the actor, search the
 * visible ones directly. Without search fields it holds the title field's and the template title's
 * words: an actor who may not see everything a title could read searches the title field itself.
 */
function searchFor(entity: CompiledEntity, visible: CompiledEntity['definition'], q: string, actor: Actor): Document | null {
  const all = entity.definition.searchFields ?? [];
  if (!all.length && !seesEveryTitle(entity, actor)) {
    const title = visible.titleField ? visible.fields.find((f) => f.name === visible.titleField) : undefined;
    return searchFilterOnFields(q, title ? [title] : []);
  }
  const shown = visible.searchFields ?? [];
  return shown.length === all.length ? searchFilter(q) : searchFilterOnFields(q, shown.map((n) => entity.fields.get(n)!).filter(Boolean));
}

/** The access a read of `entity` needs: read permission, or 404. */
export function readAccess(entity: CompiledEntity, actor: Actor, op: 'read' | 'export' = 'read'): Access {
  return { entity, actor, perms: authorize(actor, entity, op) };
}

const shapeFor = (a: Access, fields: string[] | null, expand: string[][]) => ({ only: visibleOnly(fields ? new Set(fields) : null, visibleNames(a.entity, a.perms)), expand, actor: a.actor });

export function createRecordsQuery(ctx: ReadContext) {
  return {
    async list(a: Access, query: ListQuery): Promise<ListPage> {
      const { entity } = a;
      const visible = visibleDefinition(entity, a.perms);
      const limit = query.limit ?? DEFAULT_PAGE;
      const sort = parseSort(visible, query.sort);
      const fields = parseFields(visible, query.fields);
      const expand = parseExpand(ctx, entity, query.expand, a.actor);
      const after = cursorFilter(sort, query.cursor);
      const base = readFilter(a, query);
      const filter = after ? { $and: [base, after] } : base;
      const docs = await ctx.db.collection(entity.collection).find(filter, { projection: { _search: 0, _outbox: 0 } }).sort(sort).limit(limit + 1).toArray();
      const more = docs.length > limit;
      if (more) docs.length = limit;
      return {
        data: await toApiRecords(ctx, entity, docs, shapeFor(a, fields, expand)),
        nextCursor: more ? encodeCursor(sort, docs[docs.length - 1]!) : null,
      };
    },
    async count(a: Access, query: Pick<ListQuery, 'filter' | 'q'>): Promise<number> {
      return ctx.db.collection(a.entity.collection).countDocuments(readFilter(a, query));
    },
    /**
     * Every record that points at this one and that the actor can read, grouped by the relation
     * it points through; relations hidden from the actor, or from entities they cannot read, are left out.
     */
    async related(a: Access, id: string, limit: number) {
      const { entity } = a;
      const recordId: ObjectId = parseId(id);
      const exists = await ctx.db.collection(entity.collection).countDocuments(withScope({ _id: recordId }, scopeFilter(entity, a.perms.read)), { limit: 1 });
      if (!exists) throw recordProblems.recordNotFound.create({ detail: `There is no ${entity.name} record ${id}` });
      const groups = [];
      for (const { entity: child, field } of ctx.registry.inboundLinks(entity.name)) {
        const childPerms = a.actor.permissions(child.name);
        if (!childPerms.operations.read || !(visibleNames(child, childPerms)?.has(field.name) ?? true)) continue;
        const childAccess: Access = { entity: child, perms: childPerms, actor: a.actor };
        const path = field.type === 'manyToMany' ? `${field.name}._id` : field.name;
        const collection = ctx.db.collection(child.collection);
        const filter = withScope({ [path]: recordId }, scopeFilter(child, childPerms.read));
        const [total, docs] = await Promise.all([
          collection.countDocuments(filter),
          collection.find(filter, { projection: { _search: 0, _outbox: 0 } }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray(),
        ]);
        groups.push({
          entity: child.name,
          field: field.name,
          label: field.relatedLabel ?? child.definition.pluralLabel,
          total,
          data: await toApiRecords(ctx, child, docs, shapeFor(childAccess, null, [])),
          filter: { field: field.name, op: field.type === 'manyToMany' ? 'containsAny' : 'eq', value: field.type === 'manyToMany' ? [id] : id },
        });
      }
      return groups;
    },
  };
}
