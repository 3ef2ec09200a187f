/**
 * BSON built from pieces already serialized: cursor replies and snapshot chunks are documents
 * whose array of results is spliced in from each document's own bytes, each serialized once.
 */
import { BSON } from 'bson';
import type { Doc } from './collection-store.ts';

export const TYPE_DOCUMENT = 0x03;
export const TYPE_ARRAY = 0x04;

/** The type byte and name of one element; its value follows. */
export function elementHeader(type: number, key: string): Buffer {
  const name = Buffer.from(key, 'utf8');
  const out = Buffer.allocUnsafe(name.length + 2);
  out[0] = type;
  name.copy(out, 1);
  out[name.length + 1] = 0;
  return out;
}

/** A document whose elements are the given byte runs, in order. */
export function documentOf(elements: Uint8Array[]): Buffer {
  const size = 4 + elements.reduce((n, e) => n + e.length, 0) + 1;
  const out = Buffer.allocUnsafe(size);
  out.writeInt32LE(size, 0);
  let pos = 4;
  for (const e of elements) {
    out.set(e, pos);
    pos += e.length;
  }
  out[pos] = 0;
  return out;
}

/** The element bytes of a serialized document, without its length prefix and terminator. */
export function elementsOf(doc: Doc): Uint8Array {
  const bytes = BSON.serialize(doc);
  return bytes.subarray(4, bytes.length - 1);
}

/** An array (a document keyed "0", "1", ...) of documents already in BSON form. */
export function rawArray(docs: Uint8Array[]): Buffer {
  const elements: Uint8Array[] = [];
  docs.forEach((d, i) => elements.push(elementHeader(TYPE_DOCUMENT, String(i)), d));
  return documentOf(elements);
}
