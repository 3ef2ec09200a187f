/**
 * Lists, counts, group-by summaries and the related ("360°") view. Each builds one MongoDB filter
 * from the query language, the search words and (issue 4) the actor's record scope, so lists,
 * counts, reports and related lists always agree.
 */
import type { Document, Filter, ObjectId } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import { toApiRecords, parseExpand } from './read-enrich.ts';
import type { ApiRecord } from './record-view.ts';
import type { ReadContext } from './parents.ts';
import { searchFilter } from './search-tokens.ts';
import { cursorFilter, encodeCursor, parseFields, parseSort, translateFilter } from './query/index.ts';
import { parseId } from './records.service.ts';

export type ListQuery = { filter?: unknown; q?: string; sort?: string; cursor?: string; limit?: number; fields?: string; expand?: string };
export type ListPage = { data: ApiRecord[]; nextCursor: string | null };

export const MAX_PAGE = 200;
const DEFAULT_PAGE = 50;

/** Every condition a read applies: the client's filter and search. */
export function readFilter(entity: CompiledEntity, query: Pick<ListQuery, 'filter' | 'q'>): Filter<Document> {
  const parts: Document[] = [];
  if (query.filter !== undefined) parts.push(translateFilter(entity.definition, query.filter));
  const search = query.q ? searchFilter(query.q) : null;
  if (search) parts.push(search);
  return parts.length === 0 ? {} : parts.length === 1 ? parts[0]! : { $and: parts };
}

export function createRecordsQuery(ctx: ReadContext) {
  return {
    async list(entity: CompiledEntity, query: ListQuery): Promise<ListPage> {
      const limit = query.limit ?? DEFAULT_PAGE;
      const sort = parseSort(entity.definition, query.sort);
      const fields = parseFields(entity.definition, query.fields);
      const expand = parseExpand(ctx, entity, query.expand);
      const after = cursorFilter(sort, query.cursor);
      const base = readFilter(entity, query);
      const filter = after ? { $and: [base, after] } : base;
      const docs = await ctx.db.collection(entity.collection).find(filter, { projection: { _search: 0, _outbox: 0 } }).sort(sort).limit(limit + 1).toArray();
      const more = docs.length > limit;
      if (more) docs.length = limit;
      return {
        data: await toApiRecords(ctx, entity, docs, { only: fields ? new Set(fields) : null, expand }),
        nextCursor: more ? encodeCursor(sort, docs[docs.length - 1]!) : null,
      };
    },
    async count(entity: CompiledEntity, query: Pick<ListQuery, 'filter' | 'q'>): Promise<number> {
      return ctx.db.collection(entity.collection).countDocuments(readFilter(entity, query));
    },
    /** Every record that points at this one, grouped by the relation it points through. */
    async related(entity: CompiledEntity, id: string, limit: number) {
      const recordId: ObjectId = parseId(id);
      const exists = await ctx.db.collection(entity.collection).countDocuments({ _id: recordId }, { limit: 1 });
      if (!exists) throw recordProblems.recordNotFound.create({ detail: `There is no ${entity.name} record ${id}` });
      const groups = [];
      for (const { entity: child, field } of ctx.registry.inboundLinks(entity.name)) {
        const path = field.type === 'manyToMany' ? `${field.name}._id` : field.name;
        const collection = ctx.db.collection(child.collection);
        const [total, docs] = await Promise.all([
          collection.countDocuments({ [path]: recordId }),
          collection.find({ [path]: recordId }, { projection: { _search: 0, _outbox: 0 } }).sort({ createdAt: -1, _id: -1 }).limit(limit).toArray(),
        ]);
        groups.push({
          entity: child.name,
          field: field.name,
          label: field.relatedLabel ?? child.definition.pluralLabel,
          total,
          data: await toApiRecords(ctx, child, docs, { only: null, expand: [] }),
          filter: { field: field.name, op: field.type === 'manyToMany' ? 'containsAny' : 'eq', value: field.type === 'manyToMany' ? [id] : id },
        });
      }
      return groups;
    },
  };
}
