/**
 * The plugin worker process: started and supervised by the server (supervisor.ts), it holds one
 * PluginSandbox per loaded plugin and talks to the server over the IPC channel. It has no database
 * access; every SDK call goes back to the server, which checks grants and permissions.
 */
import { loadIsolatedVmWithSource } from '../isolated-vm-loader.ts';
import type { FromWorker, ToWorker } from '../ipc.types.ts';
import { PluginSandbox } from './sandbox.ts';

const MEMORY_MB = Number(process.env.RAPPORT_PLUGIN_MEMORY_MB) || 64;

const loaded = loadIsolatedVmWithSource();
const sandboxes = new Map<string, PluginSandbox>();
const pendingSdk = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void }>();
let nextSdkId = 1;

const send = (message: FromWorker): void => {
  process.send?.(message);
};

function sdkFor(callId: number) {
  return (method: string, args: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const sdkId = nextSdkId++;
      pendingSdk.set(sdkId, { resolve, reject });
      send({ type: 'sdk', sdkId, callId, method, args });
    });
}

async function invoke(message: Extract<ToWorker, { type: 'invoke' }>): Promise<void> {
  const started = performance.now();
  const sandbox = sandboxes.get(message.pluginId);
  if (!sandbox) {
    send({ type: 'result', callId: message.callId, ok: false, error: { code: 'plugin-unavailable', message: 'the plugin is not loaded' }, durationMs: 0, logs: [] });
    return;
  }
  const outcome = await sandbox.call(message.handler, message.payload, message.limits, sdkFor(message.callId));
  send({ ...outcome, type: 'result', callId: message.callId, durationMs: performance.now() - started } as FromWorker);
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'load':
      sandboxes.get(message.pluginId)?.dispose();
      sandboxes.set(message.pluginId, new PluginSandbox(loaded.ivm, message.pluginId, message.code, MEMORY_MB));
      break;
    case 'unload':
      sandboxes.get(message.pluginId)?.dispose();
      sandboxes.delete(message.pluginId);
      break;
    case 'invoke':
      void invoke(message);
      break;
    case 'sdk-result': {
      const waiting = pendingSdk.get(message.sdkId);
      pendingSdk.delete(message.sdkId);
      if (!waiting) break;
      if (message.ok) waiting.resolve(message.value);
      else waiting.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
      break;
    }
  }
});

// The server going away ends the worker: it holds nothing worth keeping.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', isolatedVm: `${loaded.name}@${loaded.version ?? '?'}` });
