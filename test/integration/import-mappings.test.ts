/**
 * Issue 5, CSV import: saved mappings reused, upserts and updates by a unique field, relations
 * resolved by a field of the target (or by id, ignoring case for names, never to a record the
 * importer cannot read), addresses and names from several columns, US dates and semicolons,
 * and progress visible while a larger file streams in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, expectProblem, getRecord, waitFor } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';

let server: AppServer;
const ids: Record<string, string> = {};

type Query = Record<string, string>;
async function importCsv(entity: string, csv: string | ReadableStream, query: Query, token = server.adminToken) {
  const res = await fetch(`${server.base}/api/entities/${entity}/imports?${new URLSearchParams(query).toString()}`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, body: csv, ...(typeof csv === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}
const columns = (c: Record<string, unknown>) => ({ columns: JSON.stringify(c) });
const byEmail = async (email: string) => (await server.call('GET', `/api/entities/member/records?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: email }))}&expand=account,owner`)).body.data[0];

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', fields: [{ name: 'name', type: 'text' }, { name: 'region', type: 'text' }] });
  await defineEntity(server, { name: 'person', label: 'Person', pluralLabel: 'People', titleField: 'email', fields: [{ name: 'email', type: 'email', unique: true }, { name: 'secret', type: 'text' }] });
  await defineEntity(server, {
    name: 'member', label: 'Member', pluralLabel: 'Members', titleField: 'email',
    fields: [
      { name: 'name', type: 'fullName' }, { name: 'email', type: 'email', unique: true }, { name: 'notes', type: 'text' }, { name: 'joined', type: 'date' },
      { name: 'level', type: 'integer' }, { name: 'address', type: 'address' },
      { name: 'account', type: 'relation', target: 'account', onDelete: 'setNull' }, { name: 'owner', type: 'relation', target: 'person', onDelete: 'setNull' },
    ],
  });
  for (const name of ['Acme', 'ACME', 'Globex', 'Initech']) ids[name] = (await createRecord(server, 'account', { name, region: name === 'Initech' ? 'hidden' : 'open' }))._id;
  ids.pat = (await createRecord(server, 'person', { email: 'pat@owners.example', secret: 'swordfish' }))._id;
  ids.ada = (await createRecord(server, 'member', { name: { first: 'Ada', last: 'Lovelace' }, email: 'ada@x.org', notes: 'original', level: 1, address: { street: '12 St James Square', city: 'London' } }))._id;
});
afterAll(() => server?.stop());

describe('saved mappings', () => {
  it('are saved, listed, read, reused with options over them, and deleted', async () => {
    const body = { columns: { 'E-mail': 'email', Notes: 'notes', Level: 'level' }, upsertBy: 'email' };
    const first = await server.call('PUT', '/api/entities/member/import-mappings/crm-export', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ name: 'crm-export', entity: 'member', columns: body.columns, mode: 'upsert', upsertBy: 'email', dateOrder: 'dmy', delimiter: ',' });
    expect((await server.call('PUT', '/api/entities/member/import-mappings/crm-export', body)).status).toBe(200);
    expect((await server.call('GET', '/api/entities/member/import-mappings')).body.data.map((m: { name: string }) => m.name)).toEqual(['crm-export']);
    expect((await server.call('GET', '/api/entities/member/import-mappings/crm-export')).body.columns).toEqual(body.columns);

    const res = await importCsv('member', 'E-mail,Notes,Level,Extra\nada@x.org,updated by import,,x\nnew@x.org,=HYPERLINK("http://evil"),3,y\n', { mapping: 'crm-export' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ mapping: 'crm-export', mode: 'upsert', created: 1, updated: 1, failed: 0, unmappedColumns: ['Extra'] });
    // A blank cell leaves the stored value; the other parts of the record are untouched.
    expect(await byEmail('ada@x.org')).toMatchObject({ notes: 'updated by import', level: 1, address: { street: '12 St James Square', city: 'London' } });
    expect(await byEmail('new@x.org')).toMatchObject({ notes: '=HYPERLINK("http://evil")', level: 3 });
    // Options given with the import override the saved ones.
    const created = await importCsv('member', 'E-mail,Notes,Level\nada@x.org,again,\n', { mapping: 'crm-export', mode: 'create', upsertBy: '' });
    expectProblem(created, 422, ['/upsertBy']);

    expect((await server.call('DELETE', '/api/entities/member/import-mappings/crm-export')).status).toBe(204);
    expectProblem(await server.call('DELETE', '/api/entities/member/import-mappings/crm-export'), 404);
    expectProblem(await importCsv('member', 'E-mail\nx@x.org\n', { mapping: 'crm-export' }), 404);
    expectProblem(await server.call('PUT', '/api/entities/member/import-mappings/bad%20name', body), 400, ['/name']);
    expectProblem(await server.call('PUT', '/api/entities/member/import-mappings/plain', 'columns', { 'content-type': 'text/plain' }), 415);
  });
});

describe('upserts and updates', () => {
  it('upserts by a unique field: changed rows update, same rows are unchanged, new rows are created; history says import', async () => {
    const csv = 'Email,Notes\nADA@x.org,upserted\nada2@x.org,brand new\nnew@x.org,=HYPERLINK("http://evil")\n';
    const res = await importCsv('member', csv, { ...columns({ Email: 'email', Notes: 'notes' }), upsertBy: 'email' });
    expect(res.body).toMatchObject({ mode: 'upsert', created: 1, updated: 1, unchanged: 1, failed: 0 });
    await waitFor(async () => (await server.call('GET', `/api/entities/member/records/${ids.ada}/history`)).body.data.some((h: { channel: string }) => h.channel === 'import'));
    const history = (await server.call('GET', `/api/entities/member/records/${ids.ada}/history`)).body.data;
    expect(history.find((h: { channel: string }) => h.channel === 'import')).toMatchObject({ type: 'updated', channel: 'import' });
  });

  it('update mode changes matching records only, and reports the rows that match none', async () => {
    const res = await importCsv('member', 'Email,Level\nada@x.org,7\nnobody@x.org,2\n,3\n', { ...columns({ Email: 'email', Level: 'level' }), upsertBy: 'email', mode: 'update' });
    expect(res.body).toMatchObject({ mode: 'update', created: 0, updated: 1, failed: 2 });
    expect(res.body.problems).toEqual([
      { row: 3, column: 'Email', reason: 'no member has email "nobody@x.org"' },
      { row: 4, column: 'Email', reason: 'email is needed to find the record to update' },
    ]);
    expect((await getRecord(server, 'member', ids.ada)).level).toBe(7);
  });

  it('two rows of the file for one record: the second is reported', async () => {
    const res = await importCsv('member', 'Email,Level\nada@x.org,8\nAda@X.org,9\n', { ...columns({ Email: 'email', Level: 'level' }), upsertBy: 'email' });
    expect(res.body.problems).toEqual([{ row: 3, column: 'Email', reason: 'email "ada@x.org" is also in row 2' }]);
    expect((await getRecord(server, 'member', ids.ada)).level).toBe(8);
  });
});

describe('relations, composite fields and formats', () => {
  it('resolves relations by a field of the target (exact first, then any case), by id, and by email', async () => {
    const csv = [
      'Email,Account,Owner',
      'r1@x.org,Acme,PAT@owners.example',
      'r2@x.org,ACME,',
      'r3@x.org,globex,',
      'r5@x.org,acme,',
      'r6@x.org,Umbrella,nobody@owners.example',
    ].join('\n');
    const res = await importCsv('member', csv, columns({ Email: 'email', Account: { field: 'account', match: 'name' }, Owner: { field: 'owner', match: 'email' } }));
    expect(res.body.problems).toEqual([
      { row: 5, column: 'Account', reason: '"acme" matches more than one account' },
      { row: 6, column: 'Account', reason: 'no account has name "Umbrella"' },
      { row: 6, column: 'Owner', reason: 'no person has email "nobody@owners.example"' },
    ]);
    expect(await byEmail('r1@x.org')).toMatchObject({ account: { _id: ids.Acme }, owner: { _id: ids.pat } });
    expect((await byEmail('r2@x.org')).account._id).toBe(ids.ACME);
    expect((await byEmail('r3@x.org')).account._id).toBe(ids.Globex);
    const byId = await importCsv('member', `Email,Account\nr4@x.org,${ids.Globex}\nr7@x.org,${'0'.repeat(24)}\n`, columns({ Email: 'email', Account: 'account' }));
    expect(byId.body.problems).toEqual([{ row: 3, column: 'Account', reason: `no account has the id "${'0'.repeat(24)}"` }]);
    expect((await byEmail('r4@x.org')).account._id).toBe(ids.Globex);
  });

  it('links only to records the importer can read, as the API does', async () => {
    const token = await issueUserToken(server, { roles: [{ name: 'openAccounts', label: 'Open accounts', entities: { member: { read: true, create: true, scope: 'all' }, account: { read: true, scope: 'none', sharing: [{ filter: { field: 'region', op: 'eq', value: 'open' } }] }, person: { read: true, scope: 'all', fields: { secret: 'hidden' } } } }] });
    const res = await importCsv('member', 'Email,Account\ns1@x.org,Globex\ns2@x.org,Initech\n', columns({ Email: 'email', Account: { field: 'account', match: 'name' } }), token);
    expect(res.body).toMatchObject({ created: 1, problems: [{ row: 3, column: 'Account', reason: 'no account has name "Initech"' }] });
    // Matching by a field hidden from the importer would be a way to read it.
    expectProblem(await importCsv('member', 'Email,Owner\ns3@x.org,swordfish\n', columns({ Email: 'email', Owner: { field: 'owner', match: 'secret' } }), token), 422, ['/columns/Owner/match']);
  });

  it('fills an address and a name from several columns; an update by parts keeps the other parts', async () => {
    const cols = { Email: 'email', First: 'name.first', Last: 'name.last', Street: 'address.street', City: 'address.city', Country: 'address.country' };
    const res = await importCsv('member', 'Email,First,Last,Street,City,Country\nparts@x.org,Grace,Hopper,1 Navy Way,Arlington,us\n', columns(cols));
    expect(res.body).toMatchObject({ created: 1, failed: 0 });
    expect(await byEmail('parts@x.org')).toMatchObject({ name: { first: 'Grace', last: 'Hopper', display: 'Grace Hopper' }, address: { street: '1 Navy Way', city: 'Arlington', country: 'US' } });
    const update = await importCsv('member', 'Email,City\nada@x.org,Oxford\n', { ...columns({ Email: 'email', City: 'address.city' }), upsertBy: 'email' });
    expect(update.body).toMatchObject({ updated: 1, failed: 0 });
    expect((await getRecord(server, 'member', ids.ada)).address).toEqual({ street: '12 St James Square', city: 'Oxford' });
    const bad = await importCsv('member', 'Email,Country\nbad@x.org,Narnia\n', columns({ Email: 'email', Country: 'address.country' }));
    expect(bad.body.problems).toEqual([{ row: 2, column: 'Country', reason: 'address.country must match pattern "^[A-Z]{2}$"' }]);
    expectProblem(await importCsv('member', 'a\n1\n', columns({ a: 'address.planet' })), 422, ['/columns/a']);
  });

  it('reads US dates and semicolon-separated files when told to', async () => {
    const res = await importCsv('member', 'Email;Joined;Notes\nus@x.org;12/31/2025;"a; b"\n', { ...columns({ Email: 'email', Joined: 'joined', Notes: 'notes' }), dateOrder: 'mdy', delimiter: ';' });
    expect(res.body).toMatchObject({ created: 1, failed: 0 });
    expect(await byEmail('us@x.org')).toMatchObject({ joined: '2025-12-31', notes: 'a; b' });
  });
});

describe('progress', () => {
  it('is visible while a larger file streams in, and the import is listed', async () => {
    const id = '0123456789abcdef01234567';
    const rows = Array.from({ length: 3000 }, (_, i) => `p${i}@bulk.example,${i},Acme`);
    const encoder = new TextEncoder();
    let sent = 0;
    const seen: Array<{ status: string; rowsRead: number }> = [];
    const stream = new ReadableStream({
      async pull(controller) {
        if (sent === 0) controller.enqueue(encoder.encode('Email,Level,Account\n'));
        if (sent >= rows.length) return controller.close();
        controller.enqueue(encoder.encode(rows.slice(sent, sent + 1000).join('\n') + '\n'));
        sent += 1000;
        await new Promise((r) => setTimeout(r, 200));
        const progress = await server.call('GET', `/api/imports/${id}`);
        if (progress.status === 200) seen.push(progress.body);
        if (sent === 2000) expect((await server.call('GET', '/api/imports?status=running')).body.data.map((j: { id: string }) => j.id)).toContain(id);
      },
    });
    const res = await importCsv('member', stream, { ...columns({ Email: 'email', Level: 'level', Account: { field: 'account', match: 'name' } }), id });
    expect(res.body).toMatchObject({ id, status: 'done', rowsRead: 3000, created: 3000, failed: 0 });
    expect(seen.some((p) => p.status === 'running' && p.rowsRead > 0 && p.rowsRead < 3000)).toBe(true);
    expect((await server.call('GET', `/api/imports/${id}`)).body).toMatchObject({ status: 'done', rowsRead: 3000 });
    expect((await server.call('GET', '/api/imports?entity=member')).body.data[0]).toMatchObject({ id, status: 'done' });
  }, 60_000);
});
