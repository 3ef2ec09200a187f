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

export type CollectionState = {
  ns: string;
  options: Record<string, unknown>;
  indexes: IndexSpec[];
  docs: Doc[];
};

/** A chunk stays well under bson's 17 MB serialization buffer; one document alone always fits. */
const CHUNK_BYTES = 8 * 1024 * 1024;

function* chunks(docs: Doc[]): Generator<Doc[]> {
  let chunk: Doc[] = [];
  let bytes = 0;
  for (const doc of docs) {
    const size = BSON.calculateObjectSize(doc);
    if (chunk.length > 0 && bytes + size > CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(doc);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

export async function writeSnapshot(path: string, seq: number, collections: CollectionState[]): Promise<void> {
  const tmp = `${path}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    const write = (record: Record<string, unknown>) => handle.write(frameRecord(BSON.serialize(record)));
    await write({ t: 'header', seq, collections: collections.length });
    for (const c of collections) {
      await write({ t: 'collection', ns: c.ns, options: c.options, indexes: c.indexes });
      for (const chunk of chunks(c.docs)) await write({ t: 'docs', ns: c.ns, docs: chunk });
    }
    await write({ t: 'end', seq });
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await fsyncDir(dirname(path));
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
