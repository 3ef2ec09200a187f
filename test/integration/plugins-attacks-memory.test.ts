/**
 * Attacks on the plugin sandbox's memory and output limits (issue 6): heap bombs, huge array
 * buffers, deep recursion, and answers that are huge, cyclic, or run code when read (getters,
 * proxies, toJSON). Each must be refused with the right problem and nothing saved, the server
 * must keep answering meanwhile, and afterwards the worker must be back near its baseline memory
 * and the plugin must work again.
 */
import { describe, expect, it } from 'vitest';
import { hookCode, note, useLab } from '../support/plugin-fixture.ts';

const lab = useLab();

const MEMORY = /went over its 64 MB memory limit/;

describe('memory', () => {
  it('a heap bomb (one 80 MB array): 502 plugin-failed at the memory limit, worker RSS back near baseline', async () => {
    await lab.hookPlugin('heap-array', hookCode('const a = new Array(1e7).fill(0.5); return { set: { note: String(a.length) } };'));
    const { peakRss } = await lab.attack({ status: 502, detail: MEMORY, withinMs: 4_000, idle: true });
    expect(peakRss).toBeLessThan(lab.baselineRss + 300);
  });

  it('a heap bomb growing in a loop: refused at whichever limit comes first (502 memory or 504 CPU)', async () => {
    await lab.hookPlugin('heap-loop', hookCode('const a = []; for (;;) a.push(new Array(1e6).fill(Math.random()));'));
    const { problem, peakRss } = await lab.attack({ status: [502, 504], withinMs: 4_000, idle: true });
    expect(problem.detail).toMatch(/memory limit|ms of CPU/);
    expect(peakRss).toBeLessThan(lab.baselineRss + 300);
  });

  it('new ArrayBuffer(2 ** 31): 502 plugin-failed (allocation refused), nothing allocated in the worker', async () => {
    await lab.hookPlugin('array-buffer', hookCode('const b = new ArrayBuffer(2 ** 31); return { set: { note: String(b.byteLength) } };'));
    const { peakRss } = await lab.attack({ status: 502, detail: /Array buffer allocation failed/, withinMs: 2_000 });
    expect(peakRss).toBeLessThan(lab.baselineRss + 150);
  });

  it('typed arrays growing by doubling: refused (502 allocation failed or memory limit, or 504 CPU), worker memory bounded', async () => {
    await lab.hookPlugin('typed-arrays', hookCode('const kept = []; for (let n = 1 << 20; ; n *= 2) kept.push(new Float64Array(n).fill(1));'));
    const { peakRss } = await lab.attack({ status: [502, 504], detail: /Array buffer allocation failed|memory limit|ms of CPU/, withinMs: 3_000 });
    expect(peakRss).toBeLessThan(lab.baselineRss + 300);
  });

  it('deep recursion: the stack overflow is an error (502 plugin-failed), not a crash', async () => {
    await lab.hookPlugin('deep-recursion', hookCode('const f = (n) => f(n + 1) + 1; f(0);'));
    await lab.attack({ status: 502, detail: /Maximum call stack size exceeded/, withinMs: 2_000 });
  });

  it('deep recursion caught by the plugin itself: a RangeError it can handle, and its answer is used', async () => {
    await lab.hookPlugin('deep-recursion-caught', hookCode(`const f = (n) => f(n + 1) + 1; try { f(0); } catch (e) { return { errors: [{ field: 'name', detail: 'caught ' + e.name }] }; }`));
    const res = await lab.save();
    expect(res.status).toBe(422);
    expect(res.body.errors[0].detail).toBe('caught RangeError');
    await lab.recovered(await lab.worker());
  });

  it('a JSON.parse of 20 MB (seconds of native work): refused within the wall-clock limit', async () => {
    await lab.hookPlugin('json-bomb', hookCode(`JSON.parse('[' + '1.5,'.repeat(5e6) + '1]'); return undefined;`, { sync: true }));
    try {
      const before = await lab.count();
      const { result: res, ms, peakRss } = await lab.measured(() => lab.save());
      note(`answered ${res.status} after ${ms} ms; worker peak RSS ${peakRss.toFixed(0)} MB (baseline ${lab.baselineRss.toFixed(0)})`);
      expect([502, 503, 504], JSON.stringify(res.body)).toContain(res.status);
      expect(ms).toBeLessThan(2_800);
      expect(await lab.count()).toBe(before);
    } finally {
      // Memory the worker took stays with it: start the next tests on a fresh one.
      await lab.restartWorker();
    }
  }, 30_000);
});

