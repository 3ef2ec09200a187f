/**
 * When a checkpoint starts, once the journal is past its threshold (Engine.checkpointThreshold).
 *
 * A checkpoint serializes every document on the engine's thread: in a 100k-row import
 * (`npm run bench -- import`), the one checkpoint the journal's 64 MB threshold started half-way
 * held that thread for 1.5 s while the import waited. So a due checkpoint waits for the writes to
 * pause (`idleMs` with no commit), and a burst of writes finishes first; the work is the same,
 * done after. Measured, four alternated pairs of 100k-row imports: 7,774–8,192 rows/s against
 * 6,383–7,282, server CPU 169–176 µs a row against 189–217. Writes that never pause cannot put it
 * off for ever: at DEFER_FACTOR times the threshold (or the engine's hard limit, whichever is
 * smaller) it starts anyway, which bounds the journal a restart replays and the disk it takes.
 */
export const DEFER_FACTOR = 4;

export class CheckpointTrigger {
  private timer?: NodeJS.Timeout;

  /** `start` begins a checkpoint if one is still wanted (the engine checks again when it is called). */
  constructor(
    private readonly start: () => void,
    private readonly idleMs: number,
  ) {}

  /** After each commit: `bytes` journalled so far, `threshold` and `limit` as the engine sets them. */
  committed(bytes: number, threshold: number, limit: number): void {
    if (bytes <= threshold) return;
    if (bytes >= Math.min(threshold * DEFER_FACTOR, limit)) {
      this.cancel();
      this.start();
      return;
    }
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, this.idleMs);
    // A pending checkpoint never keeps a process alive; close() checkpoints what is left.
    this.timer.unref();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
