import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import type { SampleSpec } from '../pack.types.ts';
import { loadPack } from '../load-packs.ts';
import { PACKS_DIR } from '../index.ts';
import { sampleCounts, seedSample, type SampleStore } from './seed-sample.ts';

const TODAY = new Date('2026-03-02');

/** Keeps what it is given, in memory: the seeder without a database. */
function memoryStore(stored: Map<string, Array<Record<string, unknown> & { _id: string }>> = new Map()): SampleStore & { stored: typeof stored } {
  let n = 0;
  return {
    stored,
    async write(entity, records) {
      const list = stored.get(entity) ?? [];
      stored.set(entity, list);
      return records.map((r) => {
        const _id = (++n).toString(16).padStart(24, '0');
        list.push({ ...r, _id });
        return { id: _id };
      });
    },
    existing: async (entity, limit) => (stored.get(entity) ?? []).slice(0, limit),
  };
}

const spec: SampleSpec = {
  entities: [
    { entity: 'team', weight: 5, max: 3, fields: { name: { gen: 'each', values: ['Red', 'Green', 'Blue', 'Gold'] } } },
    { entity: 'person', weight: 50, fields: { first: { gen: 'firstName' }, last: { gen: 'lastName' }, team: { gen: 'ref', entity: 'team' }, email: { gen: 'email', from: ['first', 'last'], domainFrom: 'team.name' }, phone: { gen: 'phone', country: 'GB' }, us: { gen: 'phone', country: 'US' } } },
    { entity: 'deal', weight: 45, fields: { owner: { gen: 'ref', entity: 'person' }, stage: { gen: 'pick', values: ['open', 'lost'], weights: [3, 1] }, reason: { gen: 'pick', values: ['price'], when: { field: 'stage', in: ['lost'] } }, amount: { gen: 'money', min: 10, max: 500 }, on: { gen: 'date', min: -10, max: 0 }, until: { gen: 'date', from: 'on', min: 1, max: 5 }, title: { gen: 'text', template: '{owner.last} deal' } } },
  ],
};

describe('sample data', () => {
  it('is the same for the same seed, and different for another', async () => {
    const run = async (seed: number) => {
      const store = memoryStore();
      await seedSample({ spec, total: 300, seed, store, today: TODAY });
      return JSON.stringify([...store.stored.values()].map((list) => list.map(({ _id, ...values }) => values)));
    };
    expect(await run(42)).toBe(await run(42));
    expect(await run(42)).not.toBe(await run(43));
  });

  it('shares the records by weight, keeps a capped list to its cap and tops it up only', async () => {
    expect(sampleCounts(spec, 1000)).toEqual([3, 525, 472]);
    expect(sampleCounts(spec, 1000, [3]).reduce((a, b) => a + b, 0)).toBe(1000);
    const store = memoryStore();
    const first = await seedSample({ spec, total: 200, seed: 1, store, today: TODAY });
    expect(first).toMatchObject({ records: 200, failed: 0, byEntity: { team: 3 } });
    const more = await seedSample({ spec, total: 100, seed: 2, store, today: TODAY });
    expect(more.records).toBe(100);
    expect(store.stored.get('team')!.map((t) => t.name)).toEqual(['Red', 'Green', 'Blue']);
  });

  it('makes values that hold together and pass the field checks', async () => {
    const store = memoryStore();
    await seedSample({ spec, total: 400, seed: 7, store, today: TODAY });
    const teams = new Map(store.stored.get('team')!.map((t) => [t._id, t]));
    const people = new Map(store.stored.get('person')!.map((p) => [p._id, p]));
    for (const p of people.values()) {
      expect(parsePhoneNumberFromString(p.phone as string)?.isValid(), String(p.phone)).toBe(true);
      expect(parsePhoneNumberFromString(p.us as string)?.country, String(p.us)).toBe('US');
      expect(p.email).toMatch(new RegExp(`^[a-z]+\\.[a-z]+\\d*@${String(teams.get(p.team as string)!.name).toLowerCase()}\\.example\\.com$`));
    }
    for (const d of store.stored.get('deal')!) {
      expect(d.reason === undefined).toBe(d.stage !== 'lost');
      expect(d.title).toBe(`${String(people.get(d.owner as string)!.last)} deal`);
      const days = (new Date(d.until as string).getTime() - new Date(d.on as string).getTime()) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(1);
      expect(days).toBeLessThanOrEqual(5);
      expect(Number((d.amount as { amount: string }).amount)).toBeGreaterThanOrEqual(10);
    }
  });

  it('the shipped packs\' specs name only the fields their entities have', async () => {
    for (const name of ['sales', 'nonprofit', 'hr']) {
      const pack = await loadPack(PACKS_DIR, name);
      const fields = new Map((pack.entities ?? []).map((e) => [e.name, new Set((e.fields as Array<{ name: string }>).map((f) => f.name))]));
      for (const s of pack.sample!.entities) {
        expect(fields.has(s.entity), `${name}: ${s.entity}`).toBe(true);
        for (const field of Object.keys(s.fields)) expect(fields.get(s.entity)!.has(field), `${name}: ${s.entity}.${field}`).toBe(true);
      }
    }
  });
});
