/**
 * Running the enabled plugins: keeps the worker's loaded plugins in step with the database (this
 * instance at once, others within pollMs), runs their hooks for the write pipeline, and records
 * every call. A plugin that fails AUTO_DISABLE_AFTER times in a row is disabled, with the reason
 * kept on it for admins to see. The worker process starts only once some plugin is enabled.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../shared/logger.ts';
import { recordProblems, type HookInput, type SaveHooks, type SaveInput } from '../records/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { pointerToken } from '../shared/errors.ts';
import { PluginSupervisor, type CallReport } from './supervisor.ts';
import type { PluginDoc, PluginStore } from './plugin-store.ts';
import { MAX_HOOK_DEPTH, newUsage, type CallContext } from './plugin-sdk.ts';
import { pluginProblems } from './plugins.problems.ts';
import type { PluginAction, PluginEndpoint, PluginHook } from './manifest.types.ts';
import type { Actor } from '../shared/actor.ts';
import { changesOf } from '../audit/index.ts';

export const AUTO_DISABLE_AFTER = 5;

type Live = Omit<PluginDoc, 'code'> & { key: string };
type SdkHandler = (ctx: CallContext, method: string, args: unknown[]) => Promise<unknown>;
export type PluginRuntime = ReturnType<typeof createPluginRuntime>;

const keyOf = (doc: Pick<PluginDoc, 'manifest' | 'updatedAt'>) => `${doc.manifest.version}@${doc.updatedAt.getTime()}`;

/** The Actor for a user id (after-save hooks run as the user who made the change); undefined when they are gone or inactive. */
export type ActorLookup = (userId: string) => Actor | undefined;

/** `notify`: tells administrators what needs them (a plugin disabled by Rapport). */
export type PluginNotify = (notice: { kind: string; key: string; title: string; detail: string; link?: string }) => Promise<void>;

