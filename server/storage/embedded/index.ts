import type { Logger } from '../../shared/logger.ts';

export type EmbeddedEngineOptions = {
  /** Directory holding the journal, snapshots and the lock file. Created if missing. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** Run the engine on its own thread (default) or on the caller's event loop. */
  mode?: 'worker' | 'in-process';
  logger?: Logger;
  /** Enables `configureFailPoint` (as mongod's enableTestCommands does); for tests only. */
  testCommands?: boolean;
};

export type EmbeddedEngineHandle = {
  /** mongodb://127.0.0.1:<port>/ — any MongoDB client (driver, mongosh, Compass) can use it. */
  uri: string;
  port: number;
  /** Stops accepting connections, flushes and fsyncs the journal, releases the data directory lock. */
  stop(): Promise<void>;
};

export { startEmbeddedEngine } from './start-engine.ts';
