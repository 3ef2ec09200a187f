import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark } from './benchmark.types.ts';

// `npm run bench -- <name>` runs test/bench/<name>.bench.ts; no or an unknown name lists them (issue 2).
const benchDir = dirname(fileURLToPath(import.meta.url));
const SUFFIX = '.bench.ts';

function availableBenchmarks(): string[] {
  return readdirSync(benchDir)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .sort();
}

async function loadBenchmark(name: string): Promise<Benchmark> {
  const module = (await import(pathToFileURL(join(benchDir, name + SUFFIX)).href)) as { benchmark?: Benchmark };
  if (!module.benchmark) throw new Error(`${name}${SUFFIX} does not export \`benchmark\``);
  return module.benchmark;
}

async function printList(): Promise<void> {
  console.log('usage: npm run bench -- <name>\n\navailable benchmarks:');
  for (const name of availableBenchmarks()) {
    const description = await loadBenchmark(name).then((b) => b.description, (err: Error) => `(cannot load: ${err.message})`);
    console.log(`  ${name.padEnd(14)} ${description}`);
  }
}

async function main(args: string[]): Promise<number> {
  const name = args.find((arg) => !arg.startsWith('-'));
  if (!name || !availableBenchmarks().includes(name)) {
    if (name) console.error(`unknown benchmark: ${name}\n`);
    await printList();
    return name ? 1 : 0;
  }
  const benchmark = await loadBenchmark(name);
  console.log(`# ${name}: ${benchmark.description}`);
  await benchmark.run();
  return 0;
}

const exitCode = await main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  return 1;
});
process.exitCode = exitCode;
// A benchmark that forgets a handle (socket, worker, timer) must not hang CI: leave after a grace period.
setTimeout(() => {
  console.error('bench: open handles kept the process alive; exiting');
  process.exit(exitCode);
}, 5_000).unref();
