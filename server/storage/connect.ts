import { MongoClient, type Db } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import { startEmbeddedEngine, type EmbeddedEngineHandle } from './embedded/index.ts';

export type StorageConfig = {
  mongodbUri?: string;
  dataDir: string;
  dbName: string;
  embeddedPort: number;
  embeddedMode: 'worker' | 'in-process';
};

export type Storage = {
  client: MongoClient;
  db: Db;
  /** Connection string of the database in use (the embedded engine's loopback address if embedded). */
  uri: string;
  embedded: EmbeddedEngineHandle | undefined;
  close(): Promise<void>;
};

/**
 * The one way to reach data: a driver MongoClient, for MONGODB_URI or for the embedded engine.
 * Nothing above this function knows which.
 */
export async function connect(config: StorageConfig, logger: Logger): Promise<Storage> {
  const embedded = config.mongodbUri
    ? undefined
    : await startEmbeddedEngine({ dataDir: config.dataDir, port: config.embeddedPort, mode: config.embeddedMode, logger });
  const uri = config.mongodbUri ?? embedded!.uri;
  const client = new MongoClient(uri, { appName: 'rapport', maxPoolSize: 20 });
  try {
    await client.connect();
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  logger.info({ embedded: Boolean(embedded), ...(embedded ? { engineUri: embedded.uri } : {}) }, 'database connected');
  return {
    client,
    db: client.db(config.dbName),
    uri,
    embedded,
    async close() {
      await client.close();
      await embedded?.stop();
    },
  };
}
