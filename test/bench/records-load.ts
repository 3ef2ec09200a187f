import { performance } from 'node:perf_hooks';
import { measure, type MeasureOptions, type Measurement } from './measure.ts';
import type { ServerChild } from './records-servers.ts';

// A load of about `seconds` on one server: warm-up runs size it from the rate they reach, and the
// CPU the server and the load generator used during the measured run is kept next to its figures.

export type Load<T> = Omit<MeasureOptions<T>, 'count'>;

export type LoadResult = Measurement & {
  /** Server CPU during the run, as % of one core (the engine's worker thread included). */
  serverCpu: number;
  /** The load generator's CPU during the run, as % of one core: near 100 it may be the bottleneck. */
  clientCpu: number;
  /** The measured run on the monotonic clock in µs (what --cpu-prof timestamps use), to cut a profile to it. */
  windowUs: [number, number];
};

const MIN_COUNT = 100;
const MAX_COUNT = 500_000;

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

const sized = (opsPerSec: number, seconds: number): number => Math.min(MAX_COUNT, Math.max(MIN_COUNT, Math.round(opsPerSec * seconds)));

export async function runLoad<T>(server: ServerChild, load: Load<T>, seconds: number): Promise<LoadResult> {
  const first = await measure({ ...load, count: load.concurrency * 20 });
  if (first.ops === 0) return { ...first, serverCpu: Number.NaN, clientCpu: Number.NaN, windowUs: [0, 0] };
  const second = await measure({ ...load, count: sized(first.opsPerSec, 1) });
  const serverBefore = server.cpuSeconds();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const startedUs = monotonicUs();
  const result = await measure({ ...load, count: sized(second.opsPerSec, seconds) });
  const wallSeconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  return {
    ...result,
    serverCpu: ((server.cpuSeconds() - serverBefore) / wallSeconds) * 100,
    clientCpu: ((client.user + client.system) / 1e6 / wallSeconds) * 100,
    windowUs: [startedUs, monotonicUs()],
  };
}
