/** Hostile or malformed wire messages close their own connection; the engine keeps serving. */
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { BSON } from 'bson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.ts';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(() => t.cleanup());

function header(length: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(1, 4);
  h.writeInt32LE(opCode, 12);
  return h;
}

function opMsg(body: Buffer, flags = 0): Buffer {
  const rest = Buffer.concat([Buffer.from([flags, 0, 0, 0]), Buffer.from([0]), body]);
  return Buffer.concat([header(16 + rest.length, 2013), rest]);
}

/** Sends bytes on a fresh connection and resolves with what came back before the server closed it. */
function send(bytes: Buffer, timeoutMs = 2000): Promise<{ closed: boolean; reply: Buffer }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect(t.engine.port, '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, reply: Buffer.concat(chunks) });
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, reply: Buffer.concat(chunks) });
    });
  });
}

const validPing = opMsg(Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' })));
const truncatedDoc = (() => {
  const doc = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }));
  doc.writeInt32LE(doc.length + 100, 0);
  return opMsg(doc);
})();
const badUtf8 = (() => {
  const doc = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin', s: 'ok' }));
  doc[doc.indexOf('ok')] = 0xff;
  return opMsg(doc);
})();

const hostile: [string, Buffer][] = [
  ['a negative message length', header(-5, 2013)],
  ['a message length over 48 MB', header(60_000_000, 2013)],
  ['an unknown opcode', Buffer.concat([header(20, 9999), Buffer.alloc(4)])],
  ['OP_COMPRESSED, which the engine never offers', Buffer.concat([header(25, 2012), Buffer.alloc(9)])],
  ['a document length past the message end', truncatedDoc],
  ['invalid UTF-8 in a string', badUtf8],
  ['an unknown required flag bit', opMsg(Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' })), 4)],
  ['an unknown section kind', Buffer.concat([header(22, 2013), Buffer.from([0, 0, 0, 0, 7, 0])])],
  ['random bytes with a plausible length', Buffer.concat([header(116, 2013), randomBytes(100)])],
];

describe('wire protocol robustness', () => {
  it.each(hostile)('closes the connection on %s', async (_name, bytes) => {
    const { closed } = await send(bytes);
    expect(closed).toBe(true);
  });

  it('keeps answering well-formed clients after every hostile message', async () => {
    for (const [, bytes] of hostile) await send(bytes);
    const { reply } = await send(validPing, 500);
    const body = BSON.deserialize(reply.subarray(21));
    expect(body).toMatchObject({ ok: 1 });
    expect(await t.client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('survives a burst of random garbage on many connections', async () => {
    await Promise.all(Array.from({ length: 50 }, () => send(randomBytes(64 + Math.floor(Math.random() * 512)), 300)));
    expect(await t.client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });
});
