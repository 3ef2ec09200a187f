/**
 * The write pipeline's duplicate check (issue 5; the interface is server/records/duplicate-guard.ts).
 * For every create, and every update that changes a rule's key, each active rule's key is looked
 * up (one indexed query per rule). A `block` rule that matches refuses the write with
 * duplicate-record (409), naming the matching records the actor can read and at the pointers of
 * the rule's fields; `warn` matches are returned to the caller, and the write goes ahead.
 *
 * Imports: rows of one insertMany batch are not in the database when the next row is checked, so
 * a caller passes a `batch` map; keys of the rows prepared so far are checked there too. Two
 * concurrent creates of the same person can both pass (as in Salesforce or EspoCRM); the scan
 * finds them afterwards.
 */
import type { Db, ObjectId } from 'mongodb';
import type { CompiledEntity, MetadataRegistry } from '../metadata/index.ts';
import type { DuplicateCheck, DuplicateGuard, DuplicateMatch } from '../records/duplicate-guard.ts';
import { duplicateProblems } from './duplicates.problems.ts';
import { ruleProblems, ruleStoreOf, type Rule } from './duplicate-rules.ts';
import { findMatches, keysFor } from './find-matches.ts';

const batchKey = (rule: string, key: string): string => `${rule}\u0000${key}`;

export function createDuplicateGuard(deps: { db: Db; registry: MetadataRegistry }): DuplicateGuard {
  const store = ruleStoreOf(deps);
  const usable = (entity: CompiledEntity, rules: Rule[]) => rules.filter((r) => ruleProblems(entity, r.fields).length === 0);
  return {
    idle({ entity, before }) {
      const rules = before?._dupkeys ? undefined : store.cachedFor(entity.name);
      return rules !== undefined && usable(entity, rules).length === 0;
    },
    async check(input: DuplicateCheck): Promise<DuplicateMatch[]> {
      const { entity, doc, before, actor, options } = input;
      const rules = usable(entity, await store.forEntity(entity.name));
      if (!rules.length && !before?._dupkeys) return [];
      const keys = keysFor(entity, rules, doc);
      if (Object.keys(keys).length) doc._dupkeys = keys;
      else delete doc._dupkeys;
      const previous = (before?._dupkeys ?? {}) as Record<string, string>;
      const exclude = [doc._id as ObjectId, ...(options?.ignore ?? [])];
      const matches: DuplicateMatch[] = [];
      for (const rule of rules) {
        const key = keys[rule.name];
        if (!rule.active || !key || previous[rule.name] === key) continue;
        const found = await findMatches({ db: deps.db, entity, rule, key, exclude, actor });
        const inBatch = options?.batch?.get(batchKey(rule.name, key));
        const ids = [...(inBatch ? [inBatch] : []), ...found.ids.map((id) => id.toHexString())];
        if (ids.length || found.unseen) matches.push({ rule: rule.name, action: rule.action, fields: rule.fields.map((f) => f.field), ids, unseen: found.unseen });
      }
      const blocking = matches.filter((m) => m.action === 'block');
      if (blocking.length) throw blocked(entity.name, blocking, rules, input.pointerBase ?? '');
      if (options?.batch) for (const [rule, key] of Object.entries(keys)) if (!options.batch.has(batchKey(rule, key))) options.batch.set(batchKey(rule, key), String(doc._id));
      return matches;
    },
  };
}

function blocked(entity: string, matches: DuplicateMatch[], rules: Rule[], base: string) {
  const errors = matches.flatMap((m) => {
    const others = [...(m.ids.length ? [`${entity} ${m.ids.join(', ')}`] : []), ...(m.unseen ? [`${m.unseen} record(s) you cannot see`] : [])].join(' and ');
    return m.fields.map((field) => ({ pointer: `${base}/${field.replace('.', '/')}`, detail: `matches ${others} (rule ${m.rule})` }));
  });
  const first = matches[0]!;
  const label = rules.find((r) => r.name === first.rule)?.label ?? first.rule;
  const count = first.ids.length + first.unseen;
  return duplicateProblems.duplicateRecord.create({ detail: `This ${entity} duplicates ${count} existing record(s) under the rule "${label}"`, errors });
}
