/**
 * Reading duplicates (issue 5), always within the actor's read scope and never by a rule that
 * compares a field hidden from them:
 * - the scan: sets of records sharing a rule's key, one $group over the key, paginated by key;
 * - a record's likely duplicates, by every active rule (what a record page shows after a warning);
 * - a check of values not yet saved (what a form asks before it creates).
 */
import type { Db, Document, ObjectId } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import type { RecordsService } from '../records/index.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import { checkInput } from '../records/validate-input.ts';
import { recordProblems } from '../records/records.problems.ts';
import type { Actor } from '../shared/actor.ts';
import { duplicateProblems } from './duplicates.problems.ts';
import { ruleProblems, type Rule, type RuleStore } from './duplicate-rules.ts';
import { findMatches, keysFor, recordRefs, ruleSeesHidden, type RecordRef } from './find-matches.ts';
import { keyPath, matchKey } from './match-keys.ts';

/** The most records listed per duplicate set (the count says how many there are). */
const SET_LIMIT = 50;
const DEFAULT_PAGE = 20;
export const MAX_SCAN_PAGE = 100;

export type DuplicateSet = { count: number; records: RecordRef[] };
export type RuleMatches = { rule: string; action: 'warn' | 'block'; records: RecordRef[]; unseen: number };
type Deps = { db: Db; records: RecordsService; rules: RuleStore; lookup: (name: string) => CompiledEntity | undefined };

export function createDuplicateLookups(deps: Deps) {
  const { db, records, rules, lookup } = deps;

  /** The rules the actor may use on this entity: sound, and comparing only fields they can see. */
  async function usableRules(entity: CompiledEntity, actor: Actor): Promise<Rule[]> {
    return (await rules.forEntity(entity.name)).filter((r) => ruleProblems(entity, r.fields).length === 0 && !ruleSeesHidden(entity, r, actor));
  }

  async function matchesOf(entity: CompiledEntity, doc: Document, actor: Actor): Promise<RuleMatches[]> {
    const active = (await usableRules(entity, actor)).filter((r) => r.active);
    const keys = keysFor(entity, active, doc);
    const result: RuleMatches[] = [];
    for (const rule of active) {
      if (!keys[rule.name]) continue;
      const found = await findMatches({ db, entity, rule, key: keys[rule.name]!, exclude: doc._id ? [doc._id as ObjectId] : [], actor });
      if (found.ids.length || found.unseen) result.push({ rule: rule.name, action: rule.action, records: await recordRefs(db, entity, actor, found.ids, lookup), unseen: found.unseen });
    }
    return result;
  }

  async function scan(input: { entity: string; rule?: string; actor: Actor; cursor?: string; limit?: number }): Promise<{ data: DuplicateSet[]; nextCursor: string | null }> {
    const { entity, perms } = records.access(input.entity, input.actor, 'read');
    if (!input.rule) throw recordProblems.invalidQuery.create({ detail: 'rule is required: the name of a duplicate rule', errors: [{ pointer: '/rule', detail: 'is required' }] });
    if (input.cursor !== undefined && !/^[A-Za-z0-9_-]{22}$/.test(input.cursor)) throw recordProblems.invalidQuery.create({ detail: 'cursor is not one this scan returned', errors: [{ pointer: '/cursor', detail: 'must be a nextCursor of this scan' }] });
    const rule = (await usableRules(entity, input.actor)).find((r) => r.name === input.rule);
    if (!rule) throw duplicateProblems.ruleNotFound.create({ detail: `${entity.name} has no duplicate rule "${input.rule}" you can use` });
    const limit = input.limit ?? DEFAULT_PAGE;
    const path = keyPath(rule.name);
    const match = withScope({ [path]: input.cursor ? { $gt: input.cursor } : { $exists: true }, _deleting: { $exists: false } }, scopeFilter(entity, perms.read));
    const groups = await db
      .collection(entity.collection)
      .aggregate<{ _id: string; ids: ObjectId[] }>([
        { $match: match },
        { $group: { _id: `$${path}`, ids: { $push: '$_id' }, count: { $sum: 1 } } },
        { $match: { count: { $gt: 1 } } },
        { $sort: { _id: 1 } },
        { $limit: limit + 1 },
        { $project: { ids: { $slice: ['$ids', SET_LIMIT] } } },
      ])
      .toArray();
    const page = groups.slice(0, limit);
    const data: DuplicateSet[] = [];
    for (const group of page) {
      const ids = await stillMatching(entity, rule, group._id, group.ids);
      if (ids.length > 1) data.push({ count: ids.length, records: await recordRefs(db, entity, input.actor, ids, lookup) });
    }
    return { data, nextCursor: groups.length > limit ? page.at(-1)!._id : null };
  }

  /** The members whose current values still give the key (a write that bypassed the pipeline may have left a stale one). */
  async function stillMatching(entity: CompiledEntity, rule: Rule, key: string, ids: ObjectId[]): Promise<ObjectId[]> {
    const docs = await db.collection(entity.collection).find({ _id: { $in: ids } }).sort({ _id: 1 }).toArray();
    return docs.filter((d) => matchKey(entity, rule.fields, d) === key).map((d) => d._id as ObjectId);
  }

  return {
    scan,
    async ofRecord(entityName: string, id: string, actor: Actor): Promise<{ data: RuleMatches[] }> {
      const a = records.access(entityName, actor, 'read');
      return { data: await matchesOf(a.entity, await records.load(a, id), actor) };
    },
    /** Values as a create would take them (unknown and hidden fields refused), checked without saving. */
    async ofValues(entityName: string, body: unknown, actor: Actor): Promise<{ data: RuleMatches[] }> {
      const a = records.access(entityName, actor, 'read');
      const { set } = checkInput(a.entity, body, '', a.perms.fields);
      return { data: await matchesOf(a.entity, set, actor) };
    },
  };
}
