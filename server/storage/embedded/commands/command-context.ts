import type { CursorRegistry } from '../cursors.ts';
import type { FailPoints } from '../fail-points.ts';
import type { Doc } from '../collection-store.ts';
import type { Engine } from '../engine.ts';
import type { JournalOp, WriteBatch } from '../journal-ops.ts';
import { Aggregator } from '../mingo.ts';
import { asEngineError, fail } from '../engine-errors.ts';

export type CommandContext = {
  engine: Engine;
  cursors: CursorRegistry;
  db: string;
  connectionId: number;
  /** Present only when the engine runs with test commands enabled. */
  failPoints?: FailPoints;
};

export type CommandHandler = (cmd: Doc, ctx: CommandContext) => Doc | Promise<Doc>;

const BAD_DB_CHARS = /[/\\. "$\0]/;

/** The namespace a command targets, validated like MongoDB does. */
export function namespaceOf(ctx: CommandContext, coll: unknown): string {
  if (typeof coll !== 'string' || coll.length === 0) fail('InvalidNamespace', `Invalid namespace specified '${ctx.db}.${String(coll)}'`);
  if (coll.includes('\0') || coll.startsWith('$') || coll.includes('$')) fail('InvalidNamespace', `Invalid collection name: ${coll}`);
  return `${checkDbName(ctx.db)}.${coll}`;
}

/** Like namespaceOf, for commands that write: views are read-only. */
export function writableNamespace(ctx: CommandContext, coll: unknown): string {
  const ns = namespaceOf(ctx, coll);
  if (ctx.engine.store(ns)?.options.viewOn) fail('CommandNotSupportedOnView', `Namespace ${ns} is a view, not a collection`);
  return ns;
}

export function checkDbName(db: string): string {
  if (!db || db.length > 63 || BAD_DB_CHARS.test(db)) fail('InvalidNamespace', `Invalid database name: '${db}'`);
  return db;
}

export function collectionOf(ns: string): string {
  return ns.slice(ns.indexOf('.') + 1);
}

export function asDoc(value: unknown, field: string): Doc | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) fail('TypeMismatch', `BSON field '${field}' is the wrong type '${Array.isArray(value) ? 'array' : typeof value}', expected type 'object'`);
  return value as Doc;
}

export function asCount(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail('TypeMismatch', `BSON field '${field}' must be a number`);
  if (n < 0 && field !== 'limit') fail('BadValue', `${field} must be non-negative`);
  return Math.trunc(n);
}

/** A command's `let` document: each variable is an expression, evaluated once ($$NOW, $rand, $literal). */
export function letVariables(value: unknown): Doc | undefined {
  const raw = asDoc(value, 'let');
  if (!raw || Object.keys(raw).length === 0) return undefined;
  try {
    return new Aggregator([{ $replaceWith: { $literal: {} } }, { $set: raw }], {}).run([{}])[0] as Doc;
  } catch (err) {
    throw asEngineError(err);
  }
}

/**
 * Runs a command's changes and always journals what was applied, even when a later step throws:
 * memory and journal never disagree, and the error still reaches the client.
 */
export async function commitAfter<T>(ctx: CommandContext, work: (batch: WriteBatch) => T): Promise<T> {
  const batch = ctx.engine.newBatch();
  try {
    return work(batch);
  } finally {
    await ctx.engine.commit(batch);
  }
}

export function commitOps(ctx: CommandContext, ops: JournalOp[]): Promise<void> {
  return commitAfter(ctx, (batch) => {
    for (const op of ops) ctx.engine.write(batch, op);
  });
}
