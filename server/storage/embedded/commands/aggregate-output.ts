/** $out and $merge, written through the engine so they are journalled like any other write. */
import { BSON, ObjectId } from 'bson';
import { CollectionStore, ID_INDEX, type Doc } from '../collection-store.ts';
import type { JournalOp, WriteBatch } from '../journal-ops.ts';
import { MAX_BSON_OBJECT_SIZE } from './handshake.commands.ts';
import { prepareNewDocument } from '../doc-rules.ts';
import { fail } from '../engine-errors.ts';
import { checkDbName, commitAfter, commitOps, namespaceOf, type CommandContext } from './command-context.ts';
import { runUpdate } from './write-statements.ts';
import { runFind } from '../query-exec.ts';

function targetNs(ctx: CommandContext, spec: unknown, stage: string): string {
  if (typeof spec === 'string') return namespaceOf(ctx, spec);
  const s = spec as { db?: string; coll?: string };
  if (!s || typeof s.coll !== 'string') fail('FailedToParse', `${stage} requires a collection name`);
  return namespaceOf({ ...ctx, db: checkDbName(s.db ?? ctx.db) }, s.coll);
}

/**
 * $out replaces the target's documents, keeping its indexes. The new contents are first built in
 * a scratch collection with the same indexes, so a duplicate or oversized document refuses the
 * whole stage before the target is touched.
 */
export async function writeOut(ctx: CommandContext, spec: unknown, results: Doc[]): Promise<void> {
  const ns = targetNs(ctx, spec, '$out');
  const existing = ctx.engine.store(ns);
  const indexes = existing?.indexSpecs().filter((s) => s.name !== ID_INDEX.name) ?? [];
  const docs = results.map((doc) => prepareNewDocument(doc));
  const scratch = new CollectionStore(ns);
  for (const index of indexes) scratch.createIndex(index);
  for (const doc of docs) {
    const size = BSON.calculateObjectSize(doc);
    if (size > MAX_BSON_OBJECT_SIZE) fail('BSONObjectTooLarge', `$out document too large: ${size} bytes`);
    scratch.insert(doc);
  }
  const ops: JournalOp[] = existing ? [{ op: 'dropColl', ns }] : [];
  ops.push({ op: 'createColl', ns, options: existing?.options ?? {} });
  for (const index of indexes) ops.push({ op: 'createIndex', ns, spec: index });
  for (const doc of docs) ops.push({ op: 'ins', ns, doc });
  await commitOps(ctx, ops);
}

type MergeSpec = { into: unknown; on?: string | string[]; whenMatched?: unknown; whenNotMatched?: string; let?: Doc };

export async function writeMerge(ctx: CommandContext, raw: unknown, results: Doc[]): Promise<void> {
  const spec: MergeSpec = typeof raw === 'string' || (raw as Doc)?.into === undefined ? { into: raw } : (raw as MergeSpec);
  const ns = targetNs(ctx, spec.into, '$merge');
  const on = spec.on === undefined ? ['_id'] : Array.isArray(spec.on) ? spec.on : [spec.on];
  const whenMatched = spec.whenMatched ?? 'merge';
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
  // $merge is not atomic in MongoDB either: what was merged before a failure stays merged.
  await commitAfter(ctx, (batch) => {
    for (const result of results) mergeOne(ctx, batch, { ns, on, whenMatched, whenNotMatched, spec, result });
  });
}

function mergeOne(
  ctx: CommandContext,
  batch: WriteBatch,
  m: { ns: string; on: string[]; whenMatched: unknown; whenNotMatched: string; spec: MergeSpec; result: Doc },
): void {
  const doc = m.result._id === undefined && m.on.includes('_id') ? { _id: new ObjectId(), ...m.result } : m.result;
  const filter = Object.fromEntries(m.on.map((f) => [f, doc[f] ?? null]));
  const [match] = runFind(ctx.engine.store(m.ns), { filter, limit: 1 });
  if (!match) {
    if (m.whenNotMatched === 'fail') fail('BadValue', '$merge could not find a matching document in the target collection');
    if (m.whenNotMatched === 'insert') ctx.engine.write(batch, { op: 'ins', ns: m.ns, doc: prepareNewDocument({ ...doc }) });
    return;
  }
  if (m.whenMatched === 'keepExisting') return;
  if (m.whenMatched === 'fail') fail('DuplicateKey', '$merge found a matching document with whenMatched: fail');
  const update = mergeUpdate(m.whenMatched, doc);
  if (!update) return;
  const variables = Array.isArray(update) ? { new: doc, ...m.spec.let } : undefined;
  runUpdate({ engine: ctx.engine, batch, ns: m.ns }, { filter: { _id: match._id }, update, multi: false, upsert: false, variables });
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
