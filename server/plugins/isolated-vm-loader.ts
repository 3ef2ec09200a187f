/**
 * Loads whichever isolated-vm build works on the running Node. Two majors are installed as
 * optional dependencies under aliases (package.json): 6.x ships prebuilt binaries for Node 22/24,
 * 5.x builds from source on Node 20. On Node 24, npm may also build 5.x against Node 20's headers,
 * which then fails to load, so 6.x is tried first.
 */
import { createRequire } from 'node:module';

/**
 * The slice of isolated-vm's API that Rapport uses. Declared here rather than imported from the
 * package because the package is optional: on a given Node only one of the two aliases is
 * installed, and typecheck must not depend on which.
 */
export type IsolatedVm = {
  Isolate: new (options?: { memoryLimit?: number }) => IvmIsolate;
};

export type IvmIsolate = {
  createContext(): Promise<IvmContext>;
  dispose(): void;
  readonly isDisposed: boolean;
};

export type IvmContext = {
  eval(code: string, options?: { timeout?: number; copy?: boolean }): Promise<unknown>;
  release(): void;
};

/** Node 20+ can crash creating isolates from its startup snapshot; the plugin worker must start with these. */
export const ISOLATED_VM_NODE_FLAGS: readonly string[] = ['--no-node-snapshot'];

/** A package alias from package.json, and which Node it installs on (said when it is missing). */
export type IsolatedVmCandidate = { name: string; fitsNode: string };

/** In the order they are tried. */
export const ISOLATED_VM_CANDIDATES: readonly IsolatedVmCandidate[] = [
  { name: 'isolated-vm-6', fitsNode: 'isolated-vm 6.x, prebuilt for Node 22 and 24' },
  { name: 'isolated-vm-5', fitsNode: 'isolated-vm 5.x, built from source on Node 20' },
];

export type LoadAttempt = { name: string; version: string | undefined; fitsNode: string; error: string };

export class IsolatedVmLoadError extends Error {
  constructor(readonly attempts: LoadAttempt[]) {
    const tried = attempts.map((a) => `${a.name} (${a.version ? `isolated-vm@${a.version}` : a.fitsNode}): ${a.error}`);
    super(`isolated-vm could not be loaded on Node ${process.version}. Tried:\n  - ${tried.join('\n  - ')}`);
    this.name = 'IsolatedVmLoadError';
  }
}

type RequireFn = (id: string) => unknown;

/** Which alias was loaded, so logs and the smoke test can say what actually runs plugins. */
export type LoadedIsolatedVm = { name: string; version: string | undefined; ivm: IsolatedVm };

/**
 * Returns the first candidate that loads. Taking `requireFn` lets tests exercise the failure
 * message without uninstalling anything.
 */
export function loadFirstIsolatedVm(
  candidates: readonly IsolatedVmCandidate[],
  requireFn: RequireFn,
): LoadedIsolatedVm {
  const attempts: LoadAttempt[] = [];
  for (const { name, fitsNode } of candidates) {
    try {
      const mod = requireFn(name) as Partial<IsolatedVm> | undefined;
      if (typeof mod?.Isolate !== 'function') throw new Error('module has no Isolate export');
      return { name, version: installedVersion(name, requireFn), ivm: mod as IsolatedVm };
    } catch (err) {
      const version = installedVersion(name, requireFn);
      attempts.push({ name, fitsNode, version, error: describeLoadError(name, err) });
    }
  }
  throw new IsolatedVmLoadError(attempts);
}

function installedVersion(name: string, requireFn: RequireFn): string | undefined {
  try {
    return (requireFn(`${name}/package.json`) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

function describeLoadError(name: string, err: unknown): string {
  const e = err as { code?: string; message?: string };
  // Optional dependencies skipped by npm (engines mismatch, failed build) are simply absent.
  if (e?.code === 'MODULE_NOT_FOUND' && e.message?.includes(`'${name}'`)) {
    return 'not installed (npm skips it when it does not fit this Node, or when its build failed)';
  }
  // Native load errors carry the whole dlopen message; the first line says what went wrong.
  return (e?.message ?? String(err)).split('\n')[0];
}

let cached: LoadedIsolatedVm | undefined;

/** The isolated-vm module for this Node, with the alias it came from. */
export function loadIsolatedVmWithSource(): LoadedIsolatedVm {
  cached ??= loadFirstIsolatedVm(ISOLATED_VM_CANDIDATES, createRequire(import.meta.url));
  return cached;
}

/** The isolated-vm module for this Node; throws IsolatedVmLoadError naming every version tried. */
export function loadIsolatedVm(): IsolatedVm {
  return loadIsolatedVmWithSource().ivm;
}

export type RunInIsolateOptions = { memoryLimitMb?: number; timeoutMs?: number };

/**
 * Evaluates `code` in a fresh isolate and returns its result copied out. Used by the smoke test
 * to prove the native module works; plugins get their own supervisor, not this.
 */
export async function runInIsolate(code: string, options: RunInIsolateOptions = {}): Promise<unknown> {
  const ivm = loadIsolatedVm();
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb ?? 32 });
  try {
    const context = await isolate.createContext();
    return await context.eval(code, { timeout: options.timeoutMs ?? 1000, copy: true });
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}
