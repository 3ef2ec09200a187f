// `expectError` assertions of the unified test format, applied to what the driver threw.
import { MongoClientBulkWriteError, MongoError, MongoOperationTimeoutError, MongoServerError } from 'mongodb';
import type { ExpectedError } from './unified-format.types.ts';
import { describeValue } from './bson-compare.ts';
import { matchResult, type MatchOptions } from './match-result.ts';
import { resultToDocument } from './result-documents.ts';

type ErrorLike = Error & {
  code?: unknown;
  codeName?: unknown;
  errmsg?: unknown;
  errorResponse?: Record<string, unknown>;
  writeErrors?: unknown;
  writeConcernError?: { code?: unknown; codeName?: unknown; errmsg?: unknown };
  writeConcernErrors?: unknown[];
  errorLabels?: string[];
  result?: unknown;
  partialResult?: unknown;
  error?: unknown;
};

/** Returns why `error` does not satisfy `expected`, or undefined when it does. */
export function matchError(expected: ExpectedError, error: unknown, options: MatchOptions = {}): string | undefined {
  if (!(error instanceof Error)) return `expected an error, got ${describeValue(error)}`;
  const err = error as ErrorLike;
  const checks = [
    () => checkClientError(expected, err),
    () => checkTimeout(expected, err),
    () => checkContains(expected, err),
    () => checkCode(expected, err),
    () => checkCodeName(expected, err),
    () => checkLabels(expected, err),
    () => checkErrorResponse(expected, err, options),
    () => checkWriteErrors(expected, err, options),
    () => checkWriteConcernErrors(expected, err, options),
    () => checkErrorResult(expected, err, options),
  ];
  for (const check of checks) {
    const failure = check();
    if (failure) return `${failure} (error was ${describeError(err)})`;
  }
  return undefined;
}

/** One line for a driver error: class, code, code name and message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return describeValue(error);
  const err = error as ErrorLike;
  const code = err.code !== undefined ? ` code ${String(err.code)}` : '';
  const codeName = typeof err.codeName === 'string' ? ` (${err.codeName})` : '';
  const cause = err.cause instanceof Error ? ` [cause: ${describeError(err.cause)}]` : '';
  return `${err.name}${code}${codeName}: ${err.message}${cause}`;
}

/** Errors derived from a server reply; everything else (validation, network) is a client error. */
function isServerError(err: ErrorLike): boolean {
  return err instanceof MongoServerError;
}

function checkClientError(expected: ExpectedError, err: ErrorLike): string | undefined {
  if (expected.isClientError === undefined) return undefined;
  if (expected.isClientError && isServerError(err)) return 'expected a client-side error, got a server error';
  if (!expected.isClientError && !isServerError(err)) return 'expected a server error, got a client-side error';
  return undefined;
}

function checkTimeout(expected: ExpectedError, err: ErrorLike): string | undefined {
  if (expected.isTimeoutError === undefined) return undefined;
  const timeout = err instanceof MongoOperationTimeoutError;
  return timeout === expected.isTimeoutError ? undefined : `expected isTimeoutError ${String(expected.isTimeoutError)}`;
}

/** The top-level error plus, for bulk errors, every write error and write concern error. */
function errorParts(err: ErrorLike): Array<{ code?: unknown; codeName?: unknown; message?: unknown }> {
  const parts: Array<{ code?: unknown; codeName?: unknown; message?: unknown }> = [
    { code: err.code, codeName: err.codeName, message: err.message },
  ];
  const writeErrors = err.writeErrors instanceof Map ? [...err.writeErrors.values()] : err.writeErrors;
  for (const item of Array.isArray(writeErrors) ? writeErrors : []) {
    const writeError = item as { code?: unknown; codeName?: unknown; errmsg?: unknown; message?: unknown };
    parts.push({ code: writeError.code, codeName: writeError.codeName, message: writeError.errmsg ?? writeError.message });
  }
  const concern = [err.writeConcernError, ...(err.writeConcernErrors ?? [])];
  for (const item of concern) {
    const wce = item as { code?: unknown; codeName?: unknown; errmsg?: unknown; message?: unknown } | undefined;
    if (wce) parts.push({ code: wce.code, codeName: wce.codeName, message: wce.errmsg ?? wce.message });
  }
  // The top-level error of a client bulk write (`error` in spec terms) is the driver's `cause`.
  const inner = err instanceof MongoClientBulkWriteError ? (err.cause ?? err.error) : undefined;
  if (inner instanceof Error) parts.push(...errorParts(inner as ErrorLike));
  return parts;
}

