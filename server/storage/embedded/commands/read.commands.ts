/** find, getMore, killCursors, count and distinct. */
import { hasPath, idKeyOf, valuesAtPath } from '../bson-values.ts';
import type { Doc } from '../collection-store.ts';
import { fail } from '../engine-errors.ts';
import { matching, runFind, type FindSpec, type FindStats } from '../query-exec.ts';
import { findAsPipeline, isView, runPipeline } from '../pipeline-exec.ts';
import { asCount, asDoc, checkDbName, namespaceOf, letVariables, type CommandContext, type CommandHandler } from './command-context.ts';

function findSpec(cmd: Doc): FindSpec {
  const limit = asCount(cmd.limit, 'limit');
  return {
    filter: asDoc(cmd.filter, 'filter'),
    sort: asDoc(cmd.sort, 'sort') as Record<string, number> | undefined,
    projection: asDoc(cmd.projection, 'projection'),
    skip: asCount(cmd.skip, 'skip'),
    limit: limit === undefined ? undefined : Math.abs(limit),
    collation: asDoc(cmd.collation, 'collation'),
    variables: letVariables(cmd.let),
  };
}

/** Reads a view through its pipeline, everything else through the collection's indexes. */
function findDocs(ctx: CommandContext, ns: string, spec: FindSpec): Doc[] {
  if (!isView(ctx.engine, ns)) return runFind(ctx.engine.store(ns), spec);
  return runPipeline(ctx.engine, { ns, pipeline: findAsPipeline(spec), collation: spec.collation, variables: spec.variables });
}

const find: CommandHandler = (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.find);
  const docs = findDocs(ctx, ns, findSpec(cmd));
  const limit = asCount(cmd.limit, 'limit');
  const singleBatch = cmd.singleBatch === true || (limit !== undefined && limit < 0);
  return { cursor: ctx.cursors.start(ns, docs, asCount(cmd.batchSize, 'batchSize'), singleBatch), ok: 1 };
};

/** explain for find: which index answered and how many documents were examined. */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = asDoc(cmd.explain, 'explain');
  if (!inner || typeof inner.find !== 'string') fail('IllegalOperation', 'explain is only supported for find');
  const ns = namespaceOf(ctx, inner.find);
  const stats: FindStats = { docsExamined: 0 };
  const docs = runFind(ctx.engine.store(ns), findSpec(inner), stats);
  const stage = stats.indexName ? { stage: 'IXSCAN', indexName: stats.indexName } : { stage: 'COLLSCAN' };
  return {
    queryPlanner: { namespace: ns, winningPlan: { stage: 'FETCH', inputStage: stage } },
    executionStats: { nReturned: docs.length, totalDocsExamined: stats.docsExamined },
    ok: 1,
  };
};

const getMore: CommandHandler = (cmd, ctx) => {
  // Not namespaceOf: listCollections and database-level aggregate cursors live on `db.$cmd.*`;
  // the registry checks that the cursor belongs to this namespace.
  const ns = `${checkDbName(ctx.db)}.${String(cmd.collection)}`;
  if (cmd.getMore === undefined) fail('BadValue', 'getMore requires a cursor id');
  return { cursor: ctx.cursors.getMore(cmd.getMore, ns, asCount(cmd.batchSize, 'batchSize')), ok: 1 };
};

const killCursors: CommandHandler = (cmd, ctx) => {
  namespaceOf(ctx, cmd.killCursors);
  if (!Array.isArray(cmd.cursors)) fail('BadValue', 'killCursors requires a cursors array');
  return { ...ctx.cursors.kill(cmd.cursors), cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: CommandHandler = (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.count);
  const skip = asCount(cmd.skip, 'skip') ?? 0;
  const limit = Math.abs(asCount(cmd.limit, 'limit') ?? 0) || Number.POSITIVE_INFINITY;
  const spec = { filter: asDoc(cmd.query, 'query') ?? {}, collation: asDoc(cmd.collation, 'collation') };
  return { n: Math.max(0, Math.min(countMatching(ctx, ns, spec) - skip, limit)), ok: 1 };
};

function countMatching(ctx: CommandContext, ns: string, spec: FindSpec): number {
  if (isView(ctx.engine, ns)) return findDocs(ctx, ns, spec).length;
  const store = ctx.engine.store(ns);
  if (!store) return 0;
  if (Object.keys(spec.filter ?? {}).length === 0) return store.docs.size;
  let n = 0;
  for (const _doc of matching(store, spec)) n++;
  return n;
}

const distinct: CommandHandler = (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.distinct);
  if (typeof cmd.key !== 'string') fail('TypeMismatch', "BSON field 'distinct.key' is missing or not a string");
  const spec = { filter: asDoc(cmd.query, 'query'), collation: asDoc(cmd.collation, 'collation') };
  const store = ctx.engine.store(ns);
  const docs = isView(ctx.engine, ns) ? findDocs(ctx, ns, spec) : store ? matching(store, spec) : [];
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of valuesAtPath(doc as Doc, cmd.key)) {
      if (value === undefined || (value === null && !hasPath(doc, cmd.key))) continue;
      const key = idKeyOf(value);
      if (!seen.has(key)) seen.set(key, value);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};


export const readCommands: Record<string, CommandHandler> = { find, explain, getMore, killCursors, count, distinct };
