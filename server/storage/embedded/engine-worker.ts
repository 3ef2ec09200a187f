/** Worker-thread entry: hosts the engine and answers 'stop' from the parent. */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../../shared/logger.ts';
import { hostEngine } from './engine-host.ts';

const { dataDir, port, logLevel, testCommands } = workerData as { dataDir: string; port: number; logLevel: string; testCommands: boolean };
const logger = createLogger({ level: logLevel }).child({ module: 'embedded-engine' });

try {
  const host = await hostEngine({ dataDir, port, logger, testCommands });
  parentPort!.postMessage({ type: 'ready', port: host.port });
  parentPort!.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    host.stop().then(
      () => parentPort!.postMessage({ type: 'stopped' }),
      (err: Error) => parentPort!.postMessage({ type: 'stopped', error: err.message }),
    );
  });
} catch (err) {
  parentPort!.postMessage({ type: 'failed', error: (err as Error).message });
}
