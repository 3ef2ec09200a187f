// What an operation handler gets, and the small helpers every handler table uses.
import type { ClientSession, MongoClient } from 'mongodb';
import type { Doc } from './unified-format.types.ts';
import type { EntityKind, EntityMap, EntityOf } from './entities.ts';
import { toDriverOptions } from './driver-options.ts';
import { RunnerError } from './runner-error.ts';

export type FailPointRecord = { client: MongoClient; name: string };

export type OperationContext = {
  entities: EntityMap;
  /** The suite's connection string; client entities add their uriOptions to it. */
  uri: string;
  /** The internal client (initialData, outcome, assertCollectionExists, ...). */
  internalClient: MongoClient;
  /** Fail points switched on during the test, switched off after it. */
  failPoints: FailPointRecord[];
};

export type OperationSpec<K extends EntityKind> = {
  /** Arguments that must be present; passed to `run` like the rest. */
  required?: string[];
  /** Accepted optional arguments; anything else is an unsupported argument. */
  optional?: string[];
  /** The result is an iterated cursor, whose documents are matched as root-level documents. */
  returnsDocuments?: boolean;
  run(entity: EntityOf<K>, args: Doc, ctx: OperationContext): Promise<unknown>;
};

export type OperationTable<K extends EntityKind> = Record<string, OperationSpec<K>>;

/** Splits `args` into the named values and the rest (the driver options, converted). */
export function takeArgs(args: Doc, names: string[]): [Doc, Doc] {
  const picked: Doc = {};
  const rest: Doc = {};
  for (const [key, value] of Object.entries(args)) {
    if (names.includes(key)) picked[key] = value;
    else rest[key] = value;
  }
  return [picked, toDriverOptions(rest)];
}

/** Replaces a `session` entity name by the session, as the format requires before any call. */
export function resolveSession(args: Doc, entities: EntityMap): Doc {
  if (args.session === undefined) return args;
  const session: ClientSession = entities.get(String(args.session), 'session').session;
  return { ...args, session };
}

export function checkArguments(name: string, spec: OperationSpec<EntityKind>, args: Doc): void {
  const missing = (spec.required ?? []).filter((key) => args[key] === undefined);
  if (missing.length > 0) throw new RunnerError(`operation ${name} is missing argument(s) ${missing.join(', ')}`);
  const known = new Set([...(spec.required ?? []), ...(spec.optional ?? [])]);
  const unknown = Object.keys(args).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new RunnerError(`unsupported argument(s) ${unknown.join(', ')} for operation ${name}`);
}
