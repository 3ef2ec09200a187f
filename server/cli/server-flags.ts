/**
 * The Node flags the server process is started with (`npm start`, `rapport start`, and the
 * benchmarks, which measure the server as shipped).
 *
 * `--v8-pool-size`: V8 runs garbage collection work (parallel scavenges, concurrent marking) on a
 * pool of helper threads, 4 by default whatever the machine. The server has two busy JavaScript
 * threads of its own (requests, and the embedded engine's worker), so on a small machine four
 * helpers only fight them for the cores: on 2 cores, a 100k-row import ran 8% faster with one
 * helper (12,000 and 12,345 rows/s against 10,996 to 11,610, alternated runs), using less CPU per
 * row. The pool is sized to the cores but one, at least one.
 */
import { availableParallelism } from 'node:os';

export function serverNodeFlags(cores = availableParallelism()): string[] {
  return [`--v8-pool-size=${Math.max(1, cores - 1)}`];
}
