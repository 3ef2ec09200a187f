/**
 * Open cursors: materialised results handed out in batches by getMore. A cursor idle for longer
 * than the timeout is closed, as MongoDB does (cursorTimeoutMillis, 10 minutes by default).
 */
import { Long } from 'bson';
import type { Doc } from './collection-store.ts';
import { fail } from './engine-errors.ts';
import { RawDocs, serializeResult } from './raw-reply.ts';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
const DEFAULT_FIRST_BATCH = 101;

type OpenCursor = { ns: string; docs: Doc[]; pos: number; lastUsed: number };

export class CursorRegistry {
  private readonly open = new Map<string, OpenCursor>();
  private nextId = 1n;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly timeoutMs = 10 * 60 * 1000) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, timeoutMs)).unref();
  }

  /** Returns the first batch; keeps the rest under a cursor id (0 when everything fit). */
  start(ns: string, docs: Doc[], batchSize?: number, singleBatch = false): { firstBatch: RawDocs; id: Long; ns: string } {
    const cursor: OpenCursor = { ns, docs, pos: 0, lastUsed: Date.now() };
    const firstBatch = takeBatch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    if (singleBatch || cursor.pos >= docs.length) return { firstBatch, id: Long.ZERO, ns };
    const id = this.nextId++;
    this.open.set(id.toString(), cursor);
    return { firstBatch, id: Long.fromBigInt(id), ns };
  }

  getMore(rawId: unknown, ns: string, batchSize?: number): { nextBatch: RawDocs; id: Long; ns: string } {
    const id = toLong(rawId);
    const key = id.toString();
    const cursor = this.open.get(key);
    if (!cursor) fail('CursorNotFound', `cursor id ${key} not found`);
    if (cursor.ns !== ns) fail('BadValue', `cursor ${key} belongs to ${cursor.ns}, not ${ns}`);
    cursor.lastUsed = Date.now();
    const nextBatch = takeBatch(cursor, batchSize ?? Number.MAX_SAFE_INTEGER);
    if (cursor.pos >= cursor.docs.length) {
      this.open.delete(key);
      return { nextBatch, id: Long.ZERO, ns };
    }
    return { nextBatch, id, ns };
  }

  kill(rawIds: unknown[]): { cursorsKilled: Long[]; cursorsNotFound: Long[] } {
    const cursorsKilled: Long[] = [];
    const cursorsNotFound: Long[] = [];
    for (const id of rawIds.map(toLong)) (this.open.delete(id.toString()) ? cursorsKilled : cursorsNotFound).push(id);
    return { cursorsKilled, cursorsNotFound };
  }

  close(): void {
    clearInterval(this.sweeper);
    this.open.clear();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.timeoutMs;
    for (const [id, cursor] of this.open) if (cursor.lastUsed < cutoff) this.open.delete(id);
  }
}

function takeBatch(cursor: OpenCursor, batchSize: number): RawDocs {
  const limit = batchSize > 0 ? batchSize : Number.MAX_SAFE_INTEGER;
  const batch: Uint8Array[] = [];
  let bytes = 0;
  while (cursor.pos < cursor.docs.length && batch.length < limit) {
    const doc = serializeResult(cursor.docs[cursor.pos]!);
    bytes += doc.length;
    if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    batch.push(doc);
    cursor.pos++;
  }
  return new RawDocs(batch);
}

/** Cursor ids arrive as numbers or Longs (depending on BSON promotion) and must leave as Int64. */
function toLong(v: unknown): Long {
  if (Long.isLong(v)) return v;
  if (typeof v === 'bigint') return Long.fromBigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return Long.fromNumber(v);
  fail('TypeMismatch', 'cursor id must be a 64-bit integer');
}
