/**
 * Files of file fields, stored through the driver in GridFS (bucket `files`), so they live in the
 * same database as the records on both the embedded engine and MongoDB. An upload is checked
 * while it streams: size against the field's limit, type from the content's own magic bytes
 * (not the client's word) against the field's accept list.
 */
import { GridFSBucket, ObjectId, type Db } from 'mongodb';
import { fileTypeFromBuffer } from 'file-type';
import type { Field } from '../../metadata/index.ts';
import { sharedProblems } from '../../shared/errors.ts';
import { recordProblems } from '../records.problems.ts';

export type FileField = Extract<Field, { type: 'file' }>;
export type FileMetadata = { entity: string; field: string; contentType: string; uploadedBy: string };

const SNIFF_BYTES = 4100;
const DEFAULT_MAX = 10 * 1024 * 1024;

export const fileBucket = (db: Db): GridFSBucket => new GridFSBucket(db, { bucketName: 'files' });

/** The type a file really has: sniffed when the format has a signature, else text if it reads as UTF-8 text. */
export async function detectType(head: Buffer, declared: string | undefined): Promise<string> {
  const sniffed = await fileTypeFromBuffer(head);
  if (sniffed) return sniffed.mime;
  const text = !head.includes(0) && isUtf8(head);
  if (!text) return 'application/octet-stream';
  const base = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  return /^text\/[a-z0-9.+-]+$/.test(base) || base === 'application/json' ? base : 'text/plain';
}

function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.length === SNIFF_BYTES ? buf.subarray(0, SNIFF_BYTES - 4) : buf);
    return true;
  } catch {
    return false;
  }
}

export function accepts(field: FileField, mime: string): boolean {
  if (!field.accept?.length) return true;
  return field.accept.some((a) => a === mime || (a.endsWith('/*') && mime.startsWith(a.slice(0, -1))));
}

type UploadInput = { db: Db; entity: string; field: FileField; filename: string; declaredType?: string; actorId: string; body: AsyncIterable<Buffer> };

/** Streams an upload into GridFS; nothing is kept if it is too large or of a refused type. */
export async function storeUpload(input: UploadInput): Promise<{ id: ObjectId; size: number; contentType: string }> {
  const max = input.field.maxSize ?? DEFAULT_MAX;
  const chunks: Buffer[] = [];
  let size = 0;
  let upload: ReturnType<GridFSBucket['openUploadStream']> | undefined;
  let contentType = '';
  const begin = async (head: Buffer) => {
    contentType = await detectType(head, input.declaredType);
    if (!accepts(input.field, contentType)) {
      throw sharedProblems.unsupportedMediaType.create({ detail: `${contentType} is not accepted by ${input.field.name} (accepts ${input.field.accept?.join(', ')})` });
    }
    const metadata: FileMetadata = { entity: input.entity, field: input.field.name, contentType, uploadedBy: input.actorId };
    upload = fileBucket(input.db).openUploadStream(input.filename, { metadata });
    await write(upload, head);
  };
  try {
    for await (const chunk of input.body) {
      size += chunk.length;
      if (size > max) throw sharedProblems.payloadTooLarge.create({ detail: `${input.field.name} accepts files up to ${max} bytes` });
      if (upload) await write(upload, chunk);
      else if (chunks.push(chunk) && size >= SNIFF_BYTES) await begin(Buffer.concat(chunks));
    }
    if (size === 0) throw recordProblems.validationFailed.create({ detail: 'The file is empty', errors: [{ pointer: `/${input.field.name}`, detail: 'must not be empty' }] });
    if (!upload) await begin(Buffer.concat(chunks));
    await new Promise<void>((resolve, reject) => upload!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return { id: upload!.id, size, contentType };
  } catch (err) {
    await upload?.abort().catch(() => undefined);
    throw err;
  }
}

function write(stream: NodeJS.WritableStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}
