/**
 * Global search (issue 8): the records list's `q` search run on every entity the user can read,
 * in parallel, each in the user's read scope and over the fields they may see, then merged
 * entity by entity in turn so one large entity cannot crowd out the others. A query that looks
 * like a phone number also matches phone fields by their stored E.164 form: the number as typed
 * (read with each field's default country, so "020 7183 8750" is +442071838750 on a GB field),
 * or its national digits at the end of the stored number for fields without a default country.
 */
import type { CompiledEntity, EntityDefinition, Field } from '../metadata/index.ts';
import { createRecordsQuery, readAccess, searchWords, visibleDefinition, words, type Access, type ApiRecord, type ReadContext } from '../records/index.ts';
import type { Actor } from '../shared/actor.ts';
import { Problem } from '../shared/errors.ts';
import { titleOf } from './record-titles.ts';

export type SearchHit = { entity: string; entityLabel: string; id: string; title: string; matched: string };

type Query = ReturnType<typeof createRecordsQuery>;
type Plan = { a: Access; title?: string; searchable: string[]; phones: string[] };

const MIN_PHONE_DIGITS = 7;
const digitsOf = (value: unknown): string => String(value ?? '').replace(/\D/g, '');

/** The national digits of a phone-like query (leading zeros and punctuation dropped), or null. */
export function phoneDigits(q: string): string | null {
  if (!/^\+?[\d\s().-]+$/.test(q)) return null;
  const digits = digitsOf(q).replace(/^0+/, '');
  return digits.length >= MIN_PHONE_DIGITS ? digits : null;
}

/** The fields search reads for this user: visible search fields (or the visible title field), and visible phone fields. */
function planFor(entity: CompiledEntity, actor: Actor): Plan {
  const a = readAccess(entity, actor);
  const visible: EntityDefinition = visibleDefinition(entity, a.perms);
  const shown = (name: string | undefined) => (name && visible.fields.some((f) => f.name === name) ? name : undefined);
  const title = shown(entity.definition.titleField);
  const searchable = entity.definition.searchFields?.length ? (visible.searchFields ?? []) : title ? [title] : [];
  const phones = visible.fields.filter((f: Field) => f.type === 'phone').map((f) => f.name);
  return { a, title, searchable, phones };
}

/** The search field whose words match every word typed, else one matching some, else the first. */
function matchedText(record: ApiRecord, fields: string[], q: string): string {
  const wanted = words(q);
  const hits = (name: string) => {
    const stored = searchWords([record[name]]);
    return wanted.filter((w) => stored.some((s) => s.startsWith(w))).length;
  };
  return fields.find((f) => hits(f) === wanted.length) ?? fields.find((f) => hits(f) > 0) ?? fields[0] ?? '';
}

async function entityHits(query: Query, plan: Plan, q: string, limit: number): Promise<SearchHit[]> {
  const { a, title, searchable, phones } = plan;
  const names = [...new Set([title, ...searchable, ...phones].filter((n): n is string => !!n))];
  const fields = names.length ? names.join(',') : undefined;
  const digits = phones.length ? phoneDigits(q) : null;
  const phoneFilter = digits && { or: phones.flatMap((field) => [{ field, op: 'eq', value: q }, { field, op: 'endsWith', value: digits }]) };
  const [byPhone, byText] = await Promise.all([
    phoneFilter ? query.list(a, { filter: phoneFilter, limit, fields }) : { data: [] },
    searchable.length ? query.list(a, { q, limit, fields }) : { data: [] },
  ]);
  const hits = new Map<string, SearchHit>();
  const hit = (record: ApiRecord, matched: string) => ({ entity: a.entity.name, entityLabel: a.entity.definition.label, id: record._id, title: titleOf(a.entity, record), matched });
  for (const r of byPhone.data) hits.set(r._id, hit(r, phones.find((p) => digitsOf(r[p]).endsWith(digits!)) ?? phones[0]!));
  for (const r of byText.data) if (!hits.has(r._id)) hits.set(r._id, hit(r, matchedText(r, searchable, q)));
  return [...hits.values()].slice(0, limit);
}

/** One from each entity in turn, until `limit`. */
function interleave(lists: SearchHit[][], limit: number): SearchHit[] {
  const out: SearchHit[] = [];
  for (let i = 0; out.length < limit && lists.some((l) => i < l.length); i++) {
    for (const list of lists) if (i < list.length && out.length < limit) out.push(list[i]!);
  }
  return out;
}

export function createGlobalSearch(ctx: ReadContext) {
  const query = createRecordsQuery(ctx);
  return async function search(actor: Actor, q: string, limit: number): Promise<SearchHit[]> {
    const entities = ctx.registry.all().filter((e) => actor.permissions(e.name).operations.read).sort((x, y) => x.definition.label.localeCompare(y.definition.label));
    const lists = await Promise.all(
      entities.map((entity) =>
        entityHits(query, planFor(entity, actor), q, limit).catch((err: unknown) => {
          // A definition the query language refuses (a field converted mid-search) skips that entity, not the search.
          if (err instanceof Problem) return [];
          throw err;
        }),
      ),
    );
    return interleave(lists, limit);
  };
}
