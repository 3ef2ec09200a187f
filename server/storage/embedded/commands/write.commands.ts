/**
 * insert, update, delete and findAndModify. Each command applies its statements to memory,
 * collecting write errors per statement (stopping at the first when ordered), then waits for
 * the journal fsync of everything it changed before it answers, unless its write concern says
 * `j: false` (engine.ts, commit).
 */
import type { Doc } from '../collection-store.ts';
import type { WriteBatch } from '../journal-ops.ts';
import { prepareNewDocument } from '../doc-rules.ts';
import { takeArrivedBytes } from '../arrived-bytes.ts';
import { asEngineError, fail } from '../engine-errors.ts';
import { Query } from '../mingo.ts';
import { cloneDeep } from 'mingo/util';
import { asDoc, commitAfter, writableNamespace, type CommandContext, letVariables, type CommandHandler } from './command-context.ts';
import { runDelete, runUpdate, type UpdateStatement } from './write-statements.ts';

type StatementResult = { n: number; nModified?: number; upserted?: { index: number; _id: unknown } };

/** Runs each statement, turning refusals into writeErrors; commits once at the end. */
async function runStatements(
  ctx: CommandContext,
  cmd: Doc,
  statements: unknown[],
  run: (stmt: Doc, index: number, batch: WriteBatch) => StatementResult,
): Promise<Doc> {
  const batch = ctx.engine.newBatch();
  const ordered = cmd.ordered !== false;
  const writeErrors: Doc[] = [];
  const upserted: Doc[] = [];
  let n = 0;
  let nModified = 0;
  for (const [index, stmt] of statements.entries()) {
    try {
      const result = run(asDoc(stmt, 'statement') ?? {}, index, batch);
      n += result.n;
      nModified += result.nModified ?? 0;
      if (result.upserted) upserted.push(result.upserted);
    } catch (err) {
      writeErrors.push(asEngineError(err).toWriteError(index));
      if (ordered) break;
    }
  }
  await ctx.engine.commit(batch, { durable: (cmd.writeConcern as Doc | undefined)?.j !== false });
  return {
    n,
    ...('update' in cmd ? { nModified } : {}),
    ...(upserted.length ? { upserted } : {}),
    ...(writeErrors.length ? { writeErrors } : {}),
    ok: 1,
  };
}

function listOf(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) fail('TypeMismatch', `BSON field '${field}' is missing or not an array`);
  return value;
}

const insert: CommandHandler = (cmd, ctx) => {
  const ns = writableNamespace(ctx, cmd.insert);
  return runStatements(ctx, cmd, listOf(cmd.documents, 'insert.documents'), (doc, _i, batch) => {
    const bytes = takeArrivedBytes(doc as Doc);
    const stored = prepareNewDocument(doc);
    // Unless the engine changed it (an _id added or moved first), the document is journalled as it arrived.
    ctx.engine.write(batch, { op: 'ins', ns, doc: stored }, stored === doc ? bytes : undefined);
    return { n: 1 };
  });
};

function updateStatement(stmt: Doc, cmd: Doc): UpdateStatement {
  if (stmt.u === undefined || stmt.u === null || typeof stmt.u !== 'object') fail('FailedToParse', "BSON field 'update.updates.u' is missing or invalid");
  return {
    filter: asDoc(stmt.q, 'q') ?? {},
    update: stmt.u as Doc,
    multi: stmt.multi === true,
    upsert: stmt.upsert === true,
    arrayFilters: stmt.arrayFilters as Doc[] | undefined,
    collation: asDoc(stmt.collation, 'collation'),
    variables: letVariables(cmd.let),
    hint: stmt.hint,
  };
}

const update: CommandHandler = (cmd, ctx) => {
  const ns = writableNamespace(ctx, cmd.update);
  return runStatements(ctx, cmd, listOf(cmd.updates, 'update.updates'), (stmt, index, batch) => {
    const outcome = runUpdate({ engine: ctx.engine, batch, ns }, updateStatement(stmt, cmd));
    return {
      n: outcome.n,
      nModified: outcome.nModified,
      ...(outcome.upsertedId !== undefined ? { upserted: { index, _id: outcome.upsertedId } } : {}),
    };
  });
};

const del: CommandHandler = (cmd, ctx) => {
  const ns = writableNamespace(ctx, cmd.delete);
  return runStatements(ctx, cmd, listOf(cmd.deletes, 'delete.deletes'), (stmt, _i, batch) => {
    const target = { filter: asDoc(stmt.q, 'q') ?? {}, collation: asDoc(stmt.collation, 'collation'), variables: letVariables(cmd.let), hint: stmt.hint };
    return { n: runDelete({ engine: ctx.engine, batch, ns }, { ...target, multi: Number(stmt.limit ?? 0) === 0 }).length };
  });
};

const findAndModify: CommandHandler = async (cmd, ctx) => {
  const ns = writableNamespace(ctx, cmd.findAndModify ?? cmd.findandmodify);
  const target = {
    filter: asDoc(cmd.query, 'query') ?? {},
    sort: asDoc(cmd.sort, 'sort') as Record<string, number> | undefined,
    collation: asDoc(cmd.collation, 'collation'),
    variables: letVariables(cmd.let),
    hint: cmd.hint,
  };
  if (cmd.remove === true && cmd.update !== undefined) fail('FailedToParse', 'Cannot specify both an update and remove=true');
  if (cmd.remove !== true && (cmd.update === undefined || cmd.update === null)) fail('FailedToParse', 'Either an update or remove=true must be specified');
  const project = projector(asDoc(cmd.fields, 'fields'));
  const { value, lastErrorObject } = await commitAfter(ctx, (batch) => {
    if (cmd.remove === true) {
      const removed = runDelete({ engine: ctx.engine, batch, ns }, { ...target, multi: false })[0];
      return { value: removed, lastErrorObject: { n: removed ? 1 : 0 } };
    }
    const outcome = runUpdate({ engine: ctx.engine, batch, ns }, {
      ...target,
      update: cmd.update as Doc,
      multi: false,
      upsert: cmd.upsert === true,
      arrayFilters: cmd.arrayFilters as Doc[] | undefined,
    });
    return {
      value: cmd.new === true ? outcome.after : outcome.before,
      lastErrorObject: {
        n: outcome.n,
        updatedExisting: outcome.upsertedId === undefined && outcome.n > 0,
        ...(outcome.upsertedId !== undefined ? { upserted: outcome.upsertedId } : {}),
      },
    };
  });
  return { lastErrorObject, value: value ? project(value) : null, ok: 1 };
};

/** The `fields` projection, checked before anything is written (a bad one must not follow a write). */
function projector(fields: Doc | undefined): (doc: Doc) => Doc {
  if (!fields || Object.keys(fields).length === 0) return (doc) => doc;
  // mingo deletes excluded nested fields from the document it is given, and this one is stored (or
  // shares embedded values with the stored one): it is projected from a copy.
  const apply = (doc: Doc) => new Query({}, {}).find<Doc>([cloneDeep(doc) as Doc], fields as never).all()[0]!;
  try {
    apply({});
  } catch (err) {
    throw asEngineError(err);
  }
  return apply;
}

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: del,
  findAndModify,
  findandmodify: findAndModify,
};
