/** Messages between the server and the render worker (JSON over the IPC channel). */

/** `defs`: the precompiled specs the job needs (the worker evaluates each key once); `payload`: JSON text for `__render`. */
export type RenderJob = { id: number; defs: Array<{ key: string; spec: string }>; payload: string; timeoutMs: number };

export type ToRenderWorker = { type: 'render'; job: RenderJob };

export type FromRenderWorker =
  | { type: 'ready'; isolatedVm: string }
  | { type: 'result'; id: number; ok: true; output: string }
  | { type: 'result'; id: number; ok: false; code: string; message: string };