describe('answers', () => {
  it('a result over 1 MB: 502 plugin-failed (output limit), nothing saved', async () => {
    await lab.hookPlugin('huge-result', hookCode(`return { set: { note: 'x'.repeat(1_100_000) } };`));
    await lab.attack({ status: 502, detail: /at most 1000000 characters/, withinMs: 2_000 });
  });

  it('a huge result built from one small string repeated: 502 plugin-failed (output limit)', async () => {
    await lab.hookPlugin('huge-array-result', hookCode(`return { set: { note: 'x' }, errors: Array(200_000).fill({ field: 'name', detail: 'xxxxxxxxxx' }) };`));
    await lab.attack({ status: 502, detail: /at most 1000000 characters/, withinMs: 2_000 });
  });

  it('a cyclic result: 502 plugin-failed (not JSON), nothing saved', async () => {
    await lab.hookPlugin('cyclic-result', hookCode('const set = { name: "x" }; set.self = set; return { set };'));
    await lab.attack({ status: 502, detail: /circular/i, withinMs: 2_000 });
  });

  it('a getter that loops forever: 504 plugin-timeout (CPU), the host never runs it', async () => {
    await lab.hookPlugin('getter-loop', hookCode('return { get set() { for (;;) {} } };', { sync: true }));
    await lab.attack({ status: 504, detail: /ms of CPU/, withinMs: 2_000 });
  });

  it('a getter that throws: 502 plugin-failed with its message', async () => {
    await lab.hookPlugin('getter-throws', hookCode(`return { get set() { throw new Error('boom from a getter'); } };`));
    await lab.attack({ status: 502, detail: /boom from a getter/, withinMs: 2_000 });
  });

  it('a toJSON that loops forever: 504 plugin-timeout (CPU)', async () => {
    await lab.hookPlugin('tojson-loop', hookCode('return { set: { note: { toJSON() { for (;;) {} } } } };'));
    await lab.attack({ status: 504, detail: /ms of CPU/, withinMs: 2_000 });
  });

  it('a Proxy whose traps loop: 504 plugin-timeout (CPU)', async () => {
    await lab.hookPlugin('proxy-loop', hookCode('return new Proxy({}, { get() { for (;;) {} }, ownKeys() { for (;;) {} } });', { sync: true }));
    await lab.attack({ status: 504, detail: /ms of CPU/, withinMs: 2_000 });
  });

  it('a Proxy whose traps throw: 502 plugin-failed', async () => {
    await lab.hookPlugin('proxy-throws', hookCode(`return new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });`));
    await lab.attack({ status: 502, detail: /trap/, withinMs: 2_000 });
  });

  it('a Proxy that answers innocently: only its JSON crosses (a plain {set}), the save goes through', async () => {
    await lab.hookPlugin('proxy-innocent', hookCode(`return new Proxy({}, { get: (_t, k) => (k === 'set' ? { note: 'via proxy' } : undefined), ownKeys: () => ['set'], getOwnPropertyDescriptor: () => ({ value: { note: 'via proxy' }, enumerable: true, configurable: true }) });`, { sync: true }));
    const res = await lab.save();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.note).toBe('via proxy');
  });

  it('an answer that is not {set} or {errors}: 502 plugin-failed', async () => {
    await lab.hookPlugin('odd-answer', hookCode(`return [1, 2, 3];`));
    await lab.attack({ status: 502, detail: /answered neither nothing/, withinMs: 2_000 });
  });
});
