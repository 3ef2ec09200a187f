// Reading a unified test file: relaxed Extended JSON, and the schemaVersion compatibility rule.
import { EJSON } from 'bson';
import type { UnifiedTestFile } from './unified-format.types.ts';
import { compareVersions, parseVersion } from './requirements.ts';

/** The newest schema version this runner reads (same major version, any lower minor version). */
export const SUPPORTED_SCHEMA_VERSION = '1.28';

/**
 * Parses the file text. Each call returns new objects, so a test can be given its own copy:
 * the driver adds `_id` to documents it inserts, which must not leak into the next test.
 */
export function parseTestFile(text: string): UnifiedTestFile {
  const parsed = EJSON.parse(text, { relaxed: true }) as UnifiedTestFile;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.tests)) {
    throw new Error('not a unified test file (no tests array)');
  }
  return parsed;
}

/** Why this runner must not interpret the file, or undefined when it can. */
export function unsupportedSchema(schemaVersion: unknown): string | undefined {
  if (typeof schemaVersion !== 'string') return 'the file has no schemaVersion';
  const version = parseVersion(schemaVersion);
  const supported = parseVersion(SUPPORTED_SCHEMA_VERSION);
  if (version[0] !== supported[0] || compareVersions(version, supported) > 0) {
    return `schemaVersion ${schemaVersion} is not supported (this runner reads up to ${SUPPORTED_SCHEMA_VERSION})`;
  }
  return undefined;
}