export function createPluginRuntime(deps: { store: PluginStore; logger: Logger; sdk: SdkHandler; actorOf: ActorLookup; pollMs?: number; notify?: PluginNotify }) {
  const logger = deps.logger.child({ module: 'plugins' });
  // The plugins whose calls led to the current work: a hook of a plugin already in the chain would
  // wait behind that plugin's own running call (one at a time per plugin), so it is refused (508).
  const chain = new AsyncLocalStorage<readonly string[]>();
  const sdk: SdkHandler = (ctx, method, args) => chain.run([...(chain.getStore() ?? []), ctx.pluginId], () => deps.sdk(ctx, method, args));
  const supervisor = new PluginSupervisor<CallContext>({ logger, sdk, onCall: (r) => void report(r) });
  let live = new Map<string, Live>();
  /** Plugins whose last call on this instance failed. */
  const failing = new Set<string>();
  let started = false;
  let timer: NodeJS.Timeout | undefined;

  async function sync(): Promise<void> {
    const docs = await deps.store.enabled();
    const next = new Map(docs.map((doc) => [doc._id, { ...doc, key: keyOf(doc) }]));
    if (next.size && !started) {
      started = true;
      await supervisor.start();
    }
    for (const doc of docs) {
      if (live.get(doc._id)?.key === keyOf(doc)) continue;
      const full = await deps.store.get(doc._id);
      if (full) supervisor.load(full._id, full.manifest.version, full.code);
    }
    for (const id of live.keys()) if (!next.has(id)) supervisor.unload(id);
    live = next;
  }

  /**
   * Logs a call and counts failures in a row. A success writes only when the plugin had failures
   * (as this instance last read or counted them), so a healthy hook costs its save no write.
   */
  async function report(r: CallReport): Promise<void> {
    try {
      deps.store.log(r);
      if (r.ok) {
        if (failing.has(r.pluginId) || (live.get(r.pluginId)?.failures ?? 0) > 0) {
          failing.delete(r.pluginId);
          await deps.store.resetFailures(r.pluginId);
        }
        return;
      }
      failing.add(r.pluginId);
      const failures = await deps.store.countFailure(r.pluginId);
      if (failures >= AUTO_DISABLE_AFTER && live.has(r.pluginId)) {
        const reason = `Disabled by Rapport after ${failures} failed calls in a row; the last: ${r.error ?? 'unknown'}`;
        await deps.store.set(r.pluginId, { status: 'disabled', disabledReason: reason, updatedAt: new Date() });
        logger.warn({ pluginId: r.pluginId, reason }, 'plugin disabled');
        await deps.notify?.({ kind: 'plugin-disabled', key: `plugin-disabled:${r.pluginId}`, title: `Plugin ${r.pluginId} was disabled`, detail: reason, link: `/api/plugins/${r.pluginId}` });
        await sync();
      }
    } catch (err) {
      logger.error({ err, pluginId: r.pluginId }, 'recording a plugin call failed');
    }
  }

  function hooksFor(event: PluginHook['event'], entity: string): Array<{ plugin: Live; handler: string }> {
    return [...live.values()].flatMap((plugin) => (plugin.manifest.hooks ?? []).filter((h) => h.event === event && h.entity === entity).map((h) => ({ plugin, handler: h.handler })));
  }

  function fieldHandlersFor(kind: 'validators' | 'computed', entity: string): Array<{ plugin: Live; handler: string; field: string }> {
    return [...live.values()].flatMap((plugin) => (plugin.manifest[kind] ?? []).filter((h) => h.entity === entity).map((h) => ({ plugin, handler: h.handler, field: h.field })));
  }

  const contextFor = (plugin: Live, input: Pick<HookInput, 'actor' | 'depth'>, before?: 'before'): CallContext =>
    ({ pluginId: plugin._id, grants: new Set(plugin.grants), settings: plugin.settings, actor: input.actor, depth: input.depth, used: newUsage(), ...(before ? { readOnly: true } : {}) });

  function checkDepth(input: HookInput, found: Array<{ plugin: Live }>): void {
    if (input.depth >= MAX_HOOK_DEPTH) throw pluginProblems.pluginRecursion.create({ detail: `Hooks of ${input.entity.name} ran ${input.depth} levels deep` });
    const again = found.find(({ plugin }) => chain.getStore()?.includes(plugin._id));
    if (again) throw pluginProblems.pluginRecursion.create({ detail: `Plugin ${again.plugin._id} would run its hooks again from inside its own call` });
  }

  /** The handlers a save runs: before-save hooks, validators of the fields written, computed values. */
  const handlersOf = (input: SaveInput) => {
    const entity = input.entity.name;
    const validators = fieldHandlersFor('validators', entity).filter((v) => Object.hasOwn(input.values, v.field));
    return { found: hooksFor('beforeSave', entity), validators, computed: fieldHandlersFor('computed', entity) };
  };
  const none = ({ found, validators, computed }: ReturnType<typeof handlersOf>) => !found.length && !validators.length && !computed.length;

  const hooks: SaveHooks = {
    acts: (input) => live.size > 0 && !none(handlersOf(input)),
    /** Hooks first, then field validators (for the fields written), then computed values. */
    async beforeSave(input) {
      const entity = input.entity.name;
      const handlers = handlersOf(input);
      const { found, validators, computed } = handlers;
      if (none(handlers)) return input.values;
      checkDepth(input, [...found, ...validators, ...computed]);
      let values = input.values;
      const record = await input.record();
      const call = (plugin: Live, handler: string, payload: object) => supervisor.invoke(plugin._id, handler, { entity, ...payload, record, user: { id: input.actor.id } }, contextFor(plugin, input, 'before'));
      for (const { plugin, handler } of found) values = applyResult(plugin._id, await call(plugin, handler, { operation: input.operation, values }), values);
      const errors: FieldError[] = [];
      for (const { plugin, handler, field } of validators) {
        const message = await call(plugin, handler, { field, value: values[field], values });
        if (message !== null && message !== undefined) errors.push({ pointer: `/${pointerToken(field)}`, detail: String(message).slice(0, 500) });
      }
      if (errors.length) throw recordProblems.validationFailed.create({ detail: `${errors[0]!.pointer.slice(1)} ${errors[0]!.detail}`, errors });
      for (const { plugin, handler, field } of computed) values = { ...values, [field]: await call(plugin, handler, { operation: input.operation, field, values }) };
      return values;
    },
    async beforeDelete(input) {
      const found = hooksFor('beforeDelete', input.entity.name);
      if (!found.length) return;
      checkDepth(input, found);
      const record = await input.record();
      for (const { plugin, handler } of found) {
        applyResult(plugin._id, await supervisor.invoke(plugin._id, handler, { operation: 'delete', entity: input.entity.name, record, user: { id: input.actor.id } }, contextFor(plugin, input, 'before')), {});
      }
    },
  };

  /**
   * After-save hooks, fed by the outbox dispatcher once a change is stored. A plugin's own failure
   * is recorded (and counts towards auto-disable) without holding the other events back; an
   * unavailable worker throws, so the batch is delivered again later.
   */
  async function afterSave(events: Array<{ type?: unknown; entity?: unknown; recordId?: unknown; actorId?: unknown; changes?: unknown; depth?: unknown; id?: unknown }>): Promise<void> {
    for (const event of events) {
      if ((event.type !== 'created' && event.type !== 'updated') || typeof event.entity !== 'string') continue;
      const found = hooksFor('afterSave', event.entity);
      const depth = typeof event.depth === 'number' ? event.depth : 0;
      if (!found.length || depth >= MAX_HOOK_DEPTH) continue;
      const actor = typeof event.actorId === 'string' ? deps.actorOf(event.actorId) : undefined;
      if (!actor) continue;
      const payload = { operation: event.type === 'created' ? 'create' : 'update', entity: event.entity, recordId: String(event.recordId), changes: changesOf(event) ?? null, eventId: String(event.id), user: { id: actor.id } };
      for (const { plugin, handler } of found) {
        await supervisor.invoke(plugin._id, handler, payload, contextFor(plugin, { actor, depth })).catch((err: { status?: number }) => {
          if (err?.status === 503) throw err;
        });
      }
    }
  }

  return {
    hooks,
    afterSave,
    supervisor,
    sync,
    actionsFor: (entity: string): Array<{ plugin: Live; action: PluginAction }> =>
      [...live.values()].flatMap((plugin) => (plugin.manifest.actions ?? []).filter((a) => a.entity === entity).map((action) => ({ plugin, action }))),
    endpointFor: (pluginId: string, method: string, path: string): { plugin: Live; endpoint: PluginEndpoint } | undefined => {
      const plugin = live.get(pluginId);
      const endpoint = plugin?.manifest.endpoints?.find((e) => e.method === method && e.path === path);
      return plugin && endpoint ? { plugin, endpoint } : undefined;
    },
    /** Runs a handler of an enabled plugin as `actor` (actions, endpoints; hooks go through `hooks`). */
    invoke: (plugin: Live, handler: string, payload: unknown, actor: Actor) => supervisor.invoke(plugin._id, handler, payload, contextFor(plugin, { actor, depth: 0 })),
    async start(): Promise<void> {
      await sync();
      timer = setInterval(() => sync().catch((err) => logger.warn({ err }, 'syncing plugins failed')), deps.pollMs ?? 1_000);
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await supervisor.stop();
      await deps.store.flushLogs();
    },
  };
}

