/**
 * Issue 5, CSV import under attack: mappings to system or hostile names, hidden, read-only and
 * computed fields; formula cells; a malformed file, a huge row, too many columns, a declared size
 * over the limit, a body that is not CSV; an importer without create or update permission, or
 * whose scope does not cover the record an upsert would change; someone else's import.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';

let server: AppServer;

async function importCsv(csv: string, query: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}/api/entities/lead/imports?${new URLSearchParams(query).toString()}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv', ...headers }, body: csv,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const columns = (c: unknown) => ({ columns: JSON.stringify(c) });
const leads = (filter: Record<string, unknown> = {}) => collection(server, 'rec_lead').find(filter).toArray();

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, {
    name: 'lead', label: 'Lead', pluralLabel: 'Leads', titleField: 'name',
    fields: [
      { name: 'name', type: 'text', required: true }, { name: 'email', type: 'email', unique: true }, { name: 'notes', type: 'text' },
      { name: 'salary', type: 'number' }, { name: 'ref', type: 'autonumber', pattern: 'L-{0000}' }, { name: 'twice', type: 'formula', expression: 'salary * 2', resultType: 'number' },
    ],
  });
  await createRecord(server, 'lead', { name: 'Admin lead', email: 'boss@x.org', notes: 'not yours' });
});
afterAll(() => server?.stop());

describe('mappings', () => {
  it('refuses system, hostile, unknown and computed fields, each at its pointer', async () => {
    const res = await importCsv('a,b,c,d,e,f,g,h\n1,2,3,4,5,6,7,8\n', columns({ a: '_id', b: 'ownerId', c: '__proto__', d: '$where', e: 'createdBy', f: 'nope', g: 'ref', h: 'twice' }));
    const problem = expectProblem(res, 422, ['/columns/a', '/columns/b', '/columns/c', '/columns/d', '/columns/e', '/columns/f', '/columns/g', '/columns/h']);
    expect(problem.errors).toHaveLength(8);
    expectProblem(await importCsv('a\n1\n', columns({ a: { field: 'name', match: 'x' } })), 422, ['/columns/a/match']);
    expectProblem(await importCsv('a\n1\n', columns({ a: { field: 'name', $where: 'sleep(1000)' } })), 422, ['/columns/a']);
    expectProblem(await importCsv('a,b\n1,2\n', columns({ a: 'name', b: 'name' })), 422, ['/columns/b']);
    expectProblem(await importCsv('a\n1\n', { columns: 'not json' }), 400, ['/columns']);
    expectProblem(await importCsv('a\n1\n', {}), 400, ['/columns']);
    expectProblem(await importCsv('a\n1\n', { ...columns({ a: 'name' }), upsertBy: 'notes' }), 422, ['/upsertBy']);
    expect(await leads({ name: '1' })).toHaveLength(0);
  });

  it('reads a column named __proto__ or $where like any other, and stores formula cells as text', async () => {
    const csv = '__proto__,$where,Notes\nProto,p@x.org,=cmd|\' /C calc\'!A0\nWhere,w@x.org,+SUM(1;2)\nAt,at@x.org,@IMPORTXML(x)\n';
    const res = await importCsv(csv, { columns: '{"__proto__": "name", "$where": "email", "Notes": "notes"}' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ created: 3, failed: 0 });
    expect((await leads({ email: 'p@x.org' }))[0]).toMatchObject({ name: 'Proto', notes: "=cmd|' /C calc'!A0", ref: expect.stringMatching(/^L-\d{4}$/) });
    expect((await leads({ email: 'at@x.org' }))[0]).toMatchObject({ notes: '@IMPORTXML(x)' });
    expect(Object.prototype).not.toHaveProperty('field');
    const saved = await server.call('PUT', '/api/entities/lead/import-mappings/hostile', '{"columns": {"__proto__": "name", "a.b": "email", "$x": "notes"}}');
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    expect(Object.keys((await server.call('GET', '/api/entities/lead/import-mappings/hostile')).body.columns)).toEqual(['__proto__', 'a.b', '$x']);
  });
});

describe('files', () => {
  it('reports a malformed file at the row where it breaks, keeps the rows before it, never a 500', async () => {
    const res = await importCsv('Name,Email\nOk one,ok1@m.example\nOk two,ok2@m.example\n"Broken,ok3@m.example\nNever,never@m.example\n', columns({ Name: 'name', Email: 'email' }));
    const problem = expectProblem(res, 422);
    expect(problem.type).toBe('https://rapport.dev/problems/malformed-csv');
    expect(problem.detail).toMatch(/^Rows from 4 on were not imported: the file is not valid CSV there \(Quote Not Closed/);
    const job = await server.call('GET', res.headers.get('location')!);
    expect(job.body).toMatchObject({ status: 'failed', rowsRead: 2, created: 2, failed: 0, problems: [{ row: 4, column: null, reason: problem.detail }] });
    expect((await leads({ email: /@m\.example$/ })).map((l) => l.name)).toEqual(['Ok one', 'Ok two']);
  });

  it('refuses a huge row and too many columns cleanly', async () => {
    const huge = await importCsv(`Name\nfirst\n${'x'.repeat(1_100_000)}\n`, columns({ Name: 'name' }));
    expect(expectProblem(huge, 422).detail).toMatch(/^Rows from 3 on were not imported: .*Max Record Size/);
    const wide = await importCsv(`${Array.from({ length: 600 }, (_, i) => `c${i}`).join(',')}\n1\n`, columns({ c0: 'name' }));
    expect(expectProblem(wide, 422).detail).toBe('The file has 600 columns; an import reads at most 500');
    // A row far wider than its header: cells past the header are not kept.
    const ragged = await importCsv(`Name\nragged${','.repeat(200_000)}\n`, columns({ Name: 'name' }));
    expect(ragged.body).toMatchObject({ created: 1, failed: 0 });
    const missing = await importCsv('Other\n1\n', columns({ Name: 'name', Email: 'email' }));
    expect(expectProblem(missing, 422, ['/columns/Name', '/columns/Email']).type).toBe('https://rapport.dev/problems/import-columns-missing');
  });

  it('refuses a body that is not CSV (415) and a declared size over the limit (413) before reading it', async () => {
    expectProblem(await importCsv('{"a": 1}', columns({ a: 'name' }), { 'content-type': 'application/json' }), 415);
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${server.base}/api/entities/lead/imports?${new URLSearchParams(columns({ Name: 'name' })).toString()}`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv', 'content-length': String(300 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('Name\nx\n');
    });
    expect(status).toBe(413);
  });
});

describe('permissions', () => {
  it('needs create permission, update permission to upsert, and keeps to field permissions', async () => {
    const reader = await issueUserToken(server, { roles: [{ name: 'leadReader', label: 'Reader', entities: { lead: { read: true, scope: 'all' } } }] });
    expectProblem(await importCsv('Name\nX\n', columns({ Name: 'name' }), { authorization: `Bearer ${reader}` }), 403);
    const creator = await issueUserToken(server, { roles: [{ name: 'leadCreator', label: 'Creator', entities: { lead: { read: true, create: true, scope: 'all', fields: { salary: 'hidden', notes: 'read' } } } }] });
    expectProblem(await importCsv('Name,Email\nX,x@x.org\n', { ...columns({ Name: 'name', Email: 'email' }), upsertBy: 'email' }, { authorization: `Bearer ${creator}` }), 403);
    const fields = await importCsv('Name,Salary,Notes\nX,1,y\n', columns({ Name: 'name', Salary: 'salary', Notes: 'notes' }), { authorization: `Bearer ${creator}` });
    expect(expectProblem(fields, 422, ['/columns/Salary', '/columns/Notes']).errors).toEqual([
      { pointer: '/columns/Salary', detail: 'must name a field of lead' },
      { pointer: '/columns/Notes', detail: 'notes cannot be imported into' },
    ]);
    expectProblem(await importCsv('Name\nX\n', columns({ Name: 'name' }), { authorization: `Bearer ${reader}`, 'content-type': 'text/csv' }), 403);
  });

  it('an upsert never changes a record outside the importer\'s scope', async () => {
    const own = await issueUserToken(server, { roles: [{ name: 'ownLeads', label: 'Own leads', entities: { lead: { read: true, create: true, update: true, scope: 'own' } } }] });
    const res = await importCsv('Name,Email\nHijack,boss@x.org\nMine,mine@x.org\n', { ...columns({ Name: 'name', Email: 'email' }), upsertBy: 'email' }, { authorization: `Bearer ${own}` });
    expect(res.body).toMatchObject({ created: 1, updated: 0, failed: 1, problems: [{ row: 2, column: 'Email', reason: 'email "boss@x.org" is already used by a record you cannot see' }] });
    expect((await leads({ email: 'boss@x.org' }))[0]).toMatchObject({ name: 'Admin lead', notes: 'not yours' });

    const readAll = await issueUserToken(server, { roles: [{ name: 'readAllEditOwn', label: 'Read all, edit own', entities: { lead: { read: true, create: true, update: true, scope: 'own', sharing: [{ filter: { field: 'name', op: 'eq', value: 'Admin lead' }, access: 'read' }] } } }] });
    const seen = await importCsv('Name,Email\nHijack,boss@x.org\n', { ...columns({ Name: 'name', Email: 'email' }), upsertBy: 'email' }, { authorization: `Bearer ${readAll}` });
    expect(seen.body.problems).toEqual([{ row: 2, column: 'Email', reason: expect.stringMatching(/^you may read lead [0-9a-f]{24} but not change it$/) }]);
    expect((await leads({ email: 'boss@x.org' }))[0]).toMatchObject({ name: 'Admin lead' });
  });

  it('shows an import and its report to the one who ran it and to administrators only', async () => {
    const creator = await issueUserToken(server, { roles: [{ name: 'leadMaker', label: 'Maker', entities: { lead: { read: true, create: true, scope: 'all' } } }] });
    const other = await issueUserToken(server, { roles: [{ name: 'leadMaker2', label: 'Maker 2', entities: { lead: { read: true, create: true, scope: 'all' } } }] });
    const res = await importCsv('Name\nMade\n', { ...columns({ Name: 'name' }), dryRun: 'true' }, { authorization: `Bearer ${creator}` });
    expect(res.status).toBe(201);
    const path = `/api/imports/${res.body.id}`;
    expect((await server.call('GET', path, undefined, { authorization: `Bearer ${creator}` })).status).toBe(200);
    expectProblem(await server.call('GET', path, undefined, { authorization: `Bearer ${other}` }), 404);
    expectProblem(await server.call('GET', `${path}/problems`, undefined, { authorization: `Bearer ${other}` }), 404);
    expect((await server.call('GET', '/api/imports', undefined, { authorization: `Bearer ${other}` })).body.data).toEqual([]);
    expect((await server.call('GET', path)).status).toBe(200);
  });
});
