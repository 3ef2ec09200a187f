/**
 * Framing shared by the journal and snapshots: [u32 length][u32 crc32][payload], little endian.
 * A record whose length runs past the end of the file or whose checksum fails is a torn write.
 */
import { crc32 } from 'node:zlib';
import { open } from 'node:fs/promises';

const HEADER = 8;
/** A sanity bound on a record's length field; the engine caps one command's record at 512 MiB. */
export const MAX_RECORD_BYTES = 1024 * 1024 * 1024;

/** The header of a record whose payload is `pieces`, in order (never copied together to frame them). */
export function recordHeader(pieces: Uint8Array[]): Buffer {
  let length = 0;
  let crc = 0;
  for (const piece of pieces) {
    length += piece.length;
    crc = crc32(piece, crc);
  }
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt32LE(length, 0);
  header.writeUInt32LE(crc, 4);
  return header;
}

export function frameRecord(payload: Uint8Array): Buffer {
  return Buffer.concat([recordHeader([payload]), payload]);
}

export type ParsedRecords = {
  payloads: Buffer[];
  /** Bytes up to the end of the last intact record. */
  validBytes: number;
  /** True when bytes after the last intact record exist (a torn or corrupt tail). */
  torn: boolean;
};

export function parseRecords(buf: Buffer): ParsedRecords {
  const payloads: Buffer[] = [];
  let pos = 0;
  while (pos + HEADER <= buf.length) {
    const length = buf.readUInt32LE(pos);
    // Records are never empty, so a zero length is the end: clean if only the zeros of
    // preallocated space follow, torn otherwise.
    if (length === 0) return { payloads, validBytes: pos, torn: !isZero(buf.subarray(pos)) };
    if (length > MAX_RECORD_BYTES || pos + HEADER + length > buf.length) break;
    const payload = buf.subarray(pos + HEADER, pos + HEADER + length);
    if (crc32(payload) !== buf.readUInt32LE(pos + 4)) break;
    payloads.push(payload);
    pos += HEADER + length;
  }
  return { payloads, validBytes: pos, torn: pos < buf.length };
}

function isZero(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Makes a file's directory entry durable (after create, rename or unlink). */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Cuts a torn tail off and fsyncs, so the tail cannot reappear in a journal that is no longer the newest. */
export async function truncateDurably(path: string, length: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
