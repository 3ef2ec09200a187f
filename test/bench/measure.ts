import { performance } from 'node:perf_hooks';

export type Measurement = {
  ops: number;
  errors: number;
  firstError?: string;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p95Ms: number;
};

export type MeasureOptions<T> = {
  /** Number of operations; op is called once for each i in [0, count). */
  count: number;
  /** Operations in flight at once. */
  concurrency: number;
  /** Builds the operation's input (a document, a key) outside the timed part. */
  prepare: (i: number) => T;
  op: (input: T) => Promise<unknown>;
};

/**
 * Runs `count` operations with `concurrency` in flight, timing each one. Failed operations are
 * counted and left out of the latency figures (a benchmark reports, it does not stop on an error).
 */
export async function measure<T>({ count, concurrency, prepare, op }: MeasureOptions<T>): Promise<Measurement> {
  const latencies = new Float64Array(count);
  let nextIndex = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async (): Promise<void> => {
    while (nextIndex < count) {
      const input = prepare(nextIndex++);
      const started = performance.now();
      try {
        await op(input);
        latencies[done++] = performance.now() - started;
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, done).sort();
  return {
    ops: done,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    opsPerSec: done / seconds,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
  };
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function percentileOf(values: readonly number[], fraction: number): number {
  return percentile([...values].sort((a, b) => a - b), fraction);
}
