/**
 * The BSON each document of an insert's `documents` sequence arrived as (wire-protocol.ts keeps
 * it, the insert command takes it): the journal stores those bytes as they came instead of
 * serializing the parsed document again (which took about 7% of the engine thread's time in a
 * 100k-row import, issue 5).
 * Parsing them back, as recovery does, gives the same document. The journal holds on to them
 * until its next write; a message's bytes are never reused for another one.
 */
import type { Doc } from './collection-store.ts';

const arrived = new WeakMap<Doc, Uint8Array>();

export function keepArrivedBytes(doc: Doc, bytes: Uint8Array): void {
  arrived.set(doc, bytes);
}

/** Handed out once, so that a stored document does not keep the message it came in alive. */
export function takeArrivedBytes(doc: Doc): Uint8Array | undefined {
  const bytes = arrived.get(doc);
  if (bytes) arrived.delete(doc);
  return bytes;
}
