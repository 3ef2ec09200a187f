/** What the workflow runner costs while nothing is due: one claim per poll, whatever its concurrency. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/shared/logger.ts';
import { createRunner, type RunnerDeps } from '../../server/workflows/runner.ts';
import { createRunsStore } from '../../server/workflows/runs.store.ts';
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
