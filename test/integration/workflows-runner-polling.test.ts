/** What the workflow machinery costs an idle server: one claim per poll, whatever the runner's concurrency; no schedule queries without schedules. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/shared/logger.ts';
import { createRunner, type RunnerDeps } from '../../server/workflows/runner.ts';
import { createRunsStore } from '../../server/workflows/runs.store.ts';
import { createScheduler } from '../../server/workflows/scheduler.ts';
import type { StoredWorkflow } from '../../server/workflows/workflows.store.ts';
import { startTestEngine, type TestEngine } from '../support/test-engine.ts';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine();
});
afterAll(() => t.cleanup());

describe('the workflow runner, idle', () => {
  it('asks for a due run once per poll, not once per free slot', async () => {
    const runs = createRunsStore(t.client.db('runner_polling'));
    await runs.init();
    let claims = 0;
    const store = { ...runs, claim: (owner: string, now?: Date) => (claims++, runs.claim(owner, now)) };
    const pollMs = 20;
    // Nothing is due, so no step ever runs: the step and approval dependencies are never reached.
    const runner = createRunner({ store, steps: {} as RunnerDeps['steps'], approval: (() => undefined) as never, logger: createLogger({ level: 'silent' }), concurrency: 8, pollMs });
    const started = performance.now();
    runner.start();
    await sleep(400);
    await runner.stop();
    // Timers may fire late on a loaded machine, never more often: this bounds the polls from above.
    const polls = Math.ceil((performance.now() - started) / pollMs) + 1;
    expect(claims).toBeGreaterThan(0);
    // With 8 free slots each poll used to claim 8 times at once.
    expect(claims).toBeLessThanOrEqual(polls);
  });
});

describe('the workflow scheduler', () => {
  it('queries nothing while no workflow runs on a schedule, and brings the schedules in line again when that changes', async () => {
    const client = new MongoClient(t.engine.uri, { monitorCommands: true });
    await client.connect();
    const commands: string[] = [];
    client.on('commandStarted', (e) => commands.push(`${e.commandName} ${String((e.command as Record<string, unknown>)[e.commandName])}`));
    const db = client.db('scheduler_polling');
    let live: StoredWorkflow[] = [];
    const scheduler = createScheduler({
      db, registry: {} as never, store: createRunsStore(db), live: () => live, logger: createLogger({ level: 'silent' }), kick: () => undefined, tickMs: 20,
    });
    try {
      scheduler.start();
      await expect.poll(() => commands.length, { timeout: 5_000 }).toBeGreaterThan(0);
      await sleep(300);
      // The first tick brings the (empty) schedule collection in line; after that, 15 ticks or so query nothing.
      expect(commands).toEqual(['delete workflow_schedules']);
      live = [{ _id: 'nightly', version: 1, definition: { name: 'nightly', enabled: true, trigger: { kind: 'schedule', cron: '0 2 * * *' }, steps: [] } } as unknown as StoredWorkflow];
      await expect.poll(() => db.collection('workflow_schedules').countDocuments({ _id: 'nightly' as never }), { timeout: 5_000 }).toBe(1);
    } finally {
      await scheduler.stop();
      await client.close();
    }
  });
});
