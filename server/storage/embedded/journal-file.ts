/**
 * One write-ahead journal file with group commit: appends made while an fsync is in flight are
 * written and fsynced together in the next batch, and each append's promise resolves only once
 * its bytes are on disk. A failed write or fsync fails every later append (the engine must stop).
 *
 * Measured on the project's machines (see the storage benchmark): synchronous write+fdatasync on
 * the engine's own thread costs half the latency of two thread-pool round trips, and appending
 * into space preallocated with zeros halves it again (no file-size metadata to journal per sync).
 * Requests that arrive meanwhile wait in the socket buffers and form the next batch.
 */
import { fdatasyncSync, fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, recordHeader } from './record-file.ts';

const GATHER_MS = 0.5;
/** How long a record appended with `durable: false` may wait to be written (MongoDB's journal commit interval). */
const COMMIT_INTERVAL_MS = 100;
const PREALLOCATE_BYTES = 16 * 1024 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);

/** A framed record, as its header and the payload's pieces. */
type Pending = { pieces: Uint8Array[]; length: number; resolve: () => void; reject: (err: Error) => void };

/** Batches up to this size are gathered in one reused buffer; a larger one gets its own. */
const SCRATCH_MAX = 16 * 1024 * 1024;

export class JournalFile {
  private handle?: FileHandle;
  private readonly ready: Promise<void>;
  private pending: Pending[] = [];
  /** The flush in progress, if any; close() waits for it. */
  private flushing?: Promise<void>;
  private scheduled = false;
  private failure?: Error;
  private position: number;
  private closed = false;
  /** Size of the previous batch: the next flush briefly waits to gather as many (group commit). */
  private lastBatchSize = 1;
  private allocated = 0;

  private readonly commitIntervalMs: number;

  /**
   * `after`: writes to this file wait for the previous file's last fsync, keeping order on disk.
   * `commitIntervalMs`: how long a record nobody waits for may wait (COMMIT_INTERVAL_MS; tests lengthen it).
   */
  constructor(
    readonly path: string,
    readonly seq: number,
    options: { after?: Promise<void>; commitIntervalMs?: number } = {},
  ) {
    this.position = 0;
    this.commitIntervalMs = options.commitIntervalMs ?? COMMIT_INTERVAL_MS;
    this.ready = this.openFile(options.after);
    this.ready.catch((err: Error) => (this.failure = err));
  }

  get bytes(): number {
    return this.position;
  }

  /**
   * One record whose payload is `pieces` in order (an engine command's operations, each possibly
   * in parts): they are copied once, into the write, and never concatenated before it. Resolves
   * once it is on disk; `durable: false` (see flushWithin) only changes when that happens.
   */
  append(pieces: Uint8Array[], durable = true): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    const framed = [recordHeader(pieces), ...pieces];
    const length = framed.reduce((n, p) => n + p.length, 0);
    return new Promise((resolve, reject) => {
      this.pending.push({ pieces: framed, length, resolve, reject });
      if (durable) this.flushSoon();
      else this.flushWithin();
    });
  }

  private flushSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private lazyTimer?: NodeJS.Timeout;

  /**
   * A record nobody waits for (writeConcern j: false) does not cost an fsync of its own: it is
   * written with the next one somebody waits for, or after the commit interval at the latest.
   * Records are written in order, so a record on disk means every record appended before it is.
   */
  private flushWithin(): void {
    this.lazyTimer ??= setTimeout(() => {
      this.lazyTimer = undefined;
      this.flushSoon();
    }, this.commitIntervalMs);
    this.lazyTimer.unref();
  }

  /** Flushes what is pending and closes the file; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    await this.ready.catch(() => undefined);
    await this.flush();
    if (this.handle && this.allocated > this.position) {
      ftruncateSync(this.handle.fd, this.position);
      fsyncSync(this.handle.fd);
    }
    await this.handle?.close();
    this.handle = undefined;
  }

  private async openFile(after?: Promise<void>): Promise<void> {
    await after;
    this.handle = await open(this.path, 'w');
    await fsyncDir(dirname(this.path));
  }

  private flush(): Promise<void> {
    this.scheduled = false;
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Writes batches until nothing is pending. */
  private async drain(): Promise<void> {
    try {
      await this.ready;
      while (this.pending.length > 0) {
        await this.gather();
        const batch = this.pending.splice(0);
        this.lastBatchSize = batch.length;
        await this.writeBatch(batch);
      }
    } catch (err) {
      this.failure ??= err as Error;
      for (const p of this.pending.splice(0)) p.reject(this.failure);
    }
  }

  /**
   * Clients acknowledged together send their next writes together, but not in the same instant;
   * waiting a fraction of an fsync for them doubles the batch instead of paying a second fsync.
   * A lone writer (batch of one) never waits.
   */
  private async gather(): Promise<void> {
    const deadline = performance.now() + GATHER_MS;
    while (!this.closed && this.pending.length < this.lastBatchSize && performance.now() < deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Fills the file with zeros past `needed`; recovery reads a zero length as the end. */
  private preallocate(fd: number, needed: number): void {
    const target = needed + PREALLOCATE_BYTES;
    for (let at = Math.max(this.allocated, this.position); at < target; at += ZEROS.length) {
      writeFully(fd, ZEROS.subarray(0, Math.min(ZEROS.length, target - at)), at);
    }
    fsyncSync(fd);
    this.allocated = target;
  }

  private scratch = Buffer.alloc(0);

  /** The batch's records in one buffer, reused from one write to the next (the write is synchronous). */
  private gatherBytes(batch: Pending[]): Buffer {
    const total = batch.reduce((n, p) => n + p.length, 0);
    if (total > this.scratch.length && total <= SCRATCH_MAX) this.scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(total, 2 * this.scratch.length)));
    const out = total <= this.scratch.length ? this.scratch.subarray(0, total) : Buffer.allocUnsafe(total);
    let at = 0;
    for (const p of batch) {
      for (const piece of p.pieces) {
        out.set(piece, at);
        at += piece.length;
      }
    }
    return out;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const bytes = this.gatherBytes(batch);
    try {
      const fd = this.handle!.fd;
      if (this.position + bytes.length > this.allocated) this.preallocate(fd, this.position + bytes.length);
      writeFully(fd, bytes, this.position);
      fdatasyncSync(fd);
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      throw err;
    }
    this.position += bytes.length;
    for (const p of batch) p.resolve();
  }
}

/** writeSync may write less than asked (a full disk); a short write must not count as done. */
function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) {
    const n = writeSync(fd, bytes, done, bytes.length - done, position + done);
    if (n <= 0) throw new Error(`journal write made no progress at byte ${position + done}`);
    done += n;
  }
}
