/** A fresh embedded engine in a temp directory, and a driver client connected to it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startEmbeddedEngine, type EmbeddedEngineHandle } from '../../server/storage/embedded/index.ts';

export type TestEngine = {
  dataDir: string;
  engine: EmbeddedEngineHandle;
  client: MongoClient;
  /** Stops client and engine; the data directory stays until `cleanup`. */
  stop(): Promise<void>;
  cleanup(): Promise<void>;
};

export async function tempDir(prefix = 'rapport-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startTestEngine(dataDir?: string): Promise<TestEngine> {
  const dir = dataDir ?? (await tempDir());
  const engine = await startEmbeddedEngine({ dataDir: dir, port: 0, mode: 'in-process', testCommands: true });
  const client = new MongoClient(engine.uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await client.close();
    await engine.stop();
  };
  return {
    dataDir: dir,
    engine,
    client,
    stop,
    async cleanup() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For test files that start several engines (restarts on the same data): `start` opens one and
 * every engine it opened is stopped and removed after each test.
 */
export function engineStarter(afterEach: (fn: () => Promise<void>) => void): (dataDir?: string) => Promise<TestEngine> {
  const open: TestEngine[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.cleanup();
  });
  return async (dataDir?: string) => {
    const t = await startTestEngine(dataDir);
    open.push(t);
    return t;
  };
}
