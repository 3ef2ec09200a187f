/**
 * Cursor batches are serialized once: each document is turned into BSON when the batch is cut
 * (its size decides where the batch ends) and those bytes are spliced into the reply as they are.
 */
import { BSON } from 'bson';
import type { Doc } from './collection-store.ts';
import { fail } from './engine-errors.ts';
import { documentOf, elementHeader, elementsOf, rawArray, TYPE_ARRAY, TYPE_DOCUMENT } from './bson-splice.ts';

/** Documents already in BSON form, standing in for an array inside a reply. */
export class RawDocs {
  constructor(readonly docs: Uint8Array[]) {}
}

const SERIALIZER_LIMIT = 16 * 1024 * 1024;

/**
 * bson 7 silently truncates output past its ~17 MB buffer; a reply that big (thousands of write
 * errors, say) is measured and, if it did not fit, replaced by an error rather than sent corrupt.
 */
function serializeChecked(reply: Doc): Uint8Array {
  const bytes = BSON.serialize(reply);
  if (bytes.length < SERIALIZER_LIMIT || BSON.calculateObjectSize(reply) === bytes.length) return bytes;
  return BSON.serialize({ ok: 0, errmsg: 'reply exceeds the maximum BSON size', code: 10334, codeName: 'BSONObjectTooLarge' });
}

/** One result document for a cursor batch; an aggregation can build one past the 16 MiB limit. */
export function serializeResult(doc: Doc): Uint8Array {
  const bytes = BSON.serialize(doc);
  if (bytes.length > SERIALIZER_LIMIT) {
    const size = BSON.calculateObjectSize(doc);
    fail('BSONObjectTooLarge', `BSONObj size: ${size} is invalid. Size must be between 0 and ${SERIALIZER_LIMIT}`);
  }
  return bytes;
}

/** Serializes a reply, splicing in `cursor.firstBatch` / `cursor.nextBatch` when they are RawDocs. */
export function serializeReply(reply: Doc): Uint8Array {
  const cursor = reply.cursor as Doc | undefined;
  const batchKey = cursor && (cursor.firstBatch instanceof RawDocs ? 'firstBatch' : cursor.nextBatch instanceof RawDocs ? 'nextBatch' : undefined);
  if (!cursor || !batchKey) return serializeChecked(reply);
  const { [batchKey]: batch, ...cursorRest } = cursor;
  const { cursor: _cursor, ...replyRest } = reply;
  const cursorDoc = documentOf([elementHeader(TYPE_ARRAY, batchKey), rawArray((batch as RawDocs).docs), elementsOf(cursorRest)]);
  return documentOf([elementHeader(TYPE_DOCUMENT, 'cursor'), cursorDoc, elementsOf(replyRest)]);
}
