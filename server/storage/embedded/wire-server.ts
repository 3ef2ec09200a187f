/**
 * TCP server speaking the wire protocol on loopback. Requests on one connection run in order;
 * a malformed message closes only its own connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../shared/logger.ts';
import type { Doc } from './collection-store.ts';
import {
  encodeOpMsg,
  encodeOpReply,
  messageLength,
  OP_MSG,
  parseMessage,
  WireProtocolError,
  type Request,
} from './wire-protocol.ts';

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
    let pending = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        for (let length = messageLength(pending); length !== undefined && pending.length >= length; length = messageLength(pending)) {
          const request = parseMessage(pending.subarray(0, length));
          pending = pending.subarray(length);
          chain = chain.then(() => this.answer(socket, request, connectionId)).catch((err: unknown) => this.reject(socket, err));
        }
      } catch (err) {
        this.reject(socket, err);
      }
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
      if (!socket.destroyed) socket.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    } catch (err) {
      this.reject(socket, err);
    }
  }

  private reject(socket: Socket, err: unknown): void {
    const reason = err instanceof WireProtocolError ? err.message : `internal error: ${(err as Error).message}`;
    this.logger?.warn({ reason, remote: socket.remoteAddress }, 'closing connection after a bad wire message');
    socket.destroy();
  }
}
