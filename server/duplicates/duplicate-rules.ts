/**
 * Duplicate rules (issue 5), admin-managed, in `duplicate_rules`: checked against
 * schemas/duplicate-rule.schema.json, then against the live entity (every problem with its JSON
 * Pointer, all at once). Saving a rule with new fields (re)computes its match key on every record
 * and indexes it; deleting one drops both.
 *
 * Every write asks for its entity's rules, so they are cached per entity for a second: a change
 * made here is live at once on this instance and within a second on the others (the same promise
 * as metadata polling). One cache per database, shared by the write guard and the routes.
 */
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import duplicateRuleSchema from '../../schemas/duplicate-rule.schema.json' with { type: 'json' };
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv, metadataProblems, type CompiledEntity, type MetadataRegistry } from '../metadata/index.ts';
import { summary } from '../records/validate-input.ts';
import type { FieldError } from '../shared/errors.ts';
import type { DuplicateRule } from './duplicate-rule.types.ts';
import { duplicateProblems } from './duplicates.problems.ts';
import { ttlCache } from '../shared/ttl-cache.ts';
import { fieldsRead, keyPath, matchKey, ruleFieldProblem, signatureOf, withDefaults, type RuleField } from './match-keys.ts';

export type Rule = { entity: string; name: string; label?: string; fields: RuleField[]; action: 'warn' | 'block'; active: boolean; signature: string; updatedAt: Date; updatedBy: string };
type RuleDoc = Rule & { _id: string };
export type RuleStore = ReturnType<typeof createRuleStore>;
type Deps = { db: Db; registry: MetadataRegistry };

const CACHE_MS = 1000;
const MAX_RULES = 20;
const REBUILD_BATCH = 500;
const NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;
export const RULES = 'duplicate_rules';

let validator: ValidateFunction | undefined;
const stores = new WeakMap<Db, RuleStore>();

/** The one rule store of this database. */
export function ruleStoreOf(deps: Deps): RuleStore {
  let store = stores.get(deps.db);
  if (!store) stores.set(deps.db, (store = createRuleStore(deps)));
  return store;
}

const invalid = (errors: FieldError[]) => duplicateProblems.invalidRule.create({ detail: summary(errors), errors });

/** Problems of a stored rule with today's definition of its entity (a field removed or changed type since). */
export function ruleProblems(entity: CompiledEntity, fields: readonly { field: string }[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const problem = ruleFieldProblem(entity, f.field);
    if (problem) errors.push({ pointer: `/fields/${i}/field`, detail: problem });
    else if (seen.has(f.field)) errors.push({ pointer: `/fields/${i}/field`, detail: 'is listed twice' });
    seen.add(f.field);
  });
  return errors;
}