function checkContains(expected: ExpectedError, err: ErrorLike): string | undefined {
  if (expected.errorContains === undefined) return undefined;
  const needle = expected.errorContains.toLowerCase();
  const found = errorParts(err).some((part) => typeof part.message === 'string' && part.message.toLowerCase().includes(needle));
  return found ? undefined : `expected the error message to contain "${expected.errorContains}"`;
}

function checkCode(expected: ExpectedError, err: ErrorLike): string | undefined {
  if (expected.errorCode === undefined) return undefined;
  if (!isServerError(err)) return `expected server error code ${expected.errorCode}, got a client-side error`;
  const found = errorParts(err).some((part) => Number(part.code) === expected.errorCode);
  return found ? undefined : `expected error code ${expected.errorCode}`;
}

function checkCodeName(expected: ExpectedError, err: ErrorLike): string | undefined {
  if (expected.errorCodeName === undefined) return undefined;
  const wanted = expected.errorCodeName.toLowerCase();
  const found = errorParts(err).some((part) => typeof part.codeName === 'string' && part.codeName.toLowerCase() === wanted);
  return found ? undefined : `expected error code name ${expected.errorCodeName}`;
}

function hasLabel(err: ErrorLike, label: string): boolean {
  if (err instanceof MongoError) return err.hasErrorLabel(label);
  return Array.isArray(err.errorLabels) && err.errorLabels.includes(label);
}

function checkLabels(expected: ExpectedError, err: ErrorLike): string | undefined {
  const missing = (expected.errorLabelsContain ?? []).filter((label) => !hasLabel(err, label));
  if (missing.length > 0) return `expected error label(s) ${missing.join(', ')}`;
  const present = (expected.errorLabelsOmit ?? []).filter((label) => hasLabel(err, label));
  return present.length > 0 ? `expected no error label(s) ${present.join(', ')}` : undefined;
}

function checkErrorResponse(expected: ExpectedError, err: ErrorLike, options: MatchOptions): string | undefined {
  if (expected.errorResponse === undefined) return undefined;
  if (!err.errorResponse) return 'expected a server error response';
  const failure = matchResult(expected.errorResponse, err.errorResponse, options);
  return failure ? `errorResponse ${failure}` : undefined;
}

function checkWriteErrors(expected: ExpectedError, err: ErrorLike, options: MatchOptions): string | undefined {
  if (expected.writeErrors === undefined) return undefined;
  const actual = err.writeErrors instanceof Map ? err.writeErrors : undefined;
  if (!actual) return 'expected a client bulk write error with writeErrors';
  const wantedKeys = Object.keys(expected.writeErrors);
  const actualKeys = [...actual.keys()].map(String);
  const extra = actualKeys.filter((key) => !wantedKeys.includes(key));
  if (extra.length > 0) return `unexpected write error(s) at index ${extra.join(', ')}`;
  for (const key of wantedKeys) {
    const writeError = actual.get(Number(key)) ?? actual.get(key);
    if (writeError === undefined) return `expected a write error at index ${key}`;
    const failure = matchResult(expected.writeErrors[key], resultToDocument(writeError), options);
    if (failure) return `writeErrors[${key}] ${failure}`;
  }
  return undefined;
}

function checkWriteConcernErrors(expected: ExpectedError, err: ErrorLike, options: MatchOptions): string | undefined {
  if (expected.writeConcernErrors === undefined) return undefined;
  const actual = err.writeConcernErrors ?? [];
  if (actual.length !== expected.writeConcernErrors.length) {
    return `expected ${expected.writeConcernErrors.length} write concern error(s), got ${actual.length}`;
  }
  for (let i = 0; i < actual.length; i += 1) {
    const failure = matchResult(expected.writeConcernErrors[i], resultToDocument(actual[i]), options);
    if (failure) return `writeConcernErrors[${i}] ${failure}`;
  }
  return undefined;
}

/** Bulk errors carry the partial result (`writeResult` / `partialResult` in spec terms). */
function checkErrorResult(expected: ExpectedError, err: ErrorLike, options: MatchOptions): string | undefined {
  if (!('expectResult' in expected)) return undefined;
  const partial = err.result ?? err.partialResult;
  const failure = matchResult(expected.expectResult, partial === undefined ? undefined : resultToDocument(partial), options);
  return failure ? `error result ${failure}` : undefined;
}
