import { performance } from 'node:perf_hooks';
import { PluginSupervisor } from '../../server/plugins/supervisor.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { percentileOf } from './measure.ts';

// Issue 6: what one hook call costs through the worker process and the isolate, next to the same
// logic called in this process (the floor), with a record-sized payload.

export const HOOK_LOGIC = `({ values }) => (typeof values.email === 'string' && !values.email.includes('@') ? { errors: [{ field: 'email', detail: 'needs an @' }] } : undefined)`;

export type Overhead = { calls: number; pluginP50Us: number; pluginP99Us: number; floorP50Us: number; floorP99Us: number };

const payload = {
  operation: 'create', entity: 'contact', record: null, user: { id: '0123456789abcdef01234567' },
  values: { name: { first: 'Ada', last: 'Lovelace' }, email: 'ada@example.org', phone: '+442071838750', jobTitle: 'Analyst', status: 'customer', city: 'Leeds', score: 80, newsletter: true, notes: 'Met at the conference; follow up about the grant application.' },
};

async function timeCalls(calls: number, run: () => Promise<unknown> | unknown): Promise<number[]> {
  const us: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await run();
    us.push((performance.now() - started) * 1000);
  }
  return us;
}

export async function measureOverhead(calls: number): Promise<Overhead> {
  const supervisor = new PluginSupervisor<null>({ logger: createLogger({ level: 'warn' }), sdk: async () => null });
  await supervisor.start();
  try {
    supervisor.load('bench', '1.0.0', `module.exports = { check: ${HOOK_LOGIC} };`);
    // The floor: the same function, given a copy of the payload as a hook would get it.
    const logic = new Function(`return ${HOOK_LOGIC}`)() as (p: unknown) => unknown;
    const floor = () => logic(JSON.parse(JSON.stringify(payload)));
    const hook = () => supervisor.invoke('bench', 'check', payload, null);
    await timeCalls(500, hook);
    await timeCalls(500, floor);
    const [plugin, inProcess] = [await timeCalls(calls, hook), await timeCalls(calls, floor)];
    return { calls, pluginP50Us: percentileOf(plugin, 0.5), pluginP99Us: percentileOf(plugin, 0.99), floorP50Us: percentileOf(inProcess, 0.5), floorP99Us: percentileOf(inProcess, 0.99) };
  } finally {
    await supervisor.stop();
  }
}
