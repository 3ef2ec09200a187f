/** $out and $merge, written through the engine so they are journalled like any other write. */
import { ObjectId } from 'bson';
import type { Doc } from '../collection-store.ts';
import { prepareNewDocument } from '../doc-rules.ts';
import { fail } from '../engine-errors.ts';
import { checkDbName, namespaceOf, type CommandContext } from './command-context.ts';
import { runUpdate } from './write-statements.ts';
import { runFind } from '../query-exec.ts';

function targetNs(ctx: CommandContext, spec: unknown, stage: string): string {
  if (typeof spec === 'string') return namespaceOf(ctx, spec);
  const s = spec as { db?: string; coll?: string };
  if (!s || typeof s.coll !== 'string') fail('FailedToParse', `${stage} requires a collection name`);
  return namespaceOf({ ...ctx, db: checkDbName(s.db ?? ctx.db) }, s.coll);
}

/** $out replaces the target's documents, keeping its indexes; all in one journal record. */
export async function writeOut(ctx: CommandContext, spec: unknown, results: Doc[]): Promise<void> {
  const ns = targetNs(ctx, spec, '$out');
  const existing = ctx.engine.store(ns);
  const batch = ctx.engine.newBatch();
  const indexes = existing?.indexSpecs().filter((s) => s.name !== '_id_') ?? [];
  if (existing) ctx.engine.write(batch, { op: 'dropColl', ns });
  ctx.engine.write(batch, { op: 'createColl', ns, options: existing?.options ?? {} });
  for (const spec of indexes) ctx.engine.write(batch, { op: 'createIndex', ns, spec });
  for (const doc of results) ctx.engine.write(batch, { op: 'ins', ns, doc: prepareNewDocument(doc) });
  await ctx.engine.commit(batch);
}

type MergeSpec = { into: unknown; on?: string | string[]; whenMatched?: unknown; whenNotMatched?: string; let?: Doc };

export async function writeMerge(ctx: CommandContext, raw: unknown, results: Doc[]): Promise<void> {
  const spec: MergeSpec = typeof raw === 'string' || (raw as Doc)?.into === undefined ? { into: raw } : (raw as MergeSpec);
  const ns = targetNs(ctx, spec.into, '$merge');
  const on = spec.on === undefined ? ['_id'] : Array.isArray(spec.on) ? spec.on : [spec.on];
  const whenMatched = spec.whenMatched ?? 'merge';
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
  const batch = ctx.engine.newBatch();
  for (const result of results) {
    const doc = result._id === undefined && on.includes('_id') ? { _id: new ObjectId(), ...result } : result;
    const filter = Object.fromEntries(on.map((f) => [f, doc[f] ?? null]));
    const [match] = runFind(ctx.engine.store(ns), { filter, limit: 1 });
    if (!match) {
      if (whenNotMatched === 'fail') fail('BadValue', '$merge could not find a matching document in the target collection');
      if (whenNotMatched === 'insert') ctx.engine.write(batch, { op: 'ins', ns, doc: prepareNewDocument({ ...doc }) });
      continue;
    }
    if (whenMatched === 'keepExisting') continue;
    if (whenMatched === 'fail') fail('DuplicateKey', '$merge found a matching document with whenMatched: fail');
    const update = mergeUpdate(whenMatched, doc);
    if (!update) continue;
    runUpdate(ctx.engine, batch, ns, { filter: { _id: match._id }, update, multi: false, upsert: false, variables: update === doc ? undefined : { new: doc, ...spec.let } });
  }
  await ctx.engine.commit(batch);
}

/** The update a matched document gets, or undefined when there is nothing to change. */
function mergeUpdate(whenMatched: unknown, doc: Doc): Doc | Doc[] | undefined {
  if (whenMatched === 'replace') {
    const { _id: _ignored, ...rest } = doc;
    return rest;
  }
  if (whenMatched === 'merge') {
    const { _id: _ignored, ...rest } = doc;
    return Object.keys(rest).length ? { $set: rest } : undefined;
  }
  if (Array.isArray(whenMatched)) return whenMatched as Doc[];
  fail('FailedToParse', `unsupported $merge whenMatched: ${String(whenMatched)}`);
}
