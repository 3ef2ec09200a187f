/**
 * The embedded engine's state and durability. Every change is an operation (a plain document):
 * applied to memory, collected in a batch, and journalled as one record per command, so recovery
 * replays exactly what was acknowledged. Checkpoints write a snapshot and drop old journals.
 */
import { BSON } from 'bson';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import { idKeyOf } from './bson-values.ts';
import { CollectionStore } from './collection-store.ts';
import { fail } from './engine-errors.ts';
import { JournalFile } from './journal-file.ts';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { parseRecords, truncateDurably } from './record-file.ts';
import { readSnapshot, writeSnapshot } from './snapshot.ts';
import { CheckpointTrigger } from './checkpoint-trigger.ts';
import { insertOpPieces, serializeOp, type JournalOp, type WriteBatch } from './journal-ops.ts';

export type EngineOptions = {
  dataDir: string;
  logger?: Logger;
  /**
   * The journal size past which a checkpoint is due, at least; once the last snapshot is larger,
   * the journal may grow to that size (up to 512 MB). A checkpoint rewrites every document, so with
   * a fixed threshold a database of 1 GB would rewrite 1 GB for each 64 MB written; this way each
   * byte journalled costs at most about one byte of snapshot up to 512 MB of data. A due
   * checkpoint waits for writes to pause, up to 4 times this size (checkpoint-trigger.ts), so a
   * start replays at most that much journal, and never more than 512 MB.
   */
  checkpointBytes?: number;
  /** Past the threshold, a checkpoint waits for writes to pause this long (checkpoint-trigger.ts). */
  checkpointIdleMs?: number;
  /** How long a write committed with `durable: false` may wait for the disk (100 ms; tests lengthen it). */
  commitIntervalMs?: number;
};

const MAX_BATCH_BYTES = 512 * 1024 * 1024;
/**
 * However large the last snapshot, a checkpoint starts by this journal size: a journal is read
 * whole at a start (Node reads at most 2 GiB into one buffer), and replaying it takes time and memory.
 */
const MAX_CHECKPOINT_BYTES = 512 * 1024 * 1024;
const JOURNAL = /^journal-(\d{10})\.log$/;
const SNAPSHOT = /^snapshot-(\d{10})\.bson$/;
const fileName = (kind: 'journal' | 'snapshot', seq: number) =>
  `${kind}-${String(seq).padStart(10, '0')}.${kind === 'journal' ? 'log' : 'bson'}`;

export class Engine {
  private readonly stores = new Map<string, CollectionStore>();
  private journal!: JournalFile;
  private checkpointing?: Promise<void>;
  private failure?: Error;
  /** Size of the newest snapshot (0 before the first). */
  private snapshotBytes = 0;
  private readonly trigger: CheckpointTrigger;

  private constructor(
    private readonly options: Required<Omit<EngineOptions, 'logger'>> & { logger?: Logger },
    private readonly lock: DataDirLock,
  ) {
    this.trigger = new CheckpointTrigger(() => {
      if (!this.checkpointing && !this.failure && this.journal.bytes > this.checkpointThreshold()) void this.checkpointInBackground();
    }, options.checkpointIdleMs);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    await mkdir(options.dataDir, { recursive: true });
    const lock = lockDataDir(options.dataDir);
    const engine = new Engine({ checkpointBytes: 64 * 1024 * 1024, checkpointIdleMs: 1000, commitIntervalMs: 100, ...options }, lock);
    try {
      await engine.recover();
    } catch (err) {
      lock.release();
      throw err;
    }
    return engine;
  }

  // ---- reads -------------------------------------------------------------------------------

  store(ns: string): CollectionStore | undefined {
    return this.stores.get(ns);
  }

  namespaces(db?: string): string[] {
    const all = [...this.stores.keys()];
    return db === undefined ? all : all.filter((ns) => ns.startsWith(`${db}.`));
  }

  // ---- writes ------------------------------------------------------------------------------

  newBatch(): WriteBatch {
    return { payloads: [], bytes: 0 };
  }

