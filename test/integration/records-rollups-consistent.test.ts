/**
 * Rollups over one child entity agree with each other in every read, even while children are
 * being written: they are sums over one state of the children (one aggregation), not one query
 * each that a write can land between.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { addField, createRecord, defineEntity, getRecord } from '../support/crm-fixture.ts';

let server: AppServer;
const KINDS = { name: 'kind', type: 'select', options: ['credit', 'debit'].map((value) => ({ value, label: value })) };

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, { name: 'ledger', label: 'Ledger', pluralLabel: 'Ledgers', fields: [{ name: 'name', type: 'text', required: true }] });
  await defineEntity(server, { name: 'entry', label: 'Entry', pluralLabel: 'Entries', fields: [
    { name: 'ledger', type: 'relation', target: 'ledger', onDelete: 'cascade' },
    KINDS,
    { name: 'amount', type: 'integer' },
  ] });
  const sum = (name: string, kind?: string) =>
    addField(server, 'ledger', { name, type: 'rollup', entity: 'entry', relationField: 'ledger', function: 'sum', field: 'amount', ...(kind ? { filter: { field: 'kind', op: 'eq', value: kind } } : {}) });
  await sum('credits', 'credit');
  await sum('total');
  await sum('debits', 'debit');
});
afterAll(() => server?.stop());

describe('rollups over one child entity', () => {
  it('add up in every read taken while entries are written (total = credits + debits)', async () => {
    const ledger = await createRecord(server, 'ledger', { name: 'Petty cash' });
    const ENTRIES = 80;
    let next = 0;
    let writing = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (next < ENTRIES) {
        const i = next++;
        await createRecord(server, 'entry', { ledger: ledger._id, kind: i % 2 ? 'debit' : 'credit', amount: 1 + (i % 7) });
      }
    });
    const reads: Array<{ total: number; credits: number; debits: number }> = [];
    const reader = (async () => {
      while (writing) reads.push((await getRecord(server, 'ledger', ledger._id as string)) as never);
    })();
    await Promise.all(writers);
    writing = false;
    await reader;
    const final = (await getRecord(server, 'ledger', ledger._id as string)) as unknown as { total: number; credits: number; debits: number };
    const expected = Array.from({ length: ENTRIES }, (_, i) => 1 + (i % 7)).reduce((a, b) => a + b);
    expect(final).toMatchObject({ total: expected });
    // The reads really were taken mid-way, not all before or after the writes.
    expect(reads.filter((r) => r.total > 0 && r.total < expected).length).toBeGreaterThan(5);
    for (const r of reads) expect(r.credits + r.debits, JSON.stringify(r)).toBe(r.total);
  });
});
