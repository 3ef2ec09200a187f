/** One update or delete statement, shared by update, delete, findAndModify and $merge. */
import { compareBson } from '../bson-values.ts';
import type { CollectionStore, Doc } from '../collection-store.ts';
import { applyUpdate, finishUpsert, isReplacement, upsertSeed, type UpdateSpec } from '../apply-update.ts';
import { prepareNewDocument } from '../doc-rules.ts';
import type { Engine } from '../engine.ts';
import type { WriteBatch } from '../journal-ops.ts';
import { fail } from '../engine-errors.ts';
import { matching, runFind } from '../query-exec.ts';

export type Target = {
  filter: Doc;
  sort?: Record<string, number>;
  collation?: Doc;
  variables?: Doc;
  hint?: unknown;
};

export type UpdateStatement = Target & {
  update: UpdateSpec;
  multi: boolean;
  upsert: boolean;
  arrayFilters?: Doc[];
};

/** Where a statement writes: the engine, the command's batch and the collection. */
export type WriteScope = { engine: Engine; batch: WriteBatch; ns: string };

export type UpdateOutcome = { n: number; nModified: number; upsertedId?: unknown; before?: Doc; after?: Doc };

export function findTargets(store: CollectionStore | undefined, target: Target, multi: boolean): Doc[] {
  if (!store) return [];
  checkHint(store, target.hint);
  if (multi) return [...matching(store, target)];
  return runFind(store, { ...target, limit: 1 });
}

function checkHint(store: CollectionStore, hint: unknown): void {
  if (hint === undefined || hint === null) return;
  const specs = store.indexSpecs();
  const found =
    typeof hint === 'string'
      ? specs.some((s) => s.name === hint)
      : specs.some((s) => compareBson(s.key, hint) === 0);
  if (!found) fail('BadValue', 'hint provided does not correspond to an existing index');
}

export function runUpdate({ engine, batch, ns }: WriteScope, stmt: UpdateStatement): UpdateOutcome {
  if (stmt.multi && isReplacement(stmt.update)) fail('FailedToParse', 'multi update is not supported for replacement-style update');
  const options = { arrayFilters: stmt.arrayFilters, variables: stmt.variables, collation: stmt.collation };
  const targets = findTargets(engine.store(ns), stmt, stmt.multi);
  if (targets.length === 0) {
    if (!stmt.upsert) return { n: 0, nModified: 0 };
    const doc = buildUpsert(stmt, options);
    engine.write(batch, { op: 'ins', ns, doc });
    return { n: 1, nModified: 0, upsertedId: doc._id, after: doc };
  }
  let nModified = 0;
  let after: Doc | undefined;
  for (const doc of targets) {
    const next = applyUpdate(doc, stmt.update, options);
    after = next;
    if (next === doc) continue;
    engine.write(batch, { op: 'put', ns, doc: next });
    nModified++;
  }
  return { n: targets.length, nModified, before: targets[0], after };
}

function buildUpsert(stmt: UpdateStatement, options: { arrayFilters?: Doc[]; variables?: Doc; collation?: Doc }): Doc {
  const seed = upsertSeed(stmt.filter);
  if (isReplacement(stmt.update)) {
    const id = stmt.update._id ?? seed._id;
    return prepareNewDocument(id === undefined ? { ...stmt.update } : { ...stmt.update, _id: id });
  }
  const doc = applyUpdate(seed, stmt.update, { ...options, inserting: true });
  return prepareNewDocument(finishUpsert(doc));
}

export function runDelete({ engine, batch, ns }: WriteScope, target: Target & { multi: boolean }): Doc[] {
  const targets = findTargets(engine.store(ns), target, target.multi);
  for (const doc of targets) engine.write(batch, { op: 'del', ns, id: doc._id });
  return targets;
}

