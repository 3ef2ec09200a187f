/**
 * Snapshots: the whole state at a journal boundary, written to a temp file, fsynced and renamed,
 * so a snapshot on disk is always complete. Layout: a header record, then per collection a
 * catalog record followed by document chunks, then an end record.
 */
import { BSON } from 'bson';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { frameRecord, fsyncDir, parseRecords } from './record-file.ts';
import type { Doc } from './collection-store.ts';
import type { IndexSpec } from './index-store.ts';
import { documentOf, elementHeader, elementsOf, rawArray, TYPE_ARRAY } from './bson-splice.ts';

export type CollectionState = {
  ns: string;
  options: Record<string, unknown>;
  indexes: IndexSpec[];
  docs: Doc[];
};

/** A chunk stays well under bson's 17 MB serialization buffer; one document alone always fits. */
const CHUNK_BYTES = 8 * 1024 * 1024;

/** The documents' bytes in chunks of about CHUNK_BYTES: each document is serialized once, not measured first. */
function* chunks(docs: Doc[]): Generator<Uint8Array[]> {
  let chunk: Uint8Array[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const raw = BSON.serialize(doc);
    if (chunk.length > 0 && bytes + raw.length > CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(raw);
    bytes += raw.length;
  }
  if (chunk.length > 0) yield chunk;
}

/** `{t: 'docs', ns, docs: [...]}`, the documents spliced in as bytes. */
function docsRecord(ns: string, docs: Uint8Array[]): Uint8Array {
  return documentOf([elementsOf({ t: 'docs', ns }), elementHeader(TYPE_ARRAY, 'docs'), rawArray(docs)]);
}

/** Writes the snapshot (atomically: under a temporary name, then renamed) and resolves with its size in bytes. */
export async function writeSnapshot(path: string, seq: number, collections: CollectionState[]): Promise<number> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  let bytes = 0;
  try {
    const write = (record: Uint8Array) => {
      const framed = frameRecord(record);
      bytes += framed.length;
      return handle.write(framed);
    };
    await write(BSON.serialize({ t: 'header', seq, collections: collections.length }));
    for (const c of collections) {
      await write(BSON.serialize({ t: 'collection', ns: c.ns, options: c.options, indexes: c.indexes }));
      for (const chunk of chunks(c.docs)) await write(docsRecord(c.ns, chunk));
    }
    await write(BSON.serialize({ t: 'end', seq }));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
  return bytes;
}

/** Reads a snapshot; throws if it is not complete (which a renamed snapshot always is). */
export async function readSnapshot(path: string): Promise<{ seq: number; collections: CollectionState[] }> {
  const { payloads } = parseRecords(await readFile(path));
  const records = payloads.map((p) => BSON.deserialize(p));
  const header = records[0];
  const end = records[records.length - 1];
  if (header?.t !== 'header' || end?.t !== 'end') throw new Error(`snapshot ${path} is incomplete`);
  const byNs = new Map<string, CollectionState>();
  for (const r of records.slice(1, -1)) {
    if (r.t === 'collection') byNs.set(r.ns, { ns: r.ns, options: r.options, indexes: r.indexes, docs: [] });
    else if (r.t === 'docs') byNs.get(r.ns)!.docs.push(...(r.docs as Doc[]));
  }
  return { seq: header.seq as number, collections: [...byNs.values()] };
}
