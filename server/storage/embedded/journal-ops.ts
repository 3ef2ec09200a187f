/**
 * The engine's operations as they are journalled: each change is one of these plain documents,
 * serialized as BSON, one after another in the record of the command that made them.
 */
import { BSON } from 'bson';
import type { Doc } from './collection-store.ts';
import type { IndexSpec } from './index-store.ts';
import { fail } from './engine-errors.ts';
import { MAX_BSON_OBJECT_SIZE } from './commands/handshake.commands.ts';
import { elementHeader, elementsOf, TYPE_DOCUMENT } from './bson-splice.ts';

export type JournalOp =
  | { op: 'ins'; ns: string; doc: Doc }
  | { op: 'put'; ns: string; doc: Doc }
  | { op: 'del'; ns: string; id: unknown }
  | { op: 'createColl'; ns: string; options: Record<string, unknown> }
  | { op: 'dropColl'; ns: string }
  | { op: 'createIndex'; ns: string; spec: IndexSpec }
  | { op: 'dropIndex'; ns: string; name: string }
  | { op: 'rename'; from: string; to: string };

export type WriteBatch = { payloads: Uint8Array[]; bytes: number };

/**
 * The op's journal bytes; a document over MongoDB's 16 MiB limit is refused with its error.
 * (bson 7 silently truncates output past its ~17 MB buffer, so a long result is re-measured.)
 */
export function serializeOp(op: JournalOp): Uint8Array {
  const bytes = BSON.serialize(op);
  if ('doc' in op && bytes.length > MAX_BSON_OBJECT_SIZE) {
    const size = BSON.calculateObjectSize(op.doc);
    if (size > MAX_BSON_OBJECT_SIZE) fail('BSONObjectTooLarge', `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_OBJECT_SIZE}`);
  }
  return bytes;
}

const END_OF_DOCUMENT = new Uint8Array([0]);
/** Per namespace: an insert op's elements before the document's bytes (`op`, `ns`, then the header of `doc`). */
const insertPrefixes = new Map<string, Buffer>();

/**
 * An insert op's journal bytes, in pieces around the document's own (not copied here): the same
 * bytes serializeOp gives, without serializing the document again.
 */
export function insertOpPieces(ns: string, doc: Uint8Array): Uint8Array[] {
  if (doc.length > MAX_BSON_OBJECT_SIZE) fail('BSONObjectTooLarge', `object to insert too large. size in bytes: ${doc.length}, max size: ${MAX_BSON_OBJECT_SIZE}`);
  let prefix = insertPrefixes.get(ns);
  if (!prefix) {
    if (insertPrefixes.size > 1000) insertPrefixes.clear();
    prefix = Buffer.concat([elementsOf({ op: 'ins', ns }), elementHeader(TYPE_DOCUMENT, 'doc')]);
    insertPrefixes.set(ns, prefix);
  }
  const size = Buffer.allocUnsafe(4);
  size.writeInt32LE(4 + prefix.length + doc.length + 1);
  return [size, prefix, doc, END_OF_DOCUMENT];
}
