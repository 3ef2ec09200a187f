/**
 * Relation columns (issue 5): the cell names a target record by one of its fields ("Acme" → the
 * account whose name is Acme) or by its id. Resolved a batch at a time, one query per column for
 * the names not seen yet, within the importing user's read scope of the target (the API's rule:
 * you cannot link to what you cannot see). Names are matched exactly first, then ignoring case
 * for text fields. Answers are cached per import, up to a bound, so memory stays flat.
 */
import { ObjectId, type Document } from 'mongodb';
import { fieldTypeOf, type CompiledEntity, type Field } from '../metadata/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { WriteContext } from '../records/index.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import { coerceText } from './coerce-text.ts';
import type { ColumnMapping } from './import-mappings.ts';
import type { RowProblem } from './import-job.ts';

/** What a name resolves to: a record, several, or none. */
type Answer = ObjectId | 'ambiguous' | 'none';
export type Cell = { row: number; text: string };

const CACHE_MAX = 20_000;
const HEX_ID = /^[0-9a-f]{24}$/i;
const CASELESS = new Set<Field['type']>(['text', 'autonumber']);

const keyOf = (v: unknown): string => (v instanceof ObjectId ? v.toHexString() : v instanceof Date ? v.toISOString() : JSON.stringify(v));
const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The stored form of `text` in the match field (an email lower-cased, a phone in E.164...), or null. */
function operandOf(by: Field | undefined, text: string): unknown {
  if (!by) return HEX_ID.test(text) ? new ObjectId(text) : null;
  const coerced = coerceText(by, text);
  if (!coerced.ok || coerced.value === null) return null;
  const cast = fieldTypeOf(by).castOperand(coerced.value, by);
  return cast.ok ? cast.value : null;
}

export type ColumnResolver = (cells: Cell[]) => Promise<{ ids: Map<string, string>; problems: RowProblem[] }>;

/** The resolver of one relation column: its cells' texts → hex ids, or a problem per row. */
export function relationResolver(deps: { ctx: WriteContext; actor: Actor; field: Extract<Field, { type: 'relation' }>; column: ColumnMapping }): ColumnResolver {
  const { ctx, field, column } = deps;
  const target: CompiledEntity = ctx.registry.require(field.target);
  const perms = deps.actor.permissions(target.name);
  const scope = perms.operations.read ? scopeFilter(target, perms.read) : { _id: { $in: [] } };
  const by = column.match ? target.fields.get(column.match) : undefined;
  const path = column.match ?? '_id';
  const cache = new Map<string, Answer>();

  const remember = (text: string, answer: Answer) => {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(text, answer);
  };

  /** Target records whose `path` matches `filter`, grouped by `key` of their value. */
  async function find(filter: Document, key: (v: unknown) => string): Promise<Map<string, Answer>> {
    const found = new Map<string, Answer>();
    const docs = await ctx.db.collection(target.collection).find(withScope({ ...filter, _deleting: { $exists: false } }, scope), { projection: { [path]: 1 } }).toArray();
    for (const doc of docs) {
      const k = key(doc[path]);
      found.set(k, found.has(k) ? 'ambiguous' : (doc._id as ObjectId));
    }
    return found;
  }

  async function lookUp(texts: string[]): Promise<Map<string, Answer>> {
    const operands = new Map(texts.map((t) => [t, operandOf(by, t)]));
    const wanted = [...operands.values()].filter((v) => v !== null);
    const exact = wanted.length ? await find({ [path]: { $in: wanted } }, keyOf) : new Map<string, Answer>();
    const unmatched = texts.filter((t) => operands.get(t) === null || !exact.has(keyOf(operands.get(t))));
    // "acme" finds Acme when nothing is called exactly "acme".
    const caseless = by && CASELESS.has(by.type) && unmatched.length ? await find({ [path]: { $in: unmatched.map((t) => new RegExp(`^${escapeRegex(t)}$`, 'i')) } }, (v) => String(v).toLowerCase()) : new Map<string, Answer>();
    const answers = new Map<string, Answer>();
    for (const t of texts) {
      const op = operands.get(t);
      answers.set(t, (op !== null ? exact.get(keyOf(op)) : undefined) ?? caseless.get(t.toLowerCase()) ?? 'none');
      remember(t, answers.get(t)!);
    }
    return answers;
  }

  return async (cells) => {
    const answers = new Map<string, Answer>();
    for (const t of new Set(cells.map((c) => c.text))) if (cache.has(t)) answers.set(t, cache.get(t)!);
    const missing = [...new Set(cells.map((c) => c.text))].filter((t) => !answers.has(t));
    if (missing.length) for (const [t, a] of await lookUp(missing)) answers.set(t, a);
    const ids = new Map<string, string>();
    const problems: RowProblem[] = [];
    for (const { row, text } of cells) {
      const answer = answers.get(text) ?? 'none';
      if (answer === 'ambiguous') problems.push({ row, column: column.column, reason: `"${text}" matches more than one ${field.target}` });
      else if (answer === 'none') problems.push({ row, column: column.column, reason: `no ${field.target} has ${column.match ?? 'the id'} "${text}"` });
      else ids.set(text, answer.toHexString());
    }
    return { ids, problems };
  };
}
