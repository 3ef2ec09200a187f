import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin, type TestPlugin } from '../sdk/testing.ts';

let plugin: TestPlugin;
let declared: string;
let overseas: string;

beforeAll(async () => {
  plugin = await loadPlugin(new URL('.', import.meta.url), {
    records: {
      supporter: [
        { name: 'Ada', giftAidDeclaredOn: '2025-04-06', address: { city: 'Leeds', country: 'GB' } },
        { name: 'Bo', giftAidDeclaredOn: null, address: { city: 'Lyon', country: 'FR' } },
      ],
    },
  });
  [declared, overseas] = plugin.records.supporter!.map((s) => s._id) as [string, string];
});
afterAll(() => plugin.stop());

const save = (values: Record<string, unknown>, record: Record<string, unknown> | null = null) =>
  plugin.call('check', { operation: record ? 'update' : 'create', entity: 'donation', values, record, user: { id: 'u' } });

describe('gift-aid-check', () => {
  it('fills in 25% of the gift, in exact pence, for a declared UK supporter', async () => {
    expect(await save({ amount: { amount: '10.07', currency: 'GBP' }, supporter: declared, giftAid: true })).toEqual({ set: { giftAidAmount: { amount: '2.51', currency: 'GBP' } } });
  });

  it('refuses the claim for a supporter without a declaration or a UK address, saying which', async () => {
    expect(await save({ amount: { amount: '10.00', currency: 'GBP' }, supporter: overseas, giftAid: true })).toEqual({
      errors: [{ field: 'giftAid', detail: 'cannot be claimed: the supporter has no Gift Aid declaration and has no UK address' }],
    });
    expect(await save({ amount: { amount: '10.00', currency: 'GBP' }, giftAid: true })).toEqual({ errors: [{ field: 'supporter', detail: 'is needed to claim Gift Aid' }] });
  });

  it('clears the amount when no claim is made, and uses the stored values on an update', async () => {
    expect(await save({ amount: { amount: '10.00', currency: 'GBP' } })).toEqual({ set: { giftAidAmount: null } });
    const stored = { _id: 'd1', amount: { amount: '40.00', currency: 'GBP' }, supporter: declared, giftAid: false };
    expect(await save({ giftAid: true }, stored)).toEqual({ set: { giftAidAmount: { amount: '10.00', currency: 'GBP' } } });
  });
});
