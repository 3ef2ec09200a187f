/**
 * Attacks on the plugin sandbox's time limits (issue 6): loops, loops queued in promise callbacks,
 * promises that never settle, SDK call floods and work the isolate cannot interrupt. Each attack is
 * its own plugin (5 failures in a row disable one) with a beforeSave hook on `target`; it must be
 * refused with the right problem and nothing saved, the server must keep answering meanwhile, and
 * afterwards the worker must be idle, near its baseline memory, and the plugin must work again.
 */
import { describe, expect, it } from 'vitest';
import { cpuTicks, hookCode, note, sleep, useLab } from '../support/plugin-fixture.ts';
import { expectProblem } from '../support/crm-fixture.ts';

const lab = useLab();

const CPU = /more than 200 ms of CPU/;
const WALL = /longer than 2000 ms/;

describe('loops', () => {
  it('an infinite loop in a plain handler: 504 plugin-timeout (CPU limit, not the wall clock), worker idle after', async () => {
    await lab.hookPlugin('loop-sync', hookCode('for (;;) {}', { sync: true }));
    await lab.attack({ status: 504, detail: CPU, withinMs: 2_500, idle: true });
  });

  it('an infinite loop in an async handler: 504 plugin-timeout (CPU), worker idle after', async () => {
    await lab.hookPlugin('loop-async', hookCode('for (;;) {}'));
    await lab.attack({ status: 504, detail: CPU, withinMs: 2_500, idle: true });
  });

  it('a loop in an awaited promise callback: 504 plugin-timeout, worker idle after', async () => {
    await lab.hookPlugin('loop-awaited', hookCode('await Promise.resolve().then(() => { for (;;) {} });'));
    await lab.attack({ status: 504, detail: CPU, withinMs: 2_500, idle: true });
  });

  it('a loop queued in a promise callback and NOT awaited (the async handler returns first): 504, no core left spinning', async () => {
    await lab.hookPlugin('loop-detached', hookCode('Promise.resolve().then(() => 0).then(() => 0).then(() => { for (;;) {} }); return undefined;'));
    await lab.attack({ status: 504, detail: CPU, withinMs: 2_500, idle: true });
  });

  it('a loop queued in a promise callback by a plain handler that returns at once: refused (504), no core left spinning', async () => {
    await lab.hookPlugin('loop-detached-sync', hookCode('Promise.resolve().then(() => { for (;;) {} }); return undefined;', { sync: true }));
    await lab.attack({ status: 504, withinMs: 2_500, idle: true });
  });

  it('a catastrophically backtracking regular expression: 504 plugin-timeout (CPU)', async () => {
    await lab.hookPlugin('redos', hookCode(`return { set: { note: String(/(a+)+b/.test('a'.repeat(40))) } };`));
    await lab.attack({ status: 504, detail: CPU, withinMs: 2_500, idle: true });
  });

  it('Atomics.wait on a SharedArrayBuffer nobody will notify: 504 plugin-timeout', async () => {
    await lab.hookPlugin('atomics-wait', hookCode('Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);'));
    await lab.attack({ status: 504, withinMs: 3_000, idle: true });
  });
});

describe('promises', () => {
  it('a promise that never settles: 504 plugin-timeout at the 2 s wall-clock limit', async () => {
    await lab.hookPlugin('never-settles', hookCode('await new Promise(() => {});'));
    const { ms } = await lab.attack({ status: 504, detail: WALL, withinMs: 4_000, idle: true });
    expect(ms).toBeGreaterThanOrEqual(1_900);
  });

  it('a thenable that never calls back: 504 plugin-timeout at the wall-clock limit', async () => {
    await lab.hookPlugin('never-thenable', hookCode('return { then() {} };', { sync: true }));
    await lab.attack({ status: 504, detail: WALL, withinMs: 4_000 });
  });

  it('an SDK call flood: refused at the per-call quota (502 naming it), nothing written', async () => {
    await lab.hookPlugin('sdk-flood', hookCode(`for (;;) await rapport.records.count('target');`), { grants: ['records:read:target'] });
    const { problem } = await lab.attack({ status: 502, detail: /More than 100 calls in one call/, withinMs: 5_000, idle: true });
    expect(problem.detail).toContain('sdk-flood');
  });

  it('an SDK write flood from an action: refused at the write quota, and the writes stay within it', async () => {
    await lab.writePlugin('write-flood', { capabilities: ['records:write:other'], actions: [{ name: 'flood', label: 'Flood', entity: 'target', handler: 'flood' }] },
      `module.exports = { flood: async () => { for (let i = 0; ; i++) await rapport.records.create('other', { name: 'flood ' + i }); } };`);
    await lab.installAndEnable('write-flood', ['records:write:other']);
    const target = await lab.save({ name: 'flooded' });
    const before = await lab.count('other');
    const res = await lab.s.call('POST', `/api/entities/target/records/${target.body._id}/actions/write-flood/flood`, { input: {} });
    const problem = expectProblem(res, 502);
    expect(problem.detail).toMatch(/More than 50 writes in one call/);
    // An action's writes are its own (only handlers before a save are read-only): what it wrote stays, never past the quota.
    expect((await lab.count('other')) - before).toBeLessThanOrEqual(50);
    expect((await lab.save({ name: 'normal' })).status).toBe(201);
  });

  it('a loop queued behind an SDK call that settles after the handler returned: no core left spinning, the next call is prompt', async () => {
    await lab.hookPlugin('loop-after-sdk', hookCode(`rapport.records.count('target').catch(() => 0).then(() => { for (;;) {} }); return undefined;`), { grants: ['records:read:target'] });
    const pid = await lab.worker();
    note(`save answered ${(await lab.save()).status}`);
    try {
      await sleep(150);
      const first = cpuTicks(pid);
      await sleep(600);
      const used = cpuTicks(pid) - first;
      note(`worker CPU over the next 600 ms: ${used} ticks (60 = one core)`);
      expect(used, 'worker CPU ticks over 600 ms after the call').toBeLessThanOrEqual(9);
      const next = await Promise.race([lab.save({ name: 'normal' }), sleep(3_000).then(() => undefined)]);
      expect(next?.status, 'the next call is answered at once').toBe(201);
    } finally {
      note(`worker still spinning afterwards, killed: ${await lab.killIfSpinning(pid)}`);
    }
  }, 20_000);
});

describe('work the isolate cannot interrupt', () => {
  it('a builtin that ignores termination: refused within the wall-clock limit (not a hung save), and the worker recovers', async () => {
    await lab.hookPlugin('native-spin', hookCode('Array.prototype.includes.call({ length: 2 ** 40 }, 1);', { sync: true }));
    const pid = await lab.worker();
    const before = await lab.count();
    const res = await Promise.race([lab.save(), sleep(4_500).then(() => undefined)]);
    note(res ? `answered ${res.status}` : 'no answer after 4.5 s');
    try {
      expect([503, 504], 'an answer within the wall-clock limit').toContain(res?.status);
      expect(await lab.count()).toBe(before);
      await lab.recovered(undefined, true);
    } finally {
      note(`worker still spinning afterwards, killed: ${await lab.killIfSpinning(pid)}`);
    }
  }, 30_000);
});