  /**
   * Applies one operation to memory and adds it to the batch; throws (changing nothing) if refused.
   * `arrived`: for an insert, the BSON the document came in (identical to it), journalled as it is.
   */
  write(batch: WriteBatch, op: JournalOp, arrived?: Uint8Array): void {
    if (this.failure) throw this.failure;
    const pieces = arrived && op.op === 'ins' ? insertOpPieces(op.ns, arrived) : [serializeOp(op)];
    const length = pieces.reduce((n, p) => n + p.length, 0);
    // One command is one journal record; bounding it keeps every record readable at recovery.
    if (batch.bytes + length > MAX_BATCH_BYTES) {
      fail('BadValue', `one command may change at most ${MAX_BATCH_BYTES / 1024 / 1024} MiB; split it into smaller ones`);
    }
    this.apply(op);
    batch.payloads.push(...pieces);
    batch.bytes += length;
  }

  /**
   * Resolves once the batch is fsynced; only then may the command be acknowledged. Unless the
   * client said it need not wait (writeConcern j: false, `durable: false`): then it resolves at once,
   * and the batch reaches the disk with the next durable one, or within the journal's commit
   * interval, always in order (journal-file.ts), as MongoDB does.
   */
  async commit(batch: WriteBatch, options: { durable?: boolean } = {}): Promise<void> {
    if (batch.payloads.length === 0) return;
    const durable = options.durable ?? true;
    const written = this.journal.append(batch.payloads, durable).catch((err: Error) => {
      this.failure ??= new Error(`journal write failed; the engine stopped accepting writes: ${err.message}`);
      this.options.logger?.fatal({ err }, 'journal write failed');
      throw this.failure;
    });
    if (durable) await written;
    else written.catch(() => undefined);
    if (!this.checkpointing) this.trigger.committed(this.journal.bytes, this.checkpointThreshold(), MAX_CHECKPOINT_BYTES);
  }

  /** The journal size at which the next checkpoint starts (see EngineOptions.checkpointBytes). */
  checkpointThreshold(): number {
    return Math.max(this.options.checkpointBytes, Math.min(this.snapshotBytes, MAX_CHECKPOINT_BYTES));
  }

  private apply(op: JournalOp): void {
    switch (op.op) {
      case 'ins':
        return this.ensure(op.ns).insert(op.doc);
      case 'put':
        return this.ensure(op.ns).replace(op.doc);
      case 'del':
        this.stores.get(op.ns)?.delete(idKeyOf(op.id));
        return;
      case 'createColl':
        if (this.stores.has(op.ns)) fail('NamespaceExists', `Collection ${op.ns} already exists.`);
        this.stores.set(op.ns, new CollectionStore(op.ns, op.options));
        return;
      case 'dropColl':
        this.stores.delete(op.ns);
        return;
      case 'createIndex':
        return this.ensure(op.ns).createIndex(op.spec);
      case 'dropIndex':
        return this.stores.get(op.ns)?.dropIndex(op.name);
      case 'rename':
        return this.rename(op.from, op.to);
    }
  }

  private ensure(ns: string): CollectionStore {
    let store = this.stores.get(ns);
    if (!store) {
      store = new CollectionStore(ns);
      this.stores.set(ns, store);
    }
    return store;
  }

  private rename(from: string, to: string): void {
    const store = this.stores.get(from);
    if (!store) fail('NamespaceNotFound', `source namespace ${from} does not exist`);
    const moved = CollectionStore.build({ ns: to, options: store.options, indexes: store.indexSpecs(), docs: store.docs.values() });
    this.stores.delete(from);
    this.stores.set(to, moved);
  }

  // ---- durability --------------------------------------------------------------------------

  private async recover(): Promise<void> {
    const dir = this.options.dataDir;
    const files = await readdir(dir);
    // A snapshot still named .tmp was never completed (the crash came before its rename).
    for (const f of files.filter((name) => name.endsWith('.bson.tmp'))) await rm(join(dir, f));
    const seqs = (re: RegExp) => files.map((f) => re.exec(f)?.[1]).filter(Boolean).map(Number).sort((a, b) => a - b);
    const snapshots = seqs(SNAPSHOT);
    const snapshotSeq = snapshots.at(-1) ?? 0;
    if (snapshots.length) {
      const path = join(dir, fileName('snapshot', snapshotSeq));
      await this.loadSnapshot(path);
      this.snapshotBytes = (await stat(path)).size;
    }
    const journals = seqs(JOURNAL).filter((s) => s > snapshotSeq);
    let replayed = 0;
    for (const [i, seq] of journals.entries()) {
      replayed += await this.replayJournal(join(dir, fileName('journal', seq)), i === journals.length - 1);
    }
    const nextSeq = Math.max(snapshotSeq, journals.at(-1) ?? 0) + 1;
    this.journal = new JournalFile(join(dir, fileName('journal', nextSeq)), nextSeq, { commitIntervalMs: this.options.commitIntervalMs });
    this.options.logger?.info({ snapshotSeq, journals: journals.length, replayedBytes: replayed }, 'embedded engine recovered');
    if (replayed > 0) await this.checkpointInBackground();
  }

