import { Agent, request } from 'node:http';

// The load generator's HTTP client: node:http over a keep-alive agent, one socket per concurrent
// client, no JSON parsing unless the caller asks for it, so the client stays cheap next to the server.

export type HttpReply = { status: number; text: string; /** The first Set-Cookie pair, if any. */ cookie?: string };

export type HttpClient = {
  base: string;
  /** Sends `body` as JSON when given; resolves with the status and the raw body whatever the status. */
  send(method: string, path: string, body?: unknown): Promise<HttpReply>;
  /** `send`, then the parsed body; anything but `expect` (200 by default) throws with the body. */
  json<T = unknown>(method: string, path: string, body?: unknown, expect?: number): Promise<T>;
  close(): void;
};

/** `headers` go with every request (an Authorization header, say). */
export function createHttpClient(base: string, sockets: number, headers: Record<string, string> = {}): HttpClient {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  const send = (method: string, path: string, body?: unknown): Promise<HttpReply> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const sent: Record<string, string | number> = payload ? { ...headers, 'content-type': 'application/json', 'content-length': payload.length } : headers;
      const req = request({ agent, host: url.hostname, port: url.port, method, path, headers: sent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        const cookie = res.headers['set-cookie']?.[0]?.split(';')[0];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'), ...(cookie ? { cookie } : {}) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  return {
    base,
    send,
    async json<T>(method: string, path: string, body?: unknown, expect = 200): Promise<T> {
      const reply = await send(method, path, body);
      if (reply.status !== expect) throw new Error(`${method} ${path}: ${reply.status} ${reply.text.slice(0, 500)}`);
      return JSON.parse(reply.text) as T;
    },
    close: () => agent.destroy(),
  };
}

/** Throws unless the reply has the status, so a wrong answer counts as an error, never as a fast answer. */
export function expectStatus(reply: HttpReply, status: number, what: string): HttpReply {
  if (reply.status !== status) throw new Error(`${what}: ${reply.status} ${reply.text.slice(0, 300)}`);
  return reply;
}
