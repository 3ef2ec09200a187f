import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin, type TestPlugin } from '../sdk/testing.ts';

let plugin: TestPlugin;
const lead = { _id: '00000000000000000000000a', _version: 1, email: 'a@example.org' };

beforeAll(async () => {
  plugin = await loadPlugin(new URL('.', import.meta.url), { records: { activity: [{ lead: lead._id }, { lead: lead._id }, { lead: 'another' }] } });
});
afterAll(() => plugin.stop());

const score = async (values: Record<string, unknown>, record: Record<string, unknown> | null) =>
  ((await plugin.call('score', { operation: record ? 'update' : 'create', entity: 'lead', values, record, user: { id: 'u' } })) as { set: { score: number } }).set.score;

describe('lead-score', () => {
  it('scores a new lead on how complete it is', async () => {
    expect(await score({ email: 'x@example.org', company: 'Acme' }, null)).toBe(20);
  });

  it("adds its own activities (not other leads') and recent contact", async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect(await score({ lastContactedOn: today }, lead)).toBe(2 * 10 + 10 + 10);
  });

  it('caps activity at 60 points and the score at 100', async () => {
    const busy = await loadPlugin(new URL('.', import.meta.url), { records: { activity: Array.from({ length: 20 }, () => ({ lead: lead._id })) }, settings: { pointsPerActivity: 50 } });
    try {
      const today = new Date().toISOString().slice(0, 10);
      const answer = (await busy.call('score', { operation: 'update', entity: 'lead', values: { phone: '+44', company: 'A', lastContactedOn: today }, record: lead, user: { id: 'u' } })) as { set: { score: number } };
      expect(answer.set.score).toBe(100);
    } finally {
      await busy.stop();
    }
  });
});
