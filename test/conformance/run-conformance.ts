// The conformance runner: every *.json file of a folder, every test in it, against one server,
// through the official driver. Returns the results as data; printing is the CLI's business.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { TestResult, UnifiedTestFile } from './unified-format.types.ts';
import { parseTestFile, unsupportedSchema } from './load-test-file.ts';
import { createParameterReader, readServerInfo, unmetRequirements } from './requirements.ts';
import { buildClientUri } from './driver-options.ts';
import { driverDeviation } from './driver-deviations.ts';
import { runTestCase, testSkipReason, type RunnerContext } from './run-test-case.ts';

export type ConformanceOptions = {
  /** Folder holding the unified-format *.json files. */
  dir: string;
  /** Connection string of the server under test. */
  uri: string;
  /**
   * 'embedded' when the server is Rapport's embedded engine: tests that need fail points are
   * skipped, since the engine offers none. Against any other server they are attempted.
   */
  /** Wall-clock limit for one test (default 30 s). */
  testTimeoutMs?: number;
  /** Called as each result is known, e.g. to print progress. */
  onResult?: (result: TestResult) => void;
};

export type ConformanceReport = {
  results: TestResult[];
  passed: number;
  failed: number;
  skipped: number;
};

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const files = (await readdir(options.dir)).filter((name) => name.endsWith('.json')).sort();
  const internalClient = new MongoClient(buildClientUri(options.uri, undefined, { serverSelectionTimeoutMS: 10_000 }));
  const results: TestResult[] = [];
  const report = (result: TestResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  try {
    await internalClient.connect();
    const ctx: RunnerContext = {
      uri: options.uri,
      internalClient,
      server: await readServerInfo(internalClient, options.uri),
      readParameter: createParameterReader(internalClient),
      testTimeoutMs: options.testTimeoutMs ?? 30_000,
    };
    for (const name of files) await runFile(join(options.dir, name), ctx, report);
  } finally {
    await internalClient.close();
  }
  return summarise(results);
}

export function summarise(results: TestResult[]): ConformanceReport {
  const count = (status: TestResult['status']) => results.filter((result) => result.status === status).length;
  return { results, passed: count('pass'), failed: count('fail'), skipped: count('skip') };
}

async function runFile(path: string, ctx: RunnerContext, report: (result: TestResult) => void): Promise<void> {
  const file = basename(path);
  const text = await readFile(path, 'utf8');
  let parsed: UnifiedTestFile;
  try {
    parsed = parseTestFile(text);
  } catch (error) {
    report({ file, test: '(file)', status: 'fail', reason: `cannot read the test file: ${(error as Error).message}` });
    return;
  }
  const wholeFile = unsupportedSchema(parsed.schemaVersion);
  const fileSkip = wholeFile ? undefined : await unmetRequirements(parsed.runOnRequirements, ctx.server, ctx.readParameter);
  for (const [index, test] of parsed.tests.entries()) {
    if (wholeFile) report({ file, test: test.description, status: 'fail', reason: wholeFile });
    else if (fileSkip) report({ file, test: test.description, status: 'skip', reason: fileSkip });
    else report({ file, test: test.description, ...(await runOne(file, text, index, ctx)) });
  }
}

async function runOne(file: string, text: string, index: number, ctx: RunnerContext): Promise<Omit<TestResult, 'file' | 'test'>> {
  const fresh = parseTestFile(text);
  const test = fresh.tests[index];
  const skip = (await testSkipReason(test, ctx)) ?? driverDeviation(file, test.description);
  if (skip) return { status: 'skip', reason: skip };
  return runTestCase(fresh, test, ctx);
}
