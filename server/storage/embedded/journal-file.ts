/**
 * One write-ahead journal file with group commit: appends made while an fsync is in flight are
 * written and fsynced together in the next batch, and each append's promise resolves only once
 * its bytes are on disk. A failed write or fsync fails every later append (the engine must stop).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { frameRecord, fsyncDir } from './record-file.ts';

type Pending = { bytes: Buffer; resolve: () => void; reject: (err: Error) => void };

export class JournalFile {
  private handle?: FileHandle;
  private readonly ready: Promise<void>;
  private pending: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  private failure?: Error;
  private position: number;
  private closed = false;

  /** `after`: writes to this file wait for the previous file's last fsync, keeping order on disk. */
  constructor(
    readonly path: string,
    readonly seq: number,
    options: { startAt?: number; after?: Promise<void> } = {},
  ) {
    this.position = options.startAt ?? 0;
    this.ready = this.openFile(options.after);
    this.ready.catch((err: Error) => (this.failure = err));
  }

  get bytes(): number {
    return this.position;
  }

  append(payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    return new Promise((resolve, reject) => {
      this.pending.push({ bytes: frameRecord(payload), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Flushes what is pending and closes the file; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.ready.catch(() => undefined);
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }

  private async openFile(after?: Promise<void>): Promise<void> {
    await after;
    this.handle = await open(this.path, this.position > 0 ? 'r+' : 'w');
    if (this.position === 0) await fsyncDir(dirname(this.path));
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing) return;
    this.flushing = true;
    try {
      await this.ready;
      while (this.pending.length > 0) await this.writeBatch(this.pending.splice(0));
    } catch (err) {
      this.failure ??= err as Error;
      for (const p of this.pending.splice(0)) p.reject(this.failure);
    } finally {
      this.flushing = false;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const bytes = batch.length === 1 ? batch[0]!.bytes : Buffer.concat(batch.map((p) => p.bytes));
    try {
      await this.handle!.write(bytes, 0, bytes.length, this.position);
      await this.handle!.datasync();
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
      throw err;
    }
    this.position += bytes.length;
    for (const p of batch) p.resolve();
  }
}
