/**
 * Issue 5, CSV import: a file with deliberately broken rows (bad dates, unknown and ambiguous
 * relation targets, duplicate unique keys in the file and in the database, values of the wrong
 * type, a missing required value) gets a report that matches the breakage exactly; a dry run
 * writes nothing; the real run applies the good rows only. Saved mappings, upserts, progress,
 * the import channel in history, and the attack cases.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, waitFor } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';

let server: AppServer;
const STATUS = [{ value: 'active', label: 'Active' }, { value: 'lapsed', label: 'Lapsed' }];
const COLUMNS = { Name: 'name', Email: 'email', Birthday: 'birthday', Account: { field: 'account', match: 'name' }, Score: 'score', Status: 'status', VIP: 'vip' };

async function importCsv(csv: string | ReadableStream, query: Record<string, string>, headers: Record<string, string> = {}) {
  const q = new URLSearchParams(query).toString();
  const res = await fetch(`${server.base}/api/entities/contact/imports?${q}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv', ...headers }, body: csv, ...(typeof csv === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', fields: [{ name: 'name', type: 'text' }] });
  await defineEntity(server, {
    name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
    fields: [
      { name: 'name', type: 'text', required: true }, { name: 'email', type: 'email', unique: true }, { name: 'birthday', type: 'date' },
      { name: 'account', type: 'relation', target: 'account', onDelete: 'setNull' }, { name: 'score', type: 'integer' },
      { name: 'status', type: 'select', options: STATUS }, { name: 'vip', type: 'boolean' }, { name: 'notes', type: 'text' },
    ],
  });
  for (const name of ['Acme', 'Twin', 'Twin']) await createRecord(server, 'account', { name });
  await createRecord(server, 'contact', { name: 'Existing', email: 'existing@x.org' });
});
afterAll(() => server?.stop());

const BROKEN = [
  'Name,Email,Birthday,Account,Score,Status,VIP',
  'Ada,ada@x.org,10/12/1815,Acme,5,Active,yes',
  'Bob,bob@x.org,31/02/2020,Acme,3,active,no',
  'Cy,cy@x.org,2000-01-01,Nowhere Ltd,1,active,no',
  'Di,ADA@x.org,2000-01-01,Acme,2,active,no',
  'Ed,existing@x.org,,Acme,1,active,no',
  'Fi,fi@x.org,,Acme,lots,unknown,maybe',
  ',gi@x.org,,,,,',
  'Hu,hu@x.org,,Twin,1,active,no',
  '"Ivy ""the great""",ivy@x.org,,acme,9,lapsed,Y',
].join('\r\n');

const EXPECTED = [
  { row: 3, column: 'Birthday', reason: 'birthday must match format "date"' },
  { row: 4, column: 'Account', reason: 'no account has name "Nowhere Ltd"' },
  { row: 5, column: 'Email', reason: 'email "ADA@x.org" is also in row 2' },
  { row: 6, column: 'Email', reason: expect.stringMatching(/^email "existing@x.org" is already used by record [0-9a-f]{24}$/) },
  { row: 7, column: 'Score', reason: '"lots" is not a number' },
  { row: 7, column: 'Status', reason: '"unknown" is not one of the options (active, lapsed)' },
  { row: 7, column: 'VIP', reason: '"maybe" is not yes or no' },
  { row: 8, column: 'Name', reason: 'name is required' },
  { row: 9, column: 'Account', reason: '"Twin" matches more than one account' },
];

describe('an import with broken rows', () => {
  it('dry run: reports every problem by row, column and reason, and writes nothing', async () => {
    const before = await collection(server, 'rec_contact').countDocuments({});
    const res = await importCsv(BROKEN, { columns: JSON.stringify(COLUMNS), dryRun: 'true' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, status: 'done', rowsRead: 9, created: 2, updated: 0, failed: 7, problemsTotal: 9 });
    expect(res.body.problems).toEqual(EXPECTED);
    expect(await collection(server, 'rec_contact').countDocuments({})).toBe(before);
  });

  it('real run: applies the good rows, reports the same problems, and history says import', async () => {
    const res = await importCsv(BROKEN, { columns: JSON.stringify(COLUMNS) });
    expect(res.body).toMatchObject({ dryRun: false, status: 'done', rowsRead: 9, created: 2, failed: 7 });
    expect(res.body.problems).toEqual(EXPECTED);
    const list = (await server.call('GET', '/api/entities/contact/records?sort=name&expand=account')).body.data as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const ada = list.find((c) => c.name === 'Ada')!;
    expect(ada).toMatchObject({ email: 'ada@x.org', birthday: '1815-12-10', score: 5, status: 'active', vip: true, account: expect.objectContaining({ name: 'Acme' }) });
    expect(list.find((c) => c.name === 'Ivy "the great"')).toMatchObject({ status: 'lapsed', vip: true, score: 9 });
    expect(list.map((c) => c.name).sort()).toEqual(['Ada', 'Existing', 'Ivy "the great"']);
    await waitFor(async () => (await server.call('GET', `/api/entities/contact/records/${ada._id}/history`)).body.data.length === 1);
    expect((await server.call('GET', `/api/entities/contact/records/${ada._id}/history`)).body.data[0]).toMatchObject({ type: 'created', channel: 'import' });
    const page = await server.call('GET', `/api/imports/${res.body.id}/problems?limit=5`);
    expect(page.body.data).toHaveLength(5);
    expect((await server.call('GET', `/api/imports/${res.body.id}/problems?after=${page.body.nextAfter}`)).body.data).toHaveLength(4);
  });
});

describe('mappings, upserts and progress', () => {
  it('saves a mapping, reuses it, and upserts by a unique field', async () => {
    const saved = await server.call('PUT', '/api/entities/contact/import-mappings/crmExport', { columns: { 'Full name': 'name', 'E-mail': 'email', Notes: 'notes' }, upsertBy: 'email' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await server.call('GET', '/api/entities/contact/import-mappings')).body.data.map((m: { name: string }) => m.name)).toContain('crmExport');
    const res = await importCsv('Full name,E-mail,Notes\nAda Lovelace,ada@x.org,updated by import\nNew Person,new@x.org,=SUM(A1:A9)\n', { mapping: 'crmExport' });
    expect(res.body).toMatchObject({ status: 'done', created: 1, updated: 1, failed: 0 });
    const ada = (await server.call('GET', `/api/entities/contact/records?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ada@x.org' }))}`)).body.data;
    expect(ada).toEqual([expect.objectContaining({ name: 'Ada Lovelace', notes: 'updated by import', score: 5 })]);
    // A formula-looking cell is stored as the text it is (neutralised when exported).
    const made = (await server.call('GET', `/api/entities/contact/records?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'new@x.org' }))}`)).body.data[0];
    expect(made.notes).toBe('=SUM(A1:A9)');
    expectProblem(await importCsv('a\n1\n', { mapping: 'nope' }), 404);
  });

  it('shows progress while a large file streams in', async () => {
    const id = '0123456789abcdef01234567';
    const rows = Array.from({ length: 4000 }, (_, i) => `P${i},p${i}@bulk.example,2001-01-01,Acme,${i},active,no`);
    const encoder = new TextEncoder();
    let sent = 0;
    const seen: number[] = [];
    const stream = new ReadableStream({
      async pull(controller) {
        if (sent === 0) controller.enqueue(encoder.encode('Name,Email,Birthday,Account,Score,Status,VIP\n'));
        if (sent >= rows.length) return controller.close();
        controller.enqueue(encoder.encode(rows.slice(sent, sent + 1000).join('\n') + '\n'));
        sent += 1000;
        await new Promise((r) => setTimeout(r, 150));
        const progress = await server.call('GET', `/api/imports/${id}`);
        if (progress.status === 200) seen.push(progress.body.rowsRead);
      },
    });
    const res = await importCsv(stream, { columns: JSON.stringify(COLUMNS), id });
    expect(res.body).toMatchObject({ status: 'done', rowsRead: 4000, created: 4000, failed: 0 });
    expect(seen.some((n) => n > 0 && n < 4000)).toBe(true);
  }, 60_000);
});

describe('refusals', () => {
  it('refuses mappings to system, unknown, hidden or computed fields, with pointers', async () => {
    const res = await importCsv('a,b,c,d\n1,2,3,4\n', { columns: JSON.stringify({ a: '_id', b: 'ownerId', c: '__proto__', d: 'nope' }) });
    expectProblem(res, 422, ['/columns/a', '/columns/b', '/columns/c', '/columns/d']);
    expectProblem(await importCsv('a\n1\n', { columns: JSON.stringify({ a: { field: 'name', match: 'x' } }) }), 422, ['/columns/a/match']);
    expectProblem(await importCsv('a\n1\n', { columns: 'not json' }), 400, ['/columns']);
  });

  it('reports a malformed file, a huge cell and too many columns by row, never a 500', async () => {
    const unclosed = await importCsv('Name,Email\nOk,ok1@m.example\n"Broken,ok2@m.example\n', { columns: JSON.stringify({ Name: 'name', Email: 'email' }) });
    expect(unclosed.status).toBe(422);
    expect(unclosed.body.status).toBe('failed');
    expect(unclosed.body.problems.at(-1)).toMatchObject({ row: expect.any(Number), column: null, reason: expect.stringContaining('not valid CSV') });
    const huge = await importCsv(`Name\n${'x'.repeat(1_100_000)}\n`, { columns: JSON.stringify({ Name: 'name' }) });
    expect(huge.status).toBe(422);
    expect(huge.body.problems[0]).toMatchObject({ row: 2, column: null });
    const wide = await importCsv(`${Array.from({ length: 600 }, (_, i) => `c${i}`).join(',')}\n1\n`, { columns: JSON.stringify({ c0: 'name' }) });
    expect(wide.body.problems[0]).toMatchObject({ row: 1, reason: expect.stringContaining('600 columns') });
    const missing = await importCsv('Other\n1\n', { columns: JSON.stringify({ Name: 'name' }) });
    expect(missing.body.problems[0]).toMatchObject({ row: 1, reason: expect.stringContaining('"Name"') });
  });

  it('needs create permission, and a CSV body', async () => {
    const reader = await issueUserToken(server, { roles: [{ name: 'contactReader', label: 'Reader', entities: { contact: { read: true, scope: 'all' } } }] });
    expectProblem(await importCsv('Name\nX\n', { columns: JSON.stringify({ Name: 'name' }) }, { authorization: `Bearer ${reader}` }), 403);
    expectProblem(await importCsv('{"a": 1}', { columns: JSON.stringify({ Name: 'name' }) }, { 'content-type': 'application/json' }), 415);
    const hidden = await issueUserToken(server, { roles: [{ name: 'noNotes', label: 'No notes', entities: { contact: { read: true, create: true, scope: 'all', fields: { notes: 'hidden' } } } }] });
    expectProblem(await importCsv('Name,Notes\nX,y\n', { columns: JSON.stringify({ Name: 'name', Notes: 'notes' }) }, { authorization: `Bearer ${hidden}` }), 422, ['/columns/Notes']);
  });
});
