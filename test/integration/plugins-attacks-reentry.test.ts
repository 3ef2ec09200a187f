/**
 * Re-entry and crashes (issue 6): a before-save hook that tries to write (it may only read, so a
 * refused save leaves nothing behind), an action whose SDK write runs hooks of the same plugin
 * again (guest → host → guest), after-save hooks that feed each other, and a plugin worker that is
 * killed over and over. None may hang a save, write what was refused, or leave the plugins unusable.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/crm-fixture.ts';
import { hookCode, note, sleep, useLab, workerPid } from '../support/plugin-fixture.ts';

const lab = useLab();

/** A beforeSave hook on `target` that writes through the SDK: refused, since handlers before a save only read. */
const sideWrite = (o: { swallow?: boolean } = {}) =>
  hookCode(o.swallow
    ? `try { await rapport.records.create('other', { name: 'side effect' }); } catch (e) { console.log('refused: ' + e.message); } return { set: { note: 'checked' } };`
    : `await rapport.records.create('other', { name: 'side effect' });`);

/** A plugin with an action on `target` that creates a `target` record, and its own beforeSave hook on `target`. */
async function reenteringPlugin(id: string): Promise<void> {
  await lab.writePlugin(id, {
    capabilities: ['records:write:target'],
    hooks: [{ event: 'beforeSave', entity: 'target', handler: 'check' }],
    actions: [{ name: 'copy', label: 'Copy', entity: 'target', handler: 'copy' }],
  }, `module.exports = { check: () => undefined, copy: async () => rapport.records.create('target', { name: 'attack' }) };`);
  await lab.installAndEnable(id, ['records:write:target']);
}

describe('handlers before a save only read: a refused save leaves nothing behind', () => {
  it('a before-save hook that writes another record: plugin-read-only at once, the save refused, neither record written', async () => {
    await lab.hookPlugin('side-writer', sideWrite(), { grants: ['records:write:other'] });
    const others = await lab.count('other');
    const { problem } = await lab.attack({ status: 502, withinMs: 1_500 });
    note(`answered ${problem.detail}`);
    expect(problem.detail).toMatch(/only reads/);
    expect(await lab.count('other')).toBe(others);
  }, 20_000);

  it('a before-save hook that swallows the refusal: its own save goes through, the other record is never written', async () => {
    await lab.hookPlugin('side-swallow', sideWrite({ swallow: true }), { grants: ['records:write:other'] });
    const others = await lab.count('other');
    const res = await lab.save();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.note).toBe('checked');
    expect(await lab.count('other')).toBe(others);
    expect((await lab.logs('side-swallow'))[0]!.logs.map((l) => l.text).join(' ')).toMatch(/refused: .*only reads/);
  }, 20_000);

  it('a before-save hook that sends data out (a POST, a GET with a body): plugin-read-only before anything is sent', async () => {
    const attempt = (init: string) => `try { await rapport.http.fetch('https://hooks.example.com/x', ${init}); } catch (e) { console.log('refused: ' + e.message); }`;
    const code = hookCode(`${attempt(`{ method: 'POST', body: 'saved' }`)} ${attempt(`{ body: 'saved', headers: { 'Content-Length': '5' } }`)} return { set: { note: 'checked' } };`);
    await lab.hookPlugin('side-post', code, { grants: ['http:fetch:hooks.example.com'] });
    const res = await lab.save();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const logged = (await lab.logs('side-post'))[0]!.logs.map((l) => l.text);
    expect(logged).toHaveLength(2);
    for (const line of logged) expect(line).toMatch(/refused: .*only reads/);
  }, 20_000);
});

describe('re-entry: guest → host → guest', () => {
  it('an action whose write runs its own plugin\'s hook: 508 plugin-recursion well before the wall-clock limit, nothing written', async () => {
    await reenteringPlugin('reenter');
    const first = await lab.save({ name: 'first' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const before = await lab.count();
    const started = performance.now();
    const res = await lab.s.call('POST', `/api/entities/target/records/${first.body._id}/actions/reenter/copy`, { input: {} });
    const ms = performance.now() - started;
    note(`answered ${res.status} after ${Math.round(ms)} ms`);
    expect([502, 508], JSON.stringify(res.body)).toContain(res.status);
    expectProblem(res, res.status);
    expect(ms).toBeLessThan(1_500);
    expect(await lab.count()).toBe(before);
    // The plugin still works afterwards: a save runs its hook.
    expect((await lab.save({ name: 'normal' })).status).toBe(201);
  }, 20_000);

  it('two plugins whose after-save hooks write to each other\'s entity: the chain stops at the hook depth cap', async () => {
    const chain = (id: string, from: string, to: string) => lab.writePlugin(id, { capabilities: [`records:write:${to}`], hooks: [{ event: 'afterSave', entity: from, handler: 'echo' }] },
      `module.exports = { echo: async (e) => { if (e.operation === 'create') await rapport.records.create('${to}', { name: 'echo' }); } };`);
    await chain('ping', 'target', 'other');
    await chain('pong', 'other', 'target');
    await lab.installAndEnable('ping', ['records:write:other']);
    await lab.installAndEnable('pong', ['records:write:target']);
    const [targets, others] = [await lab.count(), await lab.count('other')];
    expect((await lab.save({ name: 'start' })).status).toBe(201);
    // Depth 0 (the save) → ping (1) → pong (2) → ping (3): hooks stop at depth 3.
    let last = -1;
    for (let i = 0; i < 40; i++) {
      await sleep(250);
      const now = (await lab.count()) + (await lab.count('other'));
      if (now === last) break;
      last = now;
    }
    const written = { target: (await lab.count()) - targets, other: (await lab.count('other')) - others };
    note(`records written by the chain: ${JSON.stringify(written)}`);
    expect(written.target + written.other).toBeGreaterThan(1);
    expect(written.target + written.other).toBeLessThanOrEqual(4);
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