function createRuleStore(deps: Deps) {
  const rules = deps.db.collection<RuleDoc>(RULES);

  const entityOf = (name: string): CompiledEntity => {
    const entity = deps.registry.get(name);
    if (!entity) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${name}"` });
    return entity;
  };

  function check(entity: CompiledEntity, name: string, body: unknown): { label?: string; fields: RuleField[]; action: 'warn' | 'block'; active: boolean } {
    if (!NAME.test(name)) throw invalid([{ pointer: '/name', detail: 'must start with a lower-case letter and have at most 40 letters and digits' }]);
    validator ??= createAjv({ useDefaults: true }).compile(duplicateRuleSchema);
    const copy = structuredClone(body);
    if (!validator(copy)) throw invalid((validator.errors ?? []).map(toFieldError));
    const rule = copy as DuplicateRule;
    const errors = [...(rule.name !== undefined && rule.name !== name ? [{ pointer: '/name', detail: `must be ${name}, the name in the URL` }] : []), ...ruleProblems(entity, rule.fields)];
    if (errors.length) throw invalid(errors);
    return { ...(rule.label ? { label: rule.label } : {}), fields: withDefaults(rule.fields), action: rule.action ?? 'warn', active: rule.active ?? true };
  }

  /** (Re)computes the rule's key on every record; a record changed meanwhile got its key from its own write. */
  async function rebuildKeys(entity: CompiledEntity, rule: Pick<Rule, 'name' | 'fields'>): Promise<number> {
    const collection = deps.db.collection(entity.collection);
    const path = keyPath(rule.name);
    await collection.createIndex({ [path]: 1 }, { name: `dup_${rule.name}` });
    const projection = Object.fromEntries([...fieldsRead(rule.fields), '_version'].map((f) => [f, 1]));
    let ops: AnyBulkWriteOperation[] = [];
    let keyed = 0;
    const flush = async () => {
      if (ops.length) await collection.bulkWrite(ops, { ordered: false });
      ops = [];
    };
    for await (const doc of collection.find({ _deleting: { $exists: false } }, { projection })) {
      const key = matchKey(entity, rule.fields, doc);
      if (key) keyed++;
      ops.push({ updateOne: { filter: { _id: doc._id, _version: doc._version }, update: key ? { $set: { [path]: key } } : { $unset: { [path]: '' } } } });
      if (ops.length >= REBUILD_BATCH) await flush();
    }
    await flush();
    return keyed;
  }

  const view = (r: Rule) => {
    const entity = deps.registry.get(r.entity);
    const problems = entity ? ruleProblems(entity, r.fields) : [];
    return { name: r.name, ...(r.label ? { label: r.label } : {}), fields: r.fields, action: r.action, active: r.active, updatedAt: r.updatedAt, updatedBy: r.updatedBy, ...(problems.length ? { problems } : {}) };
  };

  const load = async (entity: string): Promise<Rule[]> => (await rules.find({ entity }).sort({ name: 1 }).toArray()).map(({ _id, ...r }) => r);
  const cache = ttlCache(load, CACHE_MS);

  async function find(entity: string, name: string): Promise<Rule> {
    const doc = NAME.test(name) ? await rules.findOne({ _id: `${entity}/${name}` }) : null;
    if (!doc) throw duplicateProblems.ruleNotFound.create({ detail: `${entity} has no duplicate rule "${name}"` });
    const { _id, ...rule } = doc;
    return rule;
  }

  return {
    view,
    find,
    /** The entity's rules, cached for CACHE_MS; what every write consults. */
    forEntity: (entity: string): Promise<Rule[]> => cache.get(entity),
    /** The entity's rules if cached, without waiting; undefined when they must be read (forEntity). */
    cachedFor: (entity: string): Rule[] | undefined => cache.peek(entity),
    list: async (entity: string) => (await load(entityOf(entity).name)).map(view),
    async put(entityName: string, name: string, body: unknown, actorId: string) {
      const entity = entityOf(entityName);
      const checked = check(entity, name, body);
      const before = await rules.findOne({ _id: `${entity.name}/${name}` });
      if (!before && (await rules.countDocuments({ entity: entity.name })) >= MAX_RULES) throw invalid([{ pointer: '/name', detail: `${entity.name} already has ${MAX_RULES} duplicate rules` }]);
      const rule: Rule = { entity: entity.name, name, ...checked, signature: signatureOf(checked.fields), updatedAt: new Date(), updatedBy: actorId };
      await rules.replaceOne({ _id: `${entity.name}/${name}` }, rule, { upsert: true });
      cache.forget(entity.name);
      // Action, label and active do not change keys; new fields (or a new rule) do.
      const keyed = before?.signature === rule.signature ? undefined : await rebuildKeys(entity, rule);
      return { created: !before, rule: { ...view(rule), ...(keyed !== undefined ? { keyedRecords: keyed } : {}) } };
    },
    /**
     * A field's values changed outside the write pipeline (a type conversion) or it was renamed:
     * rules reading it follow the new name and every record's key is computed again.
     */
    async fieldChanged(entityName: string, field: string, renamedTo?: string): Promise<void> {
      const entity = entityOf(entityName);
      const reads = (f: RuleField) => f.field === field || f.field.startsWith(`${field}.`);
      for (const rule of await load(entity.name)) {
        if (!rule.fields.some(reads)) continue;
        const fields = renamedTo ? rule.fields.map((f) => (reads(f) ? { ...f, field: renamedTo + f.field.slice(field.length) } : f)) : rule.fields;
        await rules.updateOne({ _id: `${entity.name}/${rule.name}` }, { $set: { fields, signature: signatureOf(fields) } });
        await rebuildKeys(entity, { name: rule.name, fields });
      }
      cache.forget(entity.name);
    },
    async remove(entityName: string, name: string): Promise<void> {
      const entity = entityOf(entityName);
      const rule = await find(entity.name, name);
      await rules.deleteOne({ _id: `${entity.name}/${name}` });
      cache.forget(entity.name);
      const collection = deps.db.collection(entity.collection);
      await collection.dropIndex(`dup_${rule.name}`).catch(() => undefined);
      await collection.updateMany({ [keyPath(rule.name)]: { $exists: true } }, { $unset: { [keyPath(rule.name)]: '' } } as Document);
    },
  };
}

function toFieldError(e: ErrorObject): FieldError {
  const extra = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
  const detail = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not allowed' : e.keyword === 'enum' ? `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}` : e.message ?? 'is invalid';
  return { pointer: e.instancePath + extra || '/', detail };
}
