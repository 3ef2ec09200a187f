/** The plugins capability (issue 6): manifests, the supervised worker, hooks and the SDK. */
import type { Db } from 'mongodb';
import type { Logger } from '../shared/logger.ts';
import type { ReadContext, RecordsService } from '../records/index.ts';
import { createPluginStore } from './plugin-store.ts';
import { createPluginSdk, type PluginMail } from './plugin-sdk.ts';
import { createPluginRuntime, type ActorLookup, type PluginNotify } from './plugin-runtime.ts';
import { createPluginsService } from './plugins.service.ts';
import type { FetchOptions } from './plugin-fetch.ts';
import { createPluginActions } from './plugin-actions.ts';

export {
  loadIsolatedVm,
  loadIsolatedVmWithSource,
  runInIsolate,
  ISOLATED_VM_NODE_FLAGS,
  IsolatedVmLoadError,
  type IsolatedVm,
  type LoadedIsolatedVm,
  type RunInIsolateOptions,
} from './isolated-vm-loader.ts';
export { pluginsRoutes } from './plugins.routes.ts';
export { pluginActionsRoutes } from './plugin-actions.routes.ts';
export { pluginEndpointsRoutes } from './plugin-endpoints.ts';
export { pluginProblems } from './plugins.problems.ts';
export type { PluginRuntime } from './plugin-runtime.ts';
export { pluginFetch, type FetchOptions } from './plugin-fetch.ts';

export type Plugins = ReturnType<typeof createPlugins>;

/** `records` is filled in once the records service exists (it needs the hooks this returns). */
export function createPlugins(deps: { db: Db; logger: Logger; ctx: ReadContext; records: () => RecordsService; actorOf: ActorLookup; pluginsDir: string; fetch?: FetchOptions; pollMs?: number; notify?: PluginNotify; mail?: () => PluginMail }) {
  const store = createPluginStore(deps.db, deps.logger.child({ module: 'plugins' }));
  let sdk: ReturnType<typeof createPluginSdk> | undefined;
  const runtime = createPluginRuntime({ store, logger: deps.logger, pollMs: deps.pollMs, actorOf: deps.actorOf, notify: deps.notify, sdk: (ctx, method, args) => (sdk ??= createPluginSdk({ ctx: deps.ctx, records: deps.records(), fetch: deps.fetch, mail: deps.mail }))(ctx, method, args) });
  const service = createPluginsService({ store, runtime, pluginsDir: deps.pluginsDir });
  return {
    hooks: runtime.hooks,
    runtime,
    service,
    actions: createPluginActions({ runtime, records: deps.records }),
    async start(): Promise<void> {
      await store.init();
      await runtime.start();
    },
    stop: () => runtime.stop(),
  };
}
