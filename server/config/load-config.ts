import { Ajv } from 'ajv';
import { configSchema, ENV_NAMES, type Config } from './config.schema.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true });
const validate = ajv.compile(configSchema);

const byKey = Object.fromEntries(Object.entries(ENV_NAMES).map(([key, env]) => [`/${key}`, env]));

/**
 * Builds the config from environment variables, applies defaults and validates it once.
 * Every problem is reported in one error, named by its environment variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  if (validate(raw)) return raw;
  const problems = (validate.errors ?? []).map((e) => {
    const name = byKey[e.instancePath] ?? (e.instancePath || 'config');
    return `${name} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as string[]).join(', ')})` : ''}`;
  });
  throw new ConfigError(problems);
}
