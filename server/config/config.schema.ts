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
  publicUrl?: string;
  adminEmail?: string;
  adminPassword?: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  pluginsDir?: string;
  pluginFetchAllow?: string;
  retentionDays: number;
  workflowConcurrency: number;
  workflowLeaseSeconds: number;
  smtpUrl?: string;
  mailFrom: string;
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
  publicUrl: 'RAPPORT_PUBLIC_URL',
  adminEmail: 'RAPPORT_ADMIN_EMAIL',
  adminPassword: 'RAPPORT_ADMIN_PASSWORD',
  sessionIdleMinutes: 'RAPPORT_SESSION_IDLE_MINUTES',
  sessionMaxHours: 'RAPPORT_SESSION_MAX_HOURS',
  pluginsDir: 'RAPPORT_PLUGINS_DIR',
  pluginFetchAllow: 'RAPPORT_PLUGIN_FETCH_ALLOW',
  retentionDays: 'RAPPORT_RETENTION_DAYS',
  workflowConcurrency: 'RAPPORT_WORKFLOW_CONCURRENCY',
  workflowLeaseSeconds: 'RAPPORT_WORKFLOW_LEASE_SECONDS',
  smtpUrl: 'RAPPORT_SMTP_URL',
  mailFrom: 'RAPPORT_MAIL_FROM',
};

// JSONSchemaType<Config> makes the compiler check this schema against the Config type.
export const configSchema: JSONSchemaType<Config> = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'host', 'dataDir', 'dbName', 'embeddedPort', 'embeddedMode', 'logLevel', 'shutdownTimeoutMs', 'sessionIdleMinutes', 'sessionMaxHours', 'retentionDays', 'workflowConcurrency', 'workflowLeaseSeconds', 'mailFrom'],
  // An admin password from the environment needs its email, and the other way round.
  dependencies: { adminEmail: ['adminPassword'], adminPassword: ['adminEmail'] },
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
    publicUrl: { type: 'string', nullable: true, pattern: '^https?://[^/?#]+/?$' },
    adminEmail: { type: 'string', nullable: true, pattern: '^[^@\\s]+@[^@\\s]+$' },
    adminPassword: { type: 'string', nullable: true, minLength: 10, maxLength: 256 },
    sessionIdleMinutes: { type: 'integer', minimum: 1, maximum: 43200, default: 480 },
    sessionMaxHours: { type: 'integer', minimum: 1, maximum: 8760, default: 168 },
    pluginsDir: { type: 'string', nullable: true, minLength: 1 },
    pluginFetchAllow: { type: 'string', nullable: true, pattern: '^[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*$' },
    retentionDays: { type: 'integer', minimum: 1, maximum: 3650, default: 30 },
    workflowConcurrency: { type: 'integer', minimum: 1, maximum: 256, default: 8 },
    workflowLeaseSeconds: { type: 'integer', minimum: 2, maximum: 3600, default: 30 },
    smtpUrl: { type: 'string', nullable: true, pattern: '^smtps?://' },
    mailFrom: { type: 'string', minLength: 3, maxLength: 200, pattern: '^[^\\r\\n]*@[^\\r\\n]*$', default: 'Rapport <rapport@localhost>' },
  },
};
