/**
 * Re-entry and crashes (issue 6): a hook whose SDK write runs hooks of the same plugin again
 * (guest → host → guest), and a plugin worker that is killed over and over. Neither may hang a
 * save, write what was refused, or leave the plugins unusable.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/crm-fixture.ts';
import { hookCode, note, sleep, useLab, workerPid } from '../support/plugin-fixture.ts';

const lab = useLab();

/** A beforeSave hook on `target` that creates another attack record of `target` through the SDK. */
const reenter = (o: { swallow?: boolean } = {}) =>
  hookCode(o.swallow
    ? `try { await rapport.records.create('target', { name: 'attack' }); } catch (e) { console.log('refused: ' + e.message); } return undefined;`
    : `await rapport.records.create('target', { name: 'attack' });`);

describe('re-entry: guest → host → guest', () => {
  it('a hook that creates a record of its own entity never hangs: refused within the wall-clock limit, nothing written', async () => {
    await lab.hookPlugin('reenter', reenter(), { grants: ['records:write:target'] });
    const { res } = await lab.attack({ status: [502, 504, 508], withinMs: 4_000 });
    note(`the nested hooks: ${JSON.stringify((await lab.logs('reenter')).map((l) => [l.ok, l.error, Math.round(l.durationMs)]))}`);
    expect(res.status).not.toBe(201);
  }, 20_000);

  it('a hook that creates a record of its own entity: 508 plugin-recursion (or a refusal) well before the wall-clock limit', async () => {
    await lab.hookPlugin('reenter-fast', reenter(), { grants: ['records:write:target'] });
    const started = performance.now();
    const res = await lab.save();
    const ms = performance.now() - started;
    note(`answered ${res.status} after ${Math.round(ms)} ms`);
    expect([502, 508], JSON.stringify(res.body)).toContain(res.status);
    expectProblem(res, res.status);
    expect(ms).toBeLessThan(1_500);
  }, 20_000);

  it('a re-entrant hook that swallows the refusal: its nested write never lands, whatever the outer save answers', async () => {
    await lab.hookPlugin('reenter-swallow', reenter({ swallow: true }), { grants: ['records:write:target'] });
    const before = await lab.count();
    const res = await lab.save();
    note(`answered ${res.status}`);
    // The nested create is refused at once (508); a plugin that swallows that may let its own save through.
    expect([201, 502, 504, 508]).toContain(res.status);
    // The queued nested calls each wait for the watchdog: give them time to finish.
    for (let i = 0; i < 24 && (await lab.logs('reenter-swallow')).length < 3; i++) await sleep(250);
    await sleep(500);
    note(`the nested hooks: ${JSON.stringify((await lab.logs('reenter-swallow')).map((l) => [l.ok, l.error, l.logs.map((x) => x.text)]))}; records written: ${(await lab.count()) - before}`);
    expect(await lab.count(), 'records written: only the outer save, if it was accepted').toBe(before + (res.status === 201 ? 1 : 0));
  }, 20_000);

  it('two plugins that re-enter each other through two entities: refused, nothing written in either', async () => {
    await lab.hookPlugin('ping', reenter().replace(`rapport.records.create('target', { name: 'attack' })`, `rapport.records.create('other', { name: 'attack' })`), { grants: ['records:write:other'] });
    await lab.hookPlugin('pong', reenter(), { entity: 'other', grants: ['records:write:target'] });
    const others = await lab.count('other');
    await lab.attack({ status: [502, 504, 508], withinMs: 5_000 });
    expect(await lab.count('other')).toBe(others);
  }, 20_000);
});

/** POST the attack record with a client-side deadline, so a save the server never answers cannot hold up the suite. */
async function saveWithin(ms: number): Promise<number | 'no answer'> {
  const res = await fetch(`${lab.s.base}/api/entities/target/records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${lab.s.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'attack' }),
    signal: AbortSignal.timeout(ms),
  }).catch(() => undefined);
  await res?.text();
  return res?.status ?? 'no answer';
}

/** Kills the worker `pid` and waits until it is gone from the process list. */
async function kill(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && workerPid() === pid; i++) await sleep(20);
}

/** A normal save until one goes through: the worker is up and ready again. */
async function untilSaved(timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await lab.save({ name: 'normal' });
    if (res.status === 201 || performance.now() - started > timeoutMs) return res.status;
    await sleep(100);
  }
}

describe('a worker that keeps dying', () => {
  it('killed with SIGKILL four times in a row, each new worker as soon as it appears: restarts, and the next save runs the hook', async () => {
    await lab.hookPlugin('survivor', hookCode(`return { set: { note: 'hooked' } };`));
    const pids: number[] = [];
    for (let i = 0; i < 4; i++) {
      const pid = await lab.worker(15_000);
      pids.push(pid);
      await kill(pid);
    }
    expect(new Set(pids).size).toBe(4);
    // Once a new worker process exists, a save waits for it to be ready.
    expect(pids).not.toContain(await lab.worker(15_000));
    const before = await lab.count();
    const started = performance.now();
    const res = await lab.save();
    note(`saved ${res.status} ${Math.round(performance.now() - started)} ms after the new worker appeared`);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.note).toBe('hooked');
    expect(await lab.count()).toBe(before + 1);
    await lab.recovered();
  }, 40_000);

  it('a save while the worker is down, having died before it was ready: answered promptly (503 or saved), never hangs', async () => {
    await lab.hookPlugin('early-death', hookCode(`return { set: { note: 'hooked' } };`));
    expect(await untilSaved()).toBe(201);
    await kill(await lab.worker());
    const starting = await lab.worker(15_000);
    await kill(starting); // before it had time to load isolated-vm and say 'ready'
    const status = await saveWithin(5_000);
    note(`the save during the restart: ${status}`);
    expect([201, 503]).toContain(status);
  }, 30_000);

  it('killed during a call, three times: each save is refused with 503 and nothing written, then saves work', async () => {
    await lab.hookPlugin('busy', hookCode(`for (let i = 0; i < 90; i++) await rapport.records.count('target');`), { grants: ['records:read:target'] });
    for (let i = 0; i < 3; i++) {
      expect(await untilSaved()).toBe(201); // the worker is ready
      const pid = await lab.worker();
      const before = await lab.count();
      const pending = lab.save();
      await sleep(60);
      await kill(pid);
      expectProblem(await pending, 503);
      expect(await lab.count()).toBe(before);
    }
    await lab.recovered();
    // Three failures, each followed by a success: the plugin is still enabled.
    expect((await lab.plugin('busy')).status).toBe('enabled');
  }, 60_000);
});
