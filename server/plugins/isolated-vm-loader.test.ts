import { describe, expect, it } from 'vitest';
import {
  ISOLATED_VM_CANDIDATES,
  IsolatedVmLoadError,
  loadFirstIsolatedVm,
} from './isolated-vm-loader.ts';
import { runInIsolateChild as runChild } from '../../test/support/isolate-child.ts';

const indexUrl = new URL('./index.ts', import.meta.url).href;

describe('runInIsolate (child process with the isolated-vm node flags)', () => {
  it('evaluates code in an isolate and copies the result out', async () => {
    const result = await runChild(`
      import { runInIsolate } from '${indexUrl}';
      const value = await runInIsolate('[1, 2, 3].map((x) => x * 2).concat(typeof process)');
      console.log(JSON.stringify(value));
    `);
    // typeof process is 'undefined': the isolate has no Node globals.
    expect(result).toEqual([2, 4, 6, 'undefined']);
  });

  it('stops code that runs past its timeout', async () => {
    const result = await runChild(`
      import { runInIsolate } from '${indexUrl}';
      const outcome = await runInIsolate('for (;;) {}', { timeoutMs: 50 }).then(
        () => 'finished',
        (err) => err.message,
      );
      console.log(JSON.stringify(outcome));
    `);
    expect(result).toMatch(/timed out/i);
  });
});

describe('loadFirstIsolatedVm', () => {
  const notFound = (id: string) => Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });

  it('returns the first candidate that loads', () => {
    const fake = { Isolate: class {} };
    const loaded = loadFirstIsolatedVm(ISOLATED_VM_CANDIDATES, (id) => {
      if (id === 'isolated-vm-5') return fake;
      throw notFound(id);
    });
    expect(loaded).toMatchObject({ name: 'isolated-vm-5', ivm: fake });
  });

  it('names every version tried and why each failed', () => {
    const requireFn = (id: string): unknown => {
      if (id === 'isolated-vm-5/package.json') return { version: '5.0.4' };
      if (id === 'isolated-vm-5') throw new Error('isolated_vm.node: undefined symbol: _ZN2v88internal\nat dlopen');
      throw notFound(id);
    };
    let error: unknown;
    try {
      loadFirstIsolatedVm(ISOLATED_VM_CANDIDATES, requireFn);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IsolatedVmLoadError);
    const message = (error as Error).message;
    expect(message).toContain(`Node ${process.version}`);
    expect(message).toContain('isolated-vm-6 (isolated-vm 6.x, prebuilt for Node 22 and 24): not installed');
    expect(message).toContain('isolated-vm-5 (isolated-vm@5.0.4): isolated_vm.node: undefined symbol');
    expect(message).not.toContain('dlopen');
  });
});