  private async loadSnapshot(path: string): Promise<void> {
    const snapshot = await readSnapshot(path);
    for (const c of snapshot.collections) this.stores.set(c.ns, CollectionStore.build(c));
  }

  /** Replays one journal; a torn tail is only tolerated (and cut off) in the newest file. */
  private async replayJournal(path: string, newest: boolean): Promise<number> {
    const buf = await readFile(path);
    const { payloads, validBytes, torn } = parseRecords(buf);
    if (torn && !newest) throw new Error(`journal ${path} is corrupt at byte ${validBytes}`);
    if (torn) {
      this.options.logger?.warn({ path, discardedBytes: buf.length - validBytes }, 'discarding torn journal tail');
      await truncateDurably(path, validBytes);
    }
    for (const [index, payload] of payloads.entries()) {
      for (let pos = 0; pos < payload.length; ) {
        const size = payload.readInt32LE(pos);
        const op = BSON.deserialize(payload.subarray(pos, pos + size)) as JournalOp;
        try {
          this.apply(op);
        } catch (err) {
          // Should never happen (every journalled op was applied once already); if it does, say
          // exactly where, rather than start with data that differs from what was acknowledged.
          const ns = 'ns' in op ? op.ns : `${op.from} -> ${op.to}`;
          throw new Error(`journal ${path}, record ${index + 1}: cannot replay ${op.op} on ${ns}: ${(err as Error).message}`);
        }
        pos += size;
      }
    }
    return validBytes;
  }

  /**
   * A failed checkpoint loses nothing (the journals it would have replaced stay), so it is logged
   * and retried at the next threshold rather than failing a write or a start.
   */
  private checkpointInBackground(): Promise<void> {
    return this.checkpoint().catch((err: unknown) => {
      this.options.logger?.error({ err }, 'checkpoint failed; the journal is kept');
    });
  }

  /**
   * Switches to a new journal and snapshots the state as of that instant (documents are never
   * mutated in place, so holding their references is a consistent view), then drops what the
   * snapshot covers.
   */
  checkpoint(): Promise<void> {
    this.checkpointing ??= this.runCheckpoint().finally(() => (this.checkpointing = undefined));
    return this.checkpointing;
  }

  /** Once it resolves, a snapshot holds every write acknowledged before the call and the journal is empty of them. */
  async checkpointAll(): Promise<void> {
    this.trigger.cancel();
    await this.checkpointing;
    if (!this.failure && this.journal.bytes > 0) await this.checkpoint();
  }

  private async runCheckpoint(): Promise<void> {
    const dir = this.options.dataDir;
    const old = this.journal;
    const closed = old.close();
    this.journal = new JournalFile(join(dir, fileName('journal', old.seq + 1)), old.seq + 1, { after: closed, commitIntervalMs: this.options.commitIntervalMs });
    const state = [...this.stores.values()].map((s) => ({
      ns: s.ns,
      options: s.options,
      indexes: s.indexSpecs(),
      docs: [...s.docs.values()],
    }));
    await closed;
    this.snapshotBytes = await writeSnapshot(join(dir, fileName('snapshot', old.seq)), old.seq, state);
    for (const f of await readdir(dir)) {
      const seq = Number((JOURNAL.exec(f) ?? SNAPSHOT.exec(f))?.[1] ?? Number.NaN);
      if (seq < old.seq || (seq === old.seq && JOURNAL.test(f))) await rm(join(dir, f));
    }
  }

  /** Flushes the journal, checkpoints if anything was journalled, and releases the lock. */
  async close(): Promise<void> {
    try {
      await this.checkpointAll();
      await this.journal.close();
    } finally {
      this.lock.release();
    }
  }
}
