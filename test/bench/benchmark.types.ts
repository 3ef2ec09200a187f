/** What a `test/bench/<name>.bench.ts` file exports as `benchmark`; `npm run bench -- <name>` runs it. */
export type Benchmark = {
  /** One line shown in the list of available benchmarks. */
  description: string;
  /** Prints its figures; never fails on a time figure (targets are reported, not asserted). */
  run(): Promise<void>;
};
