import { Worker } from 'node:worker_threads';
import type { EmbeddedEngineHandle, EmbeddedEngineOptions } from './index.ts';
import { hostEngine } from './engine-host.ts';
import type { Logger } from '../../shared/logger.ts';

type WorkerMessage = { type: 'ready'; port: number } | { type: 'failed' | 'stopped'; error?: string };

/**
 * Starts the embedded engine on loopback, on a worker thread (so the engine and the HTTP server
 * each get a core) or on the caller's thread.
 */
export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<EmbeddedEngineHandle> {
  const port = options.port ?? 0;
  if (options.mode === 'in-process') {
    const host = await hostEngine({ dataDir: options.dataDir, port, logger: options.logger, testCommands: options.testCommands });
    return { uri: uriFor(host.port), port: host.port, stop: host.stop };
  }
  return startWorker({ dataDir: options.dataDir, port, logger: options.logger, testCommands: options.testCommands });
}

function uriFor(port: number): string {
  return `mongodb://127.0.0.1:${port}/?directConnection=true`;
}

async function startWorker(o: { dataDir: string; port: number; logger?: Logger; testCommands?: boolean }): Promise<EmbeddedEngineHandle> {
  const worker = new Worker(new URL('./engine-worker-bootstrap.mjs', import.meta.url), {
    workerData: { dataDir: o.dataDir, port: o.port, logLevel: o.logger?.level ?? 'info', testCommands: o.testCommands ?? false },
  });
  // An engine thread that dies takes the database with it; say so loudly (readiness fails too).
  let stopping: Promise<void> | undefined;
  worker.on('error', (err) => o.logger?.fatal({ err }, 'embedded engine thread failed'));
  worker.on('exit', (code) => {
    if (!stopping) o.logger?.fatal({ code }, 'embedded engine thread exited unexpectedly');
  });
  const next = () =>
    new Promise<WorkerMessage>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`embedded engine worker exited with code ${code}`));
      worker.once('exit', onExit);
      worker.once('message', (m: WorkerMessage) => {
        worker.off('exit', onExit);
        resolve(m);
      });
    });
  const first = await next();
  if (first.type !== 'ready') {
    stopping = Promise.resolve();
    await worker.terminate();
    throw new Error(`embedded engine failed to start: ${first.error ?? 'unknown error'}`);
  }
  return {
    uri: uriFor(first.port),
    port: first.port,
    stop() {
      stopping ??= (async () => {
        const done = next();
        worker.postMessage({ type: 'stop' });
        const result = await done;
        await worker.terminate();
        if (result.type !== 'ready' && result.error) throw new Error(`embedded engine did not stop cleanly: ${result.error}`);
      })();
      return stopping;
    },
  };
}
