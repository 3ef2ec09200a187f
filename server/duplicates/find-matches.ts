/**
 * Finding the records a rule matches (issue 5): one indexed lookup of the key, then each
 * candidate's key is recomputed from its current values, so a key left stale by a write that
 * bypassed the pipeline (a relation cleared by a delete, a field conversion) never reports a
 * false duplicate. Matches are split into those the actor can read (named) and the others
 * (only counted): a block rule still blocks on them, but never reveals which they are.
 */
import type { Db, Document, ObjectId } from 'mongodb';
import { fieldTypeOf, type CompiledEntity } from '../metadata/index.ts';
import { scopeFilter, visibleNames, withScope } from '../records/access.ts';
import { titleReader } from '../records/title-access.ts';
import type { Actor } from '../shared/actor.ts';
import { fieldsRead, keyPath, matchKey } from './match-keys.ts';
import type { Rule } from './duplicate-rules.ts';

/** The most records one rule reports for one record. */
export const MATCH_LIMIT = 20;

export type Found = { ids: ObjectId[]; unseen: number };

/** The rules' keys of a record, by rule name; rules it has a blank field for are left out. */
export function keysFor(entity: CompiledEntity, rules: readonly Rule[], doc: Document): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const rule of rules) {
    const key = matchKey(entity, rule.fields, doc);
    if (key) keys[rule.name] = key;
  }
  return keys;
}

export async function findMatches(input: { db: Db; entity: CompiledEntity; rule: Rule; key: string; exclude: readonly ObjectId[]; actor: Actor }): Promise<Found> {
  const { db, entity, rule, key, actor } = input;
  const collection = db.collection(entity.collection);
  const projection = Object.fromEntries(fieldsRead(rule.fields).map((f) => [f, 1]));
  const filter = { [keyPath(rule.name)]: key, _id: { $nin: [...input.exclude] }, _deleting: { $exists: false } };
  const candidates = await collection.find(filter, { projection }).limit(MATCH_LIMIT).toArray();
  const ids = candidates.filter((c) => matchKey(entity, rule.fields, c) === key).map((c) => c._id as ObjectId);
  if (!ids.length) return { ids, unseen: 0 };
  // Naming the records that share a value the actor cannot see would reveal that value.
  const readable = ruleSeesHidden(entity, rule, actor) ? new Set<string>() : await readableIds(db, entity, actor, ids);
  const seen = ids.filter((id) => readable.has(id.toHexString()));
  return { ids: seen, unseen: ids.length - seen.length };
}

/** Whether one of the rule's fields is hidden from the actor. */
export function ruleSeesHidden(entity: CompiledEntity, rule: Pick<Rule, 'fields'>, actor: Actor): boolean {
  const visible = visibleNames(entity, actor.permissions(entity.name));
  return !!visible && rule.fields.some((f) => !visible.has(f.field.split('.')[0]!));
}

/** Which of `ids` are in the actor's read scope. */
export async function readableIds(db: Db, entity: CompiledEntity, actor: Actor, ids: readonly ObjectId[]): Promise<Set<string>> {
  const perms = actor.permissions(entity.name);
  if (!perms.operations.read) return new Set();
  const scope = scopeFilter(entity, perms.read);
  if (!scope) return new Set(ids.map((id) => id.toHexString()));
  const docs = await db.collection(entity.collection).find(withScope({ _id: { $in: [...ids] } }, scope), { projection: { _id: 1 } }).toArray();
  return new Set(docs.map((d) => (d._id as ObjectId).toHexString()));
}

export type RecordRef = { _id: string; title: string | null };

/** Each record's id and title as the actor sees it: its template title, else its title field (null when hidden). */
export async function recordRefs(db: Db, entity: CompiledEntity, actor: Actor, ids: readonly ObjectId[], lookup: (name: string) => CompiledEntity | undefined): Promise<RecordRef[]> {
  const titleName = entity.definition.titleField;
  const field = titleName ? entity.fields.get(titleName) : undefined;
  const visible = visibleNames(entity, actor.permissions(entity.name));
  const shown = field && (!visible || visible.has(field.name)) ? field : undefined;
  const docs = await db.collection(entity.collection).find({ _id: { $in: [...ids] } }, { projection: { _title: 1, _titleUses: 1, ...(shown ? { [shown.name]: 1 } : {}) } }).toArray();
  const titleFor = titleReader(lookup, entity, actor);
  const byId = new Map(docs.map((d) => [(d._id as ObjectId).toHexString(), d]));
  return ids.map((id) => {
    const doc = byId.get(id.toHexString());
    const value = shown && doc && doc[shown.name] !== undefined ? fieldTypeOf(shown).toApi(doc[shown.name], shown) : null;
    const fromField = value && typeof value === 'object' ? (value as { display?: unknown }).display : value;
    const title = (doc && titleFor(doc)) ?? fromField;
    return { _id: id.toHexString(), title: title === null || title === undefined ? null : String(title) };
  });
}
