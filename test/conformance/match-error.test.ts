import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { MongoBulkWriteError, MongoInvalidArgumentError, MongoNetworkError, MongoServerError, type BulkWriteResult } from 'mongodb';
import { matchError } from './match-error.ts';
import type { ExpectedError } from './unified-format.types.ts';

// WriteError and BulkWriteResult are runtime classes the driver does not export; the errors
// below are built from them exactly as the driver builds them after a bulk write.
type WriteErrorLike = { errmsg?: string };
const bulkCommon = createRequire(import.meta.url)('mongodb/lib/bulk/common.js') as {
  WriteError: new (err: object) => WriteErrorLike;
  BulkWriteResult: new (bulkResult: object, ordered: boolean) => BulkWriteResult;
};

const serverError = new MongoServerError({
  ok: 0,
  errmsg: "BSON field 'delete.let' is an unknown field.",
  code: 40415,
  codeName: 'Location40415',
  errorLabels: ['TransientTransactionError'],
});

function duplicateKeyBulkError(): MongoBulkWriteError {
  const writeError = new bulkCommon.WriteError({ index: 1, code: 11000, errmsg: 'E11000 duplicate key error collection: t.c index: _id_ dup key: { _id: 1 }' });
  const bulkResult = {
    ok: 1, writeErrors: [writeError], writeConcernErrors: [], nInserted: 2, nUpserted: 0, nMatched: 0,
    nModified: 0, nRemoved: 0, upserted: [], insertedIds: [{ index: 0, _id: 2 }, { index: 1, _id: 1 }, { index: 2, _id: 3 }],
  };
  const result = new bulkCommon.BulkWriteResult(bulkResult, false);
  return new MongoBulkWriteError({ message: writeError.errmsg ?? '', code: 11000, writeErrors: [writeError as never] }, result);
}

type Row = { name: string; expected: ExpectedError; error: unknown; matches: boolean };

const rows: Row[] = [
  { name: 'isError with any error', expected: { isError: true }, error: new Error('boom'), matches: true },
  { name: 'isClientError false on a server error', expected: { isClientError: false }, error: serverError, matches: true },
  { name: 'isClientError true on a server error', expected: { isClientError: true }, error: serverError, matches: false },
  { name: 'isClientError true on a network error', expected: { isClientError: true }, error: new MongoNetworkError('closed'), matches: true },
  { name: 'isClientError false on a validation error', expected: { isClientError: false }, error: new MongoInvalidArgumentError('bad'), matches: false },
  { name: 'errorContains is case-insensitive', expected: { errorContains: "'DELETE.LET' is an unknown" }, error: serverError, matches: true },
  { name: 'errorContains absent text', expected: { errorContains: 'unrecognized field' }, error: serverError, matches: false },
  { name: 'errorCode equal', expected: { errorCode: 40415 }, error: serverError, matches: true },
  { name: 'errorCode different', expected: { errorCode: 2 }, error: serverError, matches: false },
  { name: 'errorCode on a client error', expected: { errorCode: 8 }, error: new MongoNetworkError('closed'), matches: false },
  { name: 'errorCodeName case-insensitive', expected: { errorCodeName: 'location40415' }, error: serverError, matches: true },
  { name: 'errorLabelsContain present', expected: { errorLabelsContain: ['TransientTransactionError'] }, error: serverError, matches: true },
  { name: 'errorLabelsContain missing', expected: { errorLabelsContain: ['RetryableWriteError'] }, error: serverError, matches: false },
  { name: 'errorLabelsOmit present', expected: { errorLabelsOmit: ['TransientTransactionError'] }, error: serverError, matches: false },
  { name: 'errorResponse as root document', expected: { errorResponse: { code: 40415 } }, error: serverError, matches: true },
  { name: 'bulk error code from write errors', expected: { errorCode: 11000 }, error: duplicateKeyBulkError(), matches: true },
  { name: 'bulk error message from write errors', expected: { errorContains: 'duplicate key' }, error: duplicateKeyBulkError(), matches: true },
  {
    name: 'bulk error partial result',
    expected: { isError: true, expectResult: { deletedCount: 0, insertedCount: 2, matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedIds: {} } },
    error: duplicateKeyBulkError(),
    matches: true,
  },
  {
    name: 'bulk error partial result with wrong count',
    expected: { isError: true, expectResult: { insertedCount: 3 } },
    error: duplicateKeyBulkError(),
    matches: false,
  },
  {
    name: 'expectResult on an error without result',
    expected: { expectResult: { insertedCount: 0 } },
    error: serverError,
    matches: false,
  },
  {
    name: '$$unsetOrMatches result on an error without result',
    expected: { expectResult: { $$unsetOrMatches: { insertedCount: 0 } } },
    error: serverError,
    matches: true,
  },
];

describe('matchError', () => {
  it.each(rows)('$name', ({ expected, error, matches }) => {
    const failure = matchError(expected, error);
    if (matches) expect(failure).toBeUndefined();
    else expect(failure).toEqual(expect.any(String));
  });

  it('names the error it got when an assertion fails', () => {
    expect(matchError({ errorCode: 2 }, serverError)).toBe(
      "expected error code 2 (error was MongoServerError code 40415 (Location40415): BSON field 'delete.let' is an unknown field.)",
    );
  });
});
