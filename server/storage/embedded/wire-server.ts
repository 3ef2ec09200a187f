/**
 * TCP server speaking the wire protocol on loopback. Requests on one connection run in order;
 * a malformed message closes only its own connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../shared/logger.ts';
import type { Doc } from './collection-store.ts';
import { CloseConnection } from './fail-points.ts';
import {
  encodeOpMsg,
  encodeOpReply,
  messageLength,
  OP_MSG,
  parseMessage,
  WireProtocolError,
  type Request,
} from './wire-protocol.ts';

const MAX_QUEUED = 32;

/**
 * Collects a connection's bytes and cuts whole messages off the front. Chunks are joined only
 * once a message is complete, so a 48 MB message arriving in 64 KB pieces is copied once.
 */
class MessageBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** The next complete message, or undefined; throws WireProtocolError on an impossible length. */
  next(): Buffer | undefined {
    if (this.size < 4) return undefined;
    if (this.chunks[0]!.length < 4) this.chunks = [Buffer.concat(this.chunks)];
    const length = messageLength(this.chunks[0]!)!;
    if (this.size < length) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = all.length > length ? [all.subarray(length)] : [];
    this.size -= length;
    return all.subarray(0, length);
  }
}

export type Dispatch = (body: Doc, db: string, connectionId: number) => Promise<Doc>;

export class WireServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private nextRequestId = 1;

  constructor(
    private readonly dispatch: Dispatch,
    private readonly logger?: Logger,
  ) {
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  /** Stops accepting and closes open connections (their in-flight replies are dropped). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    this.sockets.add(socket);
    const input = new MessageBuffer();
    let chain = Promise.resolve();
    let queued = 0;
    socket.on('data', (chunk) => {
      input.push(chunk);
      try {
        for (let msg = input.next(); msg; msg = input.next()) {
          const request = parseMessage(msg);
          // A client that sends faster than it reads replies is paused, not buffered without bound.
          if (++queued >= MAX_QUEUED) socket.pause();
          chain = chain
            .then(() => this.answer(socket, request, connectionId))
            .catch((err: unknown) => this.reject(socket, err))
            .finally(() => {
              if (--queued < MAX_QUEUED && !socket.writableNeedDrain) socket.resume();
            });
        }
      } catch (err) {
        this.reject(socket, err);
      }
    });
    socket.on('drain', () => {
      if (queued < MAX_QUEUED) socket.resume();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  private async answer(socket: Socket, request: Request, connectionId: number): Promise<void> {
    if (socket.destroyed) return;
    const db = request.opCode === OP_MSG ? String(request.body.$db ?? 'admin') : request.db;
    const reply = await this.dispatch(request.body, db, connectionId);
    if (request.opCode === OP_MSG && request.moreToCome) return;
    const encode = request.opCode === OP_MSG ? encodeOpMsg : encodeOpReply;
    try {
      const parts = encode(reply, this.nextRequestId++, request.requestId);
      if (!socket.destroyed && !socket.write(Buffer.concat(parts))) socket.pause();
    } catch (err) {
      this.reject(socket, err);
    }
  }

  private reject(socket: Socket, err: unknown): void {
    if (err instanceof CloseConnection) {
      socket.destroy();
      return;
    }
    const reason = err instanceof WireProtocolError ? err.message : `internal error: ${(err as Error).message}`;
    this.logger?.warn({ reason, remote: socket.remoteAddress }, 'closing connection after a bad wire message');
    socket.destroy();
  }
}
