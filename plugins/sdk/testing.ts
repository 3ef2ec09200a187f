/**
 * Running a plugin's handlers in tests, in the same sandbox Rapport uses (a worker process with
 * one isolated-vm isolate), with an in-memory stand-in for the records SDK:
 *
 *   const plugin = await loadPlugin(new URL('.', import.meta.url), { records: { contact: [...] } });
 *   expect(await plugin.call('beforeSave', { operation: 'create', ... })).toEqual(...);
 *   await plugin.stop();
 *
 * The stand-in filters with `eq`, `ne`, `in`, `and`, `or` and `not`; `http` answers fetches;
 * capabilities are checked as on the server (what the manifest asks for counts as granted), and,
 * as on the server, handlers that run before a save or delete (hooks, validators, computed values)
 * may only read.
 */
import { dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPluginFolder } from '../../server/plugins/plugin-source.ts';
import { hostGranted } from '../../server/plugins/plugin-fetch.ts';
import { PluginSupervisor, type CallReport } from '../../server/plugins/supervisor.ts';
import { createLogger } from '../../server/shared/logger.ts';
import type { ApiRecord, Filter } from './rapport-sdk.d.ts';

export type TestPlugin = {
  call(handler: string, payload: unknown): Promise<unknown>;
  /** What the plugin printed and how each call ended, newest last. */
  calls: CallReport[];
  /** The records as the plugin left them (creates and updates apply). */
  records: Record<string, ApiRecord[]>;
  /** The mails the plugin sent with rapport.email.send, oldest first. */
  mails: unknown[];
  stop(): Promise<void>;
};

type FetchAnswer = { status: number; headers?: Record<string, string>; body?: string };
type Options = {
  records?: Record<string, Array<Record<string, unknown>>>;
  settings?: Record<string, unknown>;
  /** Answers the plugin's http.fetch calls (the URL's host must be granted by the manifest). */
  http?: (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => FetchAnswer | Promise<FetchAnswer>;
};

function matches(record: ApiRecord, filter: Filter | undefined): boolean {
  if (!filter) return true;
  if ('and' in filter) return filter.and.every((f) => matches(record, f));
  if ('or' in filter) return filter.or.some((f) => matches(record, f));
  if ('not' in filter) return !matches(record, filter.not);
  const value = record[filter.field];
  const same = (a: unknown, b: unknown) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b);
  if (filter.op === 'eq') return same(value, filter.value);
  if (filter.op === 'ne') return !same(value, filter.value);
  if (filter.op === 'in') return Array.isArray(filter.value) && filter.value.some((v) => same(value, v));
  throw new Error(`the test SDK does not filter with ${filter.op}`);
}

/** Loads the plugin in `folder` (a path or a file: URL of the plugin's folder). */
export async function loadPlugin(folder: string | URL, options: Options = {}): Promise<TestPlugin> {
  const path = (typeof folder === 'string' ? folder : fileURLToPath(folder)).replace(/\/+$/, '');
  const { manifest, code } = await readPluginFolder(dirname(path), basename(path));
  const granted = new Set(manifest.capabilities ?? []);
  const records: Record<string, ApiRecord[]> = {};
  let nextId = 1;
  for (const [entity, list] of Object.entries(options.records ?? {})) records[entity] = list.map((r) => ({ _id: String(nextId++).padStart(24, '0'), _version: 1, ...r }));
  const need = (access: 'read' | 'write', entity: string) => {
    if (!granted.has(`records:write:${entity}`) && !(access === 'read' && granted.has(`records:read:${entity}`))) throw new Error(`the manifest does not ask for records:${access}:${entity}`);
    return (records[entity] ??= []);
  };
  const mails: unknown[] = [];
  const before = new Set([
    ...(manifest.hooks ?? []).filter((h) => h.event !== 'afterSave').map((h) => h.handler),
    ...(manifest.validators ?? []).map((v) => v.handler),
    ...(manifest.computed ?? []).map((c) => c.handler),
  ]);
  const sdk = async (ctx: { readOnly: boolean }, method: string, args: unknown[]): Promise<unknown> => {
    const [entity, a, b] = args as [string, unknown, unknown];
    const init = (args[1] ?? {}) as { method?: string; body?: string };
    const sends = method === 'http.fetch' && (!['GET', 'HEAD'].includes(String(init.method ?? 'GET').toUpperCase()) || !!init.body);
    if (ctx.readOnly && (sends || ['records.create', 'records.update', 'email.send'].includes(method))) throw new Error(`plugin-read-only: ${method} from a handler that runs before a save or delete; write from an after-save hook or an action`);
    switch (method) {
      case 'settings': return options.settings ?? {};
      case 'email.send': {
        if (!granted.has('email:send')) throw new Error('the manifest does not ask for email:send');
        mails.push(entity);
        return { id: String(mails.length).padStart(24, '0'), created: true };
      }
      case 'http.fetch': {
        const url = new URL(String(entity));
        if (!hostGranted(granted, url.hostname)) throw new Error(`the manifest does not ask for http:fetch:${url.hostname}`);
        if (!options.http) throw new Error('this test gave loadPlugin no http answer');
        const answer = await options.http(url.href, (a ?? {}) as never);
        return { headers: {}, body: '', ...answer, url: url.href };
      }
      case 'records.get': return need('read', entity).find((r) => r._id === a) ?? Promise.reject(new Error(`no ${entity} ${String(a)}`));
      case 'records.find': return need('read', entity).filter((r) => matches(r, (a as { filter?: Filter })?.filter)).slice(0, Number((a as { limit?: number })?.limit) || 50);
      case 'records.count': return need('read', entity).filter((r) => matches(r, (a as { filter?: Filter })?.filter)).length;
      case 'records.create': {
        const made = { _id: String(nextId++).padStart(24, '0'), _version: 1, ...(a as object) };
        need('write', entity).push(made);
        return made;
      }
      case 'records.update': {
        const found = need('write', entity).find((r) => r._id === a);
        if (!found) throw new Error(`no ${entity} ${String(a)}`);
        Object.assign(found, b, { _version: found._version + 1 });
        return found;
      }
      default: throw new Error(`the SDK has no ${method}`);
    }
  };
  const calls: CallReport[] = [];
  const supervisor = new PluginSupervisor<{ readOnly: boolean }>({ logger: createLogger({ level: 'silent' }), sdk, onCall: (r) => calls.push(r) });
  await supervisor.start();
  supervisor.load(manifest.id, manifest.version, code);
  return { call: (handler, payload) => supervisor.invoke(manifest.id, handler, payload, { readOnly: before.has(handler) }), calls, records, mails, stop: () => supervisor.stop() };
}
