/**
 * Bulk create writes its batch with one insertMany (issue 9: sample data at scale) and keeps the
 * single-create contract per item: every record through the pipeline (autonumbers, formulas,
 * duplicate rules, audit), and a unique value taken — by a stored record or by an earlier item of
 * the same batch — refused for that item alone, as a single create would refuse it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { defineEntity, settled } from '../support/crm-fixture.ts';

let s: AppServer;

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, {
    name: 'ticket', label: 'Ticket', pluralLabel: 'Tickets', titleField: 'number',
    fields: [
      { name: 'number', type: 'autonumber', pattern: 'T-{0000}' },
      { name: 'code', type: 'text', unique: true },
      { name: 'hours', type: 'integer', min: 0 },
      { name: 'double', type: 'formula', expression: 'hours * 2', resultType: 'number' },
    ],
  });
  await s.call('POST', '/api/entities/ticket/records', { code: 'TAKEN', hours: 1 });
});
afterAll(() => s?.stop());

it('writes the good items and refuses, item by item, what the pipeline or a unique index refuses', async () => {
  const res = await s.call('POST', '/api/entities/ticket/records/bulk-create', {
    records: [{ code: 'A', hours: 2 }, { code: 'TAKEN', hours: 3 }, { code: 'B', hours: -1 }, { code: 'A', hours: 4 }, { code: 'C', hours: 5 }],
  });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ succeeded: 2, failed: 3 });
  expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([201, 409, 422, 409, 201]);
  expect(res.body.results[1].problem.errors).toEqual([{ pointer: '/records/1/code', detail: 'must be unique' }]);
  expect(res.body.results[3].problem.errors).toEqual([{ pointer: '/records/3/code', detail: 'must be unique' }]);
  expect(res.body.results[2].problem.errors).toEqual([{ pointer: '/records/2/hours', detail: 'must be >= 0' }]);
  const [a, c] = [res.body.results[0].record, res.body.results[4].record];
  expect(a).toMatchObject({ code: 'A', double: 4 });
  expect(c).toMatchObject({ code: 'C', double: 10 });
  expect(new Set([a.number, c.number]).size).toBe(2);
  const list = await s.call('GET', '/api/entities/ticket/records?sort=code');
  expect(list.body.data.map((r: { code: string }) => r.code)).toEqual(['A', 'C', 'TAKEN']);
  await settled(s, ['ticket']);
  const history = await s.call('GET', `/api/entities/ticket/records/${a._id}/history`);
  expect(history.status).toBe(200);
  expect(history.body.data[0]).toMatchObject({ type: 'created' });
});
