import type { JSONSchemaType } from 'ajv';

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  mongodbUri?: string;
  dbName: string;
  embeddedPort: number;
  embeddedMode: 'worker' | 'in-process';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  shutdownTimeoutMs: number;
};

/** Where each setting comes from; the README's configuration table lists the same. */
export const ENV_NAMES: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'RAPPORT_DATA_DIR',
  mongodbUri: 'MONGODB_URI',
  dbName: 'RAPPORT_DB_NAME',
  embeddedPort: 'RAPPORT_EMBEDDED_PORT',
  embeddedMode: 'RAPPORT_EMBEDDED_MODE',
  logLevel: 'LOG_LEVEL',
  shutdownTimeoutMs: 'RAPPORT_SHUTDOWN_TIMEOUT_MS',
};

// JSONSchemaType<Config> makes the compiler check this schema against the Config type.
export const configSchema: JSONSchemaType<Config> = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'host', 'dataDir', 'dbName', 'embeddedPort', 'embeddedMode', 'logLevel', 'shutdownTimeoutMs'],
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    host: { type: 'string', minLength: 1, default: '127.0.0.1' },
    dataDir: { type: 'string', minLength: 1, default: './data' },
    mongodbUri: { type: 'string', nullable: true, pattern: '^mongodb(\\+srv)?://' },
    dbName: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,63}$', default: 'rapport' },
    embeddedPort: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
    embeddedMode: { type: 'string', enum: ['worker', 'in-process'], default: 'worker' },
    logLevel: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    shutdownTimeoutMs: { type: 'integer', minimum: 0, default: 10000 },
  },
};
