import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ObjectId } from 'mongodb';
import { parse } from 'csv-parse/sync';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem } from '../support/crm-fixture.ts';

let server: AppServer;
const records = '/api/entities/donor/records';

async function raw(path: string): Promise<{ status: number; type: string | null; disposition: string | null; text: string }> {
  const res = await fetch(server.base + path, { headers: { authorization: `Bearer ${server.adminToken}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: await res.text() };
}

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, {
    name: 'donor', label: 'Donor', pluralLabel: 'Donors', titleField: 'name', audit: true,
    fields: [
      { name: 'name', type: 'fullName', required: true },
      { name: 'note', type: 'text' },
      { name: 'gift', type: 'currency', currency: 'GBP' },
      { name: 'tags', type: 'multiSelect', options: [{ value: 'vip', label: 'VIP' }, { value: 'new', label: 'New' }] },
    ],
  });
});
afterAll(() => server.stop());

describe('export', () => {
  it('streams the list as CSV with a header row, flattened values and the filter applied', async () => {
    await createRecord(server, 'donor', { name: { first: 'Ada', last: 'Byron' }, note: 'first', gift: { amount: '12.50', currency: 'GBP' }, tags: ['vip', 'new'] });
    await createRecord(server, 'donor', { name: { first: 'Grace', last: 'Hopper' }, note: 'second' });
    const filter = encodeURIComponent(JSON.stringify({ field: 'note', op: 'eq', value: 'first' }));
    const res = await raw(`${records}/export?format=csv&filter=${filter}&fields=name,note,gift,tags`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    expect(res.disposition).toMatch(/attachment; filename="?donor-\d{4}-\d{2}-\d{2}\.csv"?/);
    const rows = parse(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Ada Byron', note: 'first', gift: '12.50 GBP', tags: 'vip; new' });
  });

  it('neutralises cells a spreadsheet would run as formulas', async () => {
    for (const note of ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB']) {
      await createRecord(server, 'donor', { name: { first: 'F', last: 'X' }, note });
    }
    const res = await raw(`${records}/export?format=csv&fields=note&sort=createdAt`);
    const notes = (parse(res.text, { columns: true }) as Array<{ note: string }>).map((r) => r.note);
    expect(notes).toEqual(expect.arrayContaining([`'=HYPERLINK("http://evil.example","x")`, "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTAB"]));
    expect(notes.filter((n) => /^[=+\-@\t]/.test(n))).toEqual([]);
  });

  it('streams JSON as an array of API records', async () => {
    const res = await raw(`${records}/export?format=json&fields=note`);
    expect(res.type).toMatch(/^application\/json/);
    const body = JSON.parse(res.text) as Array<Record<string, unknown>>;
    expect(body.length).toBeGreaterThanOrEqual(7);
    expect(Object.keys(body[0]!).sort()).toEqual(['_id', '_version', 'note']);
  });

  it('exports more records than one page holds, each once', async () => {
    for (const batch of [0, 1]) {
      const res = await server.call('POST', `${records}/bulk-create`, { records: Array.from({ length: 300 }, (_, i) => ({ name: { first: `Bulk${batch}-${i}`, last: 'Row' }, note: `bulk ${i}` })) });
      expect(res.body.succeeded).toBe(300);
    }
    const text = (await raw(`${records}/export?format=csv&fields=_id`)).text;
    const ids = (parse(text, { columns: true }) as Array<{ _id: string }>).map((r) => r._id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe((await server.call('GET', `${records}/count`)).body.count);
  });

  it('refuses an unknown format or field with a problem, before any row is sent', async () => {
    expectProblem(await server.call('GET', `${records}/export?format=xlsx`), 400, ['/format']);
    expectProblem(await server.call('GET', `${records}/export?fields=nope`), 400, ['/fields']);
  });
});

describe('field history', () => {
  it('lists who changed which field from what to what, newest first, page by page', async () => {
    const donor = await createRecord(server, 'donor', { name: { first: 'Hist', last: 'Ory' }, note: 'v1' });
    for (const note of ['v2', 'v3']) expect((await server.call('PATCH', `${records}/${donor._id}`, { note })).status).toBe(200);
    let page = { data: [] as Array<Record<string, unknown>>, nextCursor: null as string | null };
    for (let i = 0; i < 50 && page.data.length < 3; i++) {
      page = (await server.call('GET', `${records}/${donor._id}/history`)).body;
      if (page.data.length < 3) await new Promise((r) => setTimeout(r, 20));
    }
    expect(page.data.map((e) => e.type)).toEqual(['updated', 'updated', 'created']);
    expect(page.data[0]).toMatchObject({ channel: 'api', changes: [{ field: 'note', before: 'v2', after: 'v3' }] });
    const first = (await server.call('GET', `${records}/${donor._id}/history?limit=2`)).body;
    expect(first.data).toHaveLength(2);
    const rest = (await server.call('GET', `${records}/${donor._id}/history?limit=2&cursor=${first.nextCursor}`)).body;
    expect(rest.data.map((e: { type: string }) => e.type)).toEqual(['created']);
  });

  it('gives records created many at a time their own created entry, from the one audit document of the batch', async () => {
    const bulk = await server.call('POST', `${records}/bulk-create`, { records: ['Ann', 'Bob', 'Cy'].map((first, i) => ({ name: { first, last: 'Batch' }, note: `n${i}` })) });
    const [ann, bob, cy] = bulk.body.results.map((r: { record: { _id: string } }) => r.record._id) as string[];
    const audit = server.engine.client.db('rapport').collection('audit_log');
    await vi.waitFor(async () => expect(await audit.countDocuments({ recordId: { $in: [ann, bob, cy].map((id) => new ObjectId(id!)) } })).toBe(1), { timeout: 5000 });
    for (const note of ['m1', 'm2']) expect((await server.call('PATCH', `${records}/${bob}`, { note })).status).toBe(200);
    let page = { data: [] as Array<Record<string, unknown>>, nextCursor: null as string | null };
    for (let i = 0; i < 50 && page.data.length < 3; i++) {
      page = (await server.call('GET', `${records}/${bob}/history`)).body;
      if (page.data.length < 3) await new Promise((r) => setTimeout(r, 20));
    }
    expect(page.data.map((e) => e.type)).toEqual(['updated', 'updated', 'created']);
    expect(page.data[2]).toMatchObject({ channel: 'api', changes: expect.arrayContaining([{ field: 'note', before: null, after: 'n1' }]) });
    // Paging crosses into the batch's document and out of it again.
    const first = (await server.call('GET', `${records}/${bob}/history?limit=2`)).body;
    const rest = (await server.call('GET', `${records}/${bob}/history?limit=2&cursor=${first.nextCursor}`)).body;
    expect(rest).toMatchObject({ data: [{ id: page.data[2]!.id, type: 'created' }], nextCursor: null });
    // Each record of the batch reads its own values, not another's.
    const notes = await Promise.all([ann, cy].map(async (id) => (await server.call('GET', `${records}/${id}/history`)).body.data.map((e: { changes: Array<{ field: string; after: unknown }> }) => e.changes.find((c) => c.field === 'note')?.after)));
    expect(notes).toEqual([['n0'], ['n2']]);
  });

  it("reads a record's entries through an index, not by scanning the whole audit log", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(String((await createRecord(server, 'donor', { name: { first: `Scan${i}`, last: 'Log' } }))._id));
    const audit = server.engine.client.db('rapport').collection('audit_log');
    await vi.waitFor(async () => expect(await audit.countDocuments({ recordId: { $in: ids.map((id) => new ObjectId(id)) } })).toBe(20), { timeout: 5000 });
    expect(await audit.countDocuments()).toBeGreaterThan(20);
    // The query record-history.ts runs, explained by the database (embedded engine or MongoDB).
    const plan = await audit.find({ entity: 'donor', recordId: new ObjectId(ids[7]) }).sort({ _id: -1 }).explain('executionStats');
    expect(plan.executionStats.nReturned).toBe(1);
    expect(plan.executionStats.totalDocsExamined).toBe(1);
  });

  it('answers 404 for a record that does not exist', async () => {
    expectProblem(await server.call('GET', `${records}/${'0'.repeat(24)}/history`), 404);
  });
});
