// Common options of the unified format (readConcern, readPreference, writeConcern, ...) turned
// into what the Node.js driver takes, and the connection string for client entities.
import { ReadPreference, type ReadPreferenceMode, type TagSet } from 'mongodb';
import type { Doc } from './unified-format.types.ts';
import { RunnerError } from './runner-error.ts';

export function toReadPreference(value: unknown): ReadPreference {
  const spec = value as { mode?: string; tagSets?: TagSet[]; maxStalenessSeconds?: number; hedge?: Doc };
  if (!spec || typeof spec.mode !== 'string') throw new RunnerError(`invalid readPreference ${JSON.stringify(value)}`);
  const mode = (spec.mode.charAt(0).toLowerCase() + spec.mode.slice(1)) as ReadPreferenceMode;
  return new ReadPreference(mode, spec.tagSets, { maxStalenessSeconds: spec.maxStalenessSeconds, hedge: spec.hedge });
}

export function toWriteConcern(value: unknown): Doc {
  const spec = (value ?? {}) as { w?: unknown; journal?: unknown; wtimeoutMS?: unknown };
  const concern: Doc = {};
  if (spec.w !== undefined) concern.w = spec.w;
  if (spec.journal !== undefined) concern.journal = spec.journal;
  if (spec.wtimeoutMS !== undefined) concern.wtimeoutMS = spec.wtimeoutMS;
  return concern;
}

/**
 * A copy of `options` with the common options converted: readPreference becomes a ReadPreference,
 * writeConcern takes the driver's key names; everything else passes through unchanged.
 */
export function toDriverOptions(options: Doc): Doc {
  const converted: Doc = { ...options };
  if (options.readPreference !== undefined) converted.readPreference = toReadPreference(options.readPreference);
  if (options.writeConcern !== undefined) converted.writeConcern = toWriteConcern(options.writeConcern);
  return converted;
}

/** Options of database and collection entities (collectionOrDatabaseOptions). */
export function toEntityOptions(options: unknown): Doc {
  const spec = (options ?? {}) as Doc;
  const known = new Set(['readConcern', 'readPreference', 'writeConcern', 'timeoutMS']);
  const unknown = Object.keys(spec).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new RunnerError(`unsupported database/collection option(s): ${unknown.join(', ')}`);
  return toDriverOptions(spec);
}

function uriOptionValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' ? tagSet(item as Doc) : String(item)));
  if (typeof value === 'object' && value !== null) return [tagSet(value as Doc)];
  return [String(value)];
}

function tagSet(value: Doc): string {
  return Object.entries(value)
    .map(([k, v]) => `${k}:${String(v)}`)
    .join(',');
}

/** The suite's connection string with `uriOptions` applied (they win over what the string says). */
export function buildClientUri(baseUri: string, uriOptions: Doc | undefined, defaults: Doc = {}): string {
  const [beforeQuery, query = ''] = baseUri.split('?', 2);
  const params = new URLSearchParams(query);
  for (const [key, value] of Object.entries(defaults)) {
    if (!params.has(key) && !(uriOptions && key in uriOptions)) params.set(key, String(value));
  }
  for (const [key, value] of Object.entries(uriOptions ?? {})) {
    params.delete(key);
    for (const item of uriOptionValue(value)) params.append(key, item);
  }
  const afterScheme = beforeQuery.replace(/^mongodb(\+srv)?:\/\//, '');
  const base = afterScheme.includes('/') ? beforeQuery : `${beforeQuery}/`;
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}
