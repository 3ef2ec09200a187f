/**
 * Messages between the server (supervisor) and the plugin worker process. Everything a plugin
 * handles or returns crosses as JSON text, so no object of one side ever reaches the other.
 */
export type Limits = { memoryMb: number; cpuMs: number; wallMs: number };

export type ToWorker =
  | { type: 'load'; pluginId: string; version: string; code: string }
  | { type: 'unload'; pluginId: string }
  | { type: 'invoke'; callId: number; pluginId: string; handler: string; payload: string; limits: Limits }
  | { type: 'sdk-result'; sdkId: number; ok: true; value: string }
  | { type: 'sdk-result'; sdkId: number; ok: false; error: { code: string; message: string } };

export type LogLine = { level: 'log' | 'warn' | 'error'; text: string; at: number };

export type InvokeFailure = { code: 'plugin-timeout' | 'plugin-memory' | 'plugin-error' | 'plugin-output' | 'plugin-unavailable'; message: string };

export type FromWorker =
  | { type: 'ready'; isolatedVm: string }
  | { type: 'result'; callId: number; ok: true; value: string; durationMs: number; logs: LogLine[] }
  | { type: 'result'; callId: number; ok: false; error: InvokeFailure; durationMs: number; logs: LogLine[] }
  | { type: 'sdk'; sdkId: number; callId: number; method: string; args: string };
