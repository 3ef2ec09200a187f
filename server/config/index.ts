export { loadConfig, ConfigError } from './load-config.ts';
export type { Config } from './config.schema.ts';
export { ENV_NAMES } from './config.schema.ts';
