/**
 * MongoDB wire protocol framing: OP_MSG for commands, OP_QUERY/OP_REPLY for the legacy handshake.
 * Anything malformed throws WireProtocolError; the server then closes that connection.
 */
import { BSON } from 'bson';
import type { Doc } from './collection-store.ts';
import { MAX_MESSAGE_SIZE } from './commands/handshake.commands.ts';
import { serializeReply } from './raw-reply.ts';
import { keepArrivedBytes } from './arrived-bytes.ts';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;
const HEADER = 16;
const CHECKSUM_PRESENT = 1;
export const MORE_TO_COME = 2;
const KNOWN_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME | (1 << 16);

export class WireProtocolError extends Error {}

export type Request =
  | { opCode: typeof OP_MSG; requestId: number; body: Doc; moreToCome: boolean }
  | { opCode: typeof OP_QUERY; requestId: number; body: Doc; db: string };

const BSON_OPTIONS = { validation: { utf8: true } } as const;

/** Length of the message at the head of `buf`, or undefined until 4 bytes have arrived. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 4) return undefined;
  const length = buf.readInt32LE(0);
  if (length < HEADER || length > MAX_MESSAGE_SIZE) throw new WireProtocolError(`invalid message length ${length}`);
  return length;
}

export function parseMessage(msg: Buffer): Request {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  try {
    if (opCode === OP_MSG) return { opCode, requestId, ...parseOpMsg(msg) };
    if (opCode === OP_QUERY) return { opCode, requestId, ...parseOpQuery(msg) };
  } catch (err) {
    if (err instanceof WireProtocolError) throw err;
    throw new WireProtocolError(`malformed message: ${(err as Error).message}`);
  }
  throw new WireProtocolError(`unsupported opCode ${opCode}`);
}

function readDocument(msg: Buffer, pos: number, end: number): [Doc, number] {
  if (pos + 5 > end) throw new WireProtocolError('truncated document');
  const size = msg.readInt32LE(pos);
  if (size < 5 || pos + size > end) throw new WireProtocolError('document length out of bounds');
  return [BSON.deserialize(msg.subarray(pos, pos + size), BSON_OPTIONS) as Doc, pos + size];
}

function parseOpMsg(msg: Buffer): { body: Doc; moreToCome: boolean } {
  const flags = msg.readUInt32LE(HEADER);
  if ((flags & 0xffff) & ~KNOWN_FLAGS) throw new WireProtocolError(`unknown required OP_MSG flags ${flags}`);
  const end = msg.length - (flags & CHECKSUM_PRESENT ? 4 : 0);
  let pos = HEADER + 4;
  let body: Doc | undefined;
  const sequences: [string, Doc[]][] = [];
  while (pos < end) {
    const kind = msg.readUInt8(pos++);
    if (kind === 0) {
      if (body) throw new WireProtocolError('OP_MSG has more than one body section');
      [body, pos] = readDocument(msg, pos, end);
    } else if (kind === 1) {
      const size = msg.readInt32LE(pos);
      const sectionEnd = pos + size;
      if (size < 5 || sectionEnd > end) throw new WireProtocolError('document sequence out of bounds');
      const nul = msg.indexOf(0, pos + 4);
      if (nul < 0 || nul >= sectionEnd) throw new WireProtocolError('document sequence identifier not terminated');
      const identifier = msg.toString('utf8', pos + 4, nul);
      const docs: Doc[] = [];
      for (pos = nul + 1; pos < sectionEnd; ) {
        const start = pos;
        let doc: Doc;
        [doc, pos] = readDocument(msg, pos, sectionEnd);
        if (identifier === 'documents') keepArrivedBytes(doc, msg.subarray(start, pos));
        docs.push(doc);
      }
      sequences.push([identifier, docs]);
    } else throw new WireProtocolError(`unknown OP_MSG section kind ${kind}`);
  }
  if (!body) throw new WireProtocolError('OP_MSG without a body');
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  return { body, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

function parseOpQuery(msg: Buffer): { body: Doc; db: string } {
  const nameStart = HEADER + 4;
  const nul = msg.indexOf(0, nameStart);
  if (nul < 0) throw new WireProtocolError('OP_QUERY collection name not terminated');
  const fullName = msg.toString('utf8', nameStart, nul);
  const [query] = readDocument(msg, nul + 1 + 8, msg.length);
  const body = (query.$query ?? query.query ?? query) as Doc;
  if (!fullName.endsWith('.$cmd')) throw new WireProtocolError('OP_QUERY is only supported for commands');
  return { body, db: fullName.slice(0, -'.$cmd'.length) };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

export function encodeOpMsg(reply: Doc, requestId: number, responseTo: number): Buffer[] {
  const doc = serializeReply(reply);
  const prefix = Buffer.alloc(5);
  return [header(HEADER + 5 + doc.length, requestId, responseTo, OP_MSG), prefix, Buffer.from(doc.buffer, doc.byteOffset, doc.length)];
}

export function encodeOpReply(reply: Doc, requestId: number, responseTo: number): Buffer[] {
  const doc = serializeReply(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(1, 16);
  return [header(HEADER + 20 + doc.length, requestId, responseTo, OP_REPLY), fields, Buffer.from(doc.buffer, doc.byteOffset, doc.length)];
}
