/**
 * The server side of the plugin SDK. Every call is checked against what the admin granted the
 * plugin (records:read:<entity>, records:write:<entity>, http:fetch:<host>, email:send) and runs as the user whose action invoked
 * the plugin, through the same records pipeline and query builder as the API, so the user's
 * permissions apply too. Apex-style quotas bound each invocation: SDK calls, rows read, writes.
 */
import type { Actor } from '../shared/actor.ts';
import type { ReadContext, RecordsService } from '../records/index.ts';
import { createRecordsQuery, readAccess } from '../records/index.ts';
import { pluginProblems } from './plugins.problems.ts';
import { pluginFetch, type FetchInput, type FetchOptions } from './plugin-fetch.ts';

const READ_METHODS = new Set(['GET', 'HEAD']);
const BODY_HEADERS = new Set(['content-length', 'transfer-encoding']);
/** GET or HEAD, without a body or a header announcing one. */
const readsOnly = (init: FetchInput): boolean =>
  READ_METHODS.has(String(init.method ?? 'GET').toUpperCase()) && (init.body === undefined || init.body === '') && !Object.keys(init.headers ?? {}).some((h) => BODY_HEADERS.has(h.toLowerCase()));
export const QUOTAS = { calls: 100, rows: 1_000, writes: 50, fetches: 10 };
export const MAX_HOOK_DEPTH = 3;

export type CallContext = {
  pluginId: string;
  grants: ReadonlySet<string>;
  settings: Record<string, unknown>;
  actor: Actor;
  /** How many plugin hooks deep this call is (a hook's write runs hooks again). */
  depth: number;
  used: { calls: number; rows: number; writes: number; fetches: number };
  /**
   * Set for the handlers that decide about a save before it is stored (before-save and
   * before-delete hooks, validators, computed values): they may only read, so a save they refuse
   * leaves nothing behind and a save they accept is the only write.
   */
  readOnly?: true;
};

export const newUsage = () => ({ calls: 0, rows: 0, writes: 0, fetches: 0 });

type Query = { filter?: unknown; sort?: string; limit?: number; fields?: string };
/** The mail outbox, as the SDK uses it (server/email). */
export type PluginMail = { enqueue(input: unknown): Promise<{ id: string; created: boolean }> };
/** What a plugin may say about a mail; the rest (sender, headers) is the deployment's. */
type MailInput = { to?: unknown; template?: unknown; data?: unknown; record?: { entity?: unknown; id?: unknown }; dedupeKey?: unknown; locale?: unknown };

const text = (v: unknown, name: string): string => {
  if (typeof v !== 'string' || !v) throw pluginProblems.invalidPlugin.create({ detail: `${name} must be a non-empty string` });
  return v;
};

function use(ctx: CallContext, kind: keyof CallContext['used'], n = 1): void {
  ctx.used[kind] += n;
  if (ctx.used[kind] > QUOTAS[kind]) throw pluginProblems.quotaExceeded.create({ detail: `More than ${QUOTAS[kind]} ${kind} in one call` });
}

function need(ctx: CallContext, access: 'read' | 'write', entity: string): void {
  const ok = ctx.grants.has(`records:write:${entity}`) || (access === 'read' && ctx.grants.has(`records:read:${entity}`));
  if (!ok) throw pluginProblems.capabilityMissing.create({ detail: `Plugin ${ctx.pluginId} was not granted records:${access}:${entity}` });
  if (access === 'write') writable(ctx);
}

function writable(ctx: CallContext): void {
  if (ctx.readOnly) throw pluginProblems.readOnlyCall.create({ detail: `Plugin ${ctx.pluginId} tried to write from a handler that runs before a save or delete; the SDK only reads there` });
}

export function createPluginSdk(deps: { ctx: ReadContext; records: RecordsService; fetch?: FetchOptions; mail?: () => PluginMail }) {
  const query = createRecordsQuery(deps.ctx);
  const write = (ctx: CallContext) => ({ actor: ctx.actor, channel: 'plugin' as const, hookDepth: ctx.depth + 1 });
  const methods: Record<string, (ctx: CallContext, args: unknown[]) => Promise<unknown>> = {
    'records.get': async (ctx, [entity, id]) => {
      need(ctx, 'read', text(entity, 'entity'));
      use(ctx, 'rows');
      return deps.records.get(entity as string, text(id, 'id'), ctx.actor);
    },
    'records.find': async (ctx, [entity, q]) => {
      need(ctx, 'read', text(entity, 'entity'));
      const { filter, sort, limit, fields } = (q ?? {}) as Query;
      const page = await query.list(readAccess(deps.records.entityOf(entity as string), ctx.actor), { filter, sort, fields, limit: Math.min(Number(limit) || 50, 200) });
      use(ctx, 'rows', page.data.length);
      return page.data;
    },
    'records.count': async (ctx, [entity, q]) => {
      need(ctx, 'read', text(entity, 'entity'));
      return query.count(readAccess(deps.records.entityOf(entity as string), ctx.actor), { filter: (q as Query | undefined)?.filter });
    },
    'records.create': async (ctx, [entity, values]) => {
      need(ctx, 'write', text(entity, 'entity'));
      use(ctx, 'writes');
      return deps.records.create(entity as string, values, write(ctx));
    },
    'records.update': async (ctx, [entity, id, values]) => {
      need(ctx, 'write', text(entity, 'entity'));
      use(ctx, 'writes');
      return deps.records.update(entity as string, { ...write(ctx), id: text(id, 'id'), body: values });
    },
    'http.fetch': async (ctx, [url, init]) => {
      // Before a save, a fetch only reads too: a POST (or a GET with a body) could act on the world for a save then refused.
      if (ctx.readOnly && !readsOnly((init ?? {}) as FetchInput)) writable(ctx);
      use(ctx, 'fetches');
      return pluginFetch(ctx.grants, url, (init ?? {}) as FetchInput, deps.fetch);
    },
    // A mail from one of the deployment's templates, through the outbox (consent and unsubscribe
    // apply there). A record it is about must be one the acting user can read; a plugin's
    // dedupeKey is its own (prefixed), so it can neither collide with nor suppress others' mail.
    'email.send': async (ctx, [message]) => {
      writable(ctx);
      if (!ctx.grants.has('email:send')) throw pluginProblems.capabilityMissing.create({ detail: `Plugin ${ctx.pluginId} was not granted email:send` });
      const mail = deps.mail?.();
      if (!mail) throw pluginProblems.invalidPlugin.create({ detail: 'Email is not available on this server' });
      use(ctx, 'writes');
      const m = (message ?? {}) as MailInput;
      const record = m.record === undefined ? undefined : { entity: text(m.record?.entity, 'record.entity'), id: text(m.record?.id, 'record.id') };
      if (record) await deps.records.get(record.entity, record.id, ctx.actor);
      const dedupeKey = m.dedupeKey === undefined ? undefined : `plugin:${ctx.pluginId}:${text(m.dedupeKey, 'dedupeKey')}`;
      return mail.enqueue({ to: m.to, template: m.template, data: m.data, locale: m.locale, ...(record ? { record } : {}), ...(dedupeKey ? { dedupeKey } : {}) });
    },
    settings: async (ctx) => ctx.settings,
  };
  return async (ctx: CallContext, method: string, args: unknown[]): Promise<unknown> => {
    use(ctx, 'calls');
    const run = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (!run) throw pluginProblems.invalidPlugin.create({ detail: `The SDK has no ${method}` });
    return run(ctx, args);
  };
}
