import { describe, expect, it } from 'vitest';
import { IndexStore } from './index-store.ts';
import { planQuery } from './query-planner.ts';

const index = (name: string, key: Record<string, number>) => new IndexStore({ name, key } as ConstructorParameters<typeof IndexStore>[0]);

describe('planQuery', () => {
  const indexes = [index('_id_', { _id: 1 }), index('city', { city: 1 }), index('createdAt', { createdAt: -1, _id: -1 }), index('owner', { ownerId: 1 })];

  it('sees the conditions inside a top-level $and, as access-scoped reads send them', () => {
    const filter = { $and: [{ city: 'Lyon' }, { $or: [{ ownerId: { $in: ['u1'] } }, { status: 'customer' }] }] };
    const plan = planQuery(indexes, filter, { createdAt: -1, _id: -1 });
    expect(plan?.index.spec.name).toBe('city');
    expect(plan?.exact).toBe(false);
  });

  it('finds an _id inside nested $and clauses', () => {
    const plan = planQuery(indexes, { $and: [{ $and: [{ _id: 7, _deleting: { $exists: false } }] }, { ownerId: 'u1' }] }, undefined);
    expect(plan?.index.spec.name).toBe('_id_');
  });

  it('never plans on a condition that is only one branch of an $or', () => {
    const plan = planQuery(indexes, { $or: [{ city: 'Lyon' }, { ownerId: 'u1' }] }, undefined);
    expect(plan).toBeUndefined();
  });

  it("uses a unique field's partial or sparse index for values of that field, never for a scan or a sort", () => {
    const partial = new IndexStore({ name: 'email', key: { email: 1 }, unique: true, partialFilterExpression: { email: { $exists: true } } } as ConstructorParameters<typeof IndexStore>[0]);
    const sparse = new IndexStore({ name: 'code', key: { code: 1 }, sparse: true } as ConstructorParameters<typeof IndexStore>[0]);
    const other = new IndexStore({ name: 'vip', key: { email: 1 }, partialFilterExpression: { vip: true } } as ConstructorParameters<typeof IndexStore>[0]);
    expect(planQuery([partial], { email: 'a@x' }, undefined)?.index.spec.name).toBe('email');
    expect(planQuery([partial], { email: { $in: ['a@x', 'b@x'] } }, undefined)?.exact).toBe(true);
    expect(planQuery([sparse], { code: { $gte: 'A', $lt: 'M' } }, undefined)?.index.spec.name).toBe('code');
    // Documents without the field are not in the index: null, a scan or a sort cannot use it.
    expect(planQuery([partial], { email: null }, undefined)).toBeUndefined();
    expect(planQuery([partial], {}, { email: 1 })).toBeUndefined();
    expect(planQuery([partial], { email: { $exists: false } }, undefined)).toBeUndefined();
    // A partial index on another condition holds only some of the documents with the field.
    expect(planQuery([other], { email: 'a@x' }, undefined)).toBeUndefined();
  });

  describe('an equality on the leading field of a compound index, sorted by the next fields', () => {
    const compound = (key: Record<string, number>) => {
      const store = index('city_created', key);
      const docs = [
        { _id: 'a', city: 'Lyon', createdAt: new Date('2024-01-01') },
        { _id: 'b', city: 'Nice', createdAt: new Date('2024-01-02') },
        { _id: 'c', city: 'Lyon', createdAt: new Date('2024-01-03') },
        { _id: 'd', city: 'Lyon', createdAt: new Date('2024-01-03') },
        { _id: 'e', city: 'Paris', createdAt: new Date('2024-01-04') },
        { _id: 'f', city: 'Lyon', createdAt: new Date('2024-01-05') },
      ];
      for (const doc of docs) store.insertKeys(store.keysFor(doc), doc._id);
      return store;
    };
    const scanned = (plan: ReturnType<typeof planQuery>) => [...plan!.index.scan(plan!.ranges[0]!, plan!.descending)];

    for (const key of [{ city: 1, createdAt: -1, _id: -1 }, { city: -1, createdAt: -1, _id: -1 }, { city: 1, createdAt: 1, _id: 1 }]) {
      it(`serves newest first and oldest first from ${JSON.stringify(key)}`, () => {
        const store = compound(key);
        const newest = planQuery([store], { city: 'Lyon' }, { createdAt: -1, _id: -1 });
        expect(newest?.providesSort).toBe(true);
        expect(scanned(newest)).toEqual(['f', 'd', 'c', 'a']);
        const oldest = planQuery([store], { $and: [{ city: 'Lyon' }, { ownerId: { $exists: true } }] }, { createdAt: 1, _id: 1 });
        expect(oldest?.providesSort).toBe(true);
        expect(scanned(oldest)).toEqual(['a', 'c', 'd', 'f']);
      });
    }

    it('does not claim an order it cannot give: mixed directions, several values, a range, a sort on the leading field after others', () => {
      const store = compound({ city: 1, createdAt: -1, _id: -1 });
      expect(planQuery([store], { city: 'Lyon' }, { createdAt: -1, _id: 1 })?.providesSort).toBe(false);
      expect(planQuery([store], { city: { $in: ['Lyon', 'Nice'] } }, { createdAt: -1, _id: -1 })?.providesSort).toBe(false);
      expect(planQuery([store], { city: { $gte: 'L' } }, { createdAt: -1, _id: -1 })?.providesSort).toBe(false);
      expect(planQuery([store], { city: 'Lyon' }, { _id: -1 })?.providesSort).toBe(false);
      // The leading field's own order still works as before.
      expect(planQuery([store], { city: { $gte: 'L' } }, { city: 1 })?.providesSort).toBe(true);
    });
  });
});
