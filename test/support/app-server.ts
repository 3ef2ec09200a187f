/**
 * A real Rapport app over HTTP on a fresh embedded engine: what HTTP-level tests talk to.
 * The first administrator is created from the environment path (as `RAPPORT_ADMIN_*` would) and
 * `call` sends that administrator's API token unless the test passes its own Authorization or
 * `anonymous: true`.
 */
import type { Server } from 'node:http';
import { createApp, type AppDeps, type Rapport } from '../../server/app.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { startTestEngine, type TestEngine } from './test-engine.ts';

export type JsonResponse<T = any> = { status: number; headers: Headers; body: T }; // eslint-disable-line @typescript-eslint/no-explicit-any
export type CallOptions = { anonymous?: boolean };

export const ADMIN = { email: 'admin@rapport.test', password: 'admin password for tests' };

export type AppServer = {
  base: string;
  engine: TestEngine;
  rapport: Rapport;
  /** The bootstrap administrator's API token (all scopes). */
  adminToken: string;
  /** fetch + JSON: `body` is sent as JSON when it is not a string. */
  call<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>, options?: CallOptions): Promise<JsonResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): Promise<void>;
};

export async function startAppServer(options: { engine?: TestEngine; metadataPollMs?: number; auth?: AppDeps['auth']; pluginsDir?: string; pluginFetch?: AppDeps['pluginFetch']; workflows?: AppDeps['workflows'] } = {}): Promise<AppServer> {
  const engine = options.engine ?? (await startTestEngine());
  const rapport = createApp({ db: engine.client.db('rapport'), logger: createLogger({ level: 'silent' }), metadataPollMs: options.metadataPollMs, auth: { bootstrapAdmin: ADMIN, ...options.auth }, pluginsDir: options.pluginsDir, pluginFetch: options.pluginFetch, workflows: options.workflows });
  await rapport.start();
  const server: Server = rapport.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, callOptions: CallOptions = {}) {
    const sent: Record<string, string> = { ...headers };
    const named = Object.keys(sent).some((k) => k.toLowerCase() === 'authorization' || k.toLowerCase() === 'cookie');
    if (!named && !callOptions.anonymous && adminToken) sent.authorization = `Bearer ${adminToken}`;
    const init: RequestInit = { method, headers: sent };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      sent['content-type'] ??= 'application/json';
    }
    const res = await fetch(base + path, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  let adminToken = '';
  adminToken = await issueToken(call, ADMIN, ['admin']);
  return {
    base,
    engine,
    rapport,
    adminToken,
    call,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await rapport.stop();
      if (!options.engine) await engine.cleanup();
    },
  };
}

type Call = AppServer['call'];

/** Signs in with email and password: the session cookie and CSRF token a browser would hold. */
export async function signIn(call: Call, who: { email: string; password: string }): Promise<{ cookie: string; csrf: string; status: number }> {
  const res = await call('POST', '/api/auth/sign-in', who, {}, { anonymous: true });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { cookie, csrf: res.body?.csrfToken, status: res.status };
}

/** An API token for a user, made the way a person would: sign in, create a token. */
export async function issueToken(call: Call, who: { email: string; password: string }, scopes: string[] = ['records:write']): Promise<string> {
  const session = await signIn(call, who);
  if (session.status !== 200) throw new Error(`sign-in as ${who.email} failed: ${session.status}`);
  const res = await call('POST', '/api/auth/tokens', { name: 'test', scopes }, { cookie: session.cookie, 'x-csrf-token': session.csrf });
  if (res.status !== 201) throw new Error(`creating a token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