/** A hook's answer: nothing, `{set: {...}}` (merged into the values) or `{errors: [{field, detail}]}` (the save is refused). */
function applyResult(pluginId: string, result: unknown, values: Record<string, unknown>): Record<string, unknown> {
  if (result === null || result === undefined) return values;
  if (typeof result !== 'object' || Array.isArray(result)) throw badAnswer(pluginId);
  const { set, errors } = result as { set?: unknown; errors?: unknown };
  if (errors !== undefined) {
    if (!Array.isArray(errors) || errors.length === 0) throw badAnswer(pluginId);
    const list: FieldError[] = errors.slice(0, 50).map((e: { field?: unknown; detail?: unknown }) => ({
      pointer: typeof e?.field === 'string' ? `/${pointerToken(e.field)}` : '/',
      detail: typeof e?.detail === 'string' ? e.detail.slice(0, 500) : 'was refused by a plugin',
    }));
    throw recordProblems.validationFailed.create({ detail: `${list[0]!.pointer.slice(1) || 'the record'} ${list[0]!.detail}`, errors: list });
  }
  if (set === undefined) return values;
  if (!set || typeof set !== 'object' || Array.isArray(set)) throw badAnswer(pluginId);
  return { ...values, ...(set as Record<string, unknown>) };
}

const badAnswer = (pluginId: string) => pluginProblems.pluginFailed.create({ detail: `Plugin ${pluginId} answered neither nothing, {set: {...}} nor {errors: [...]}` });
