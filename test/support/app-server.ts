/** A real Rapport app over HTTP on a fresh embedded engine: what HTTP-level tests talk to. */
import type { Server } from 'node:http';
import { createApp, type Rapport } from '../../server/app.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { startTestEngine, type TestEngine } from './test-engine.ts';

export type JsonResponse<T = any> = { status: number; headers: Headers; body: T }; // eslint-disable-line @typescript-eslint/no-explicit-any

export type AppServer = {
  base: string;
  engine: TestEngine;
  rapport: Rapport;
  /** fetch + JSON: `body` is sent as JSON when it is not a string. */
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
};

export async function startAppServer(options: { engine?: TestEngine; metadataPollMs?: number } = {}): Promise<AppServer> {
  const engine = options.engine ?? (await startTestEngine());
  const rapport = createApp({ db: engine.client.db('rapport'), logger: createLogger({ level: 'silent' }), metadataPollMs: options.metadataPollMs });
  await rapport.start();
  const server: Server = rapport.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    engine,
    rapport,
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await fetch(base + path, init);
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await rapport.stop();
      if (!options.engine) await engine.cleanup();
    },
  };
}
