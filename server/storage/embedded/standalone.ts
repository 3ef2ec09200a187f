/**
 * Runs the embedded engine as its own process, like `mongod --dbpath <dir> --port <port>`:
 * for tools (mongosh, Compass) and for the crash test, which kills it with SIGKILL.
 * Prints `listening <port>` once ready; SIGTERM/SIGINT stop it cleanly.
 */
import { parseArgs } from 'node:util';
import { createLogger } from '../../shared/logger.ts';
import { hostEngine } from './engine-host.ts';

const { values } = parseArgs({
  options: {
    dbpath: { type: 'string', default: './data/engine' },
    port: { type: 'string', default: '27017' },
    'log-level': { type: 'string', default: 'warn' },
    'enable-test-commands': { type: 'boolean', default: false },
  },
});

const logger = createLogger({ level: values['log-level']! });
const host = await hostEngine({
  dataDir: values.dbpath!,
  port: Number(values.port),
  logger,
  testCommands: values['enable-test-commands'],
});
process.stdout.write(`listening ${host.port}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    host.stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ err }, 'engine stop failed');
        process.exit(1);
      },
    );
  });
}
