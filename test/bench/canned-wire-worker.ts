import { BSON, Long } from 'bson';
import { parentPort } from 'node:worker_threads';
import type { CommandContext } from '../../server/storage/embedded/commands/command-context.ts';
import { handshakeCommands } from '../../server/storage/embedded/commands/handshake.commands.ts';
import { RawDocs } from '../../server/storage/embedded/raw-reply.ts';
import { WireServer } from '../../server/storage/embedded/wire-server.ts';
import { CANNED_DOC } from './canned-wire.ts';

// A MongoDB wire server that does no work: the engine's framing and message parsing, then a
// prebuilt answer to every command (the same document for every find, "done" for every write).

const docBytes = BSON.serialize(CANNED_DOC);
const MAX_BATCH = 101;

function find(body: Record<string, unknown>, db: string): Record<string, unknown> {
  const limit = Math.abs(Number(body.limit ?? 0)) || MAX_BATCH;
  const docs = new RawDocs(Array.from({ length: Math.min(limit, MAX_BATCH) }, () => docBytes));
  return { cursor: { firstBatch: docs, id: Long.ZERO, ns: `${db}.${String(body.find)}` }, ok: 1 };
}

const server = new WireServer(async (body, db, connectionId) => {
  const name = Object.keys(body)[0] ?? '';
  const handshake = handshakeCommands[name];
  if (handshake) return handshake(body, { connectionId } as CommandContext);
  if (name === 'find') return find(body, db);
  if (name === 'insert') return { n: Array.isArray(body.documents) ? body.documents.length : 1, ok: 1 };
  if (name === 'update' || name === 'delete') return { n: 1, nModified: 1, ok: 1 };
  return { ok: 1 };
});
const port = await server.listen(0);
parentPort!.postMessage({ port });
parentPort!.on('message', () => void server.close().then(() => process.exit(0)));
