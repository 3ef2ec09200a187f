// A freshly started embedded engine (temp data dir, random port) for a conformance run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type EmbeddedTarget = { uri: string; stop(): Promise<void> };

export async function startEmbeddedTarget(): Promise<EmbeddedTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'rapport-conformance-'));
  try {
    // Imported lazily: a run against MONGODB_URI must not depend on the engine loading.
    const { startEmbeddedEngine } = await import('../../server/storage/embedded/index.ts');
    const engine = await startEmbeddedEngine({ dataDir, port: 0, mode: 'in-process', testCommands: true });
    return {
      uri: engine.uri,
      async stop() {
        await engine.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
