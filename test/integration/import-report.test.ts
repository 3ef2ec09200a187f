/**
 * Issue 5 acceptance, CSV import: a file with deliberately broken rows (bad dates, unknown and
 * ambiguous relation targets, duplicate unique keys in the file and in the database, values of
 * the wrong type, a missing required value, values the pipeline refuses) gets a report that
 * matches the breakage exactly; the dry run writes nothing; the real run applies the good rows,
 * stores them exactly as the API would, and reports the same problems for the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId, type Document } from 'mongodb';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, settled, storedRecords, waitFor } from '../support/crm-fixture.ts';

let server: AppServer;
let existingId = '';

const COLUMNS = {
  Name: 'name', Email: 'email', Birthday: 'birthday', Account: { field: 'account', match: 'name' }, Score: 'score',
  Status: 'status', VIP: 'vip', Phone: 'phone', Budget: 'budget', Tags: 'tags',
};
const HEADER = 'Name,Email,Birthday,Account,Score,Status,VIP,Phone,Budget,Tags';

async function importCsv(csv: string, query: Record<string, string>) {
  const res = await fetch(`${server.base}/api/entities/contact/imports?${new URLSearchParams(query).toString()}`, {
    method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv' }, body: csv,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', fields: [{ name: 'name', type: 'text' }] });
  await defineEntity(server, {
    name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
    fields: [
      { name: 'name', type: 'text', required: true }, { name: 'email', type: 'email', unique: true }, { name: 'birthday', type: 'date' },
      { name: 'account', type: 'relation', target: 'account', onDelete: 'setNull' }, { name: 'score', type: 'integer', min: 0 },
      { name: 'status', type: 'select', options: [{ value: 'active', label: 'Active' }, { value: 'lapsed', label: 'Lapsed' }], default: 'active' },
      { name: 'vip', type: 'boolean' }, { name: 'phone', type: 'phone' }, { name: 'budget', type: 'currency', currency: 'GBP' },
      { name: 'tags', type: 'multiSelect', options: [{ value: 'donor', label: 'Donor' }, { value: 'volunteer', label: 'Volunteer' }] },
    ],
  });
  for (const name of ['Acme', 'Twin', 'Twin']) await createRecord(server, 'account', { name });
  existingId = (await createRecord(server, 'contact', { name: 'Existing', email: 'existing@x.org' }))._id;
});
afterAll(() => server?.stop());

const BROKEN = [
  HEADER,
  'Ada,ada@x.org,10/12/1815,Acme,5,Active,yes,+44 20 7183 8750,£12.50,Donor;volunteer',
  'Bob,bob@x.org,31/02/2020,Acme,3,active,no,,,',
  'Cy,cy@x.org,2000-01-01,Nowhere Ltd,1,active,no,,,',
  'Di,ADA@x.org,2000-01-01,Acme,2,active,no,,,',
  'Ed,existing@x.org,,Acme,1,active,no,,,',
  'Fi,fi@x.org,,Acme,lots,unknown,maybe,,,',
  ',gi@x.org,,,,,,,,',
  'Hu,hu@x.org,,Twin,1,active,no,,,',
  '"Ivy ""the great""",ivy@x.org,,acme,9,lapsed,Y,,12.5 EUR,',
  '',
  'Jo,jo@x.org,,,-4,,,12345,,',
  'Ken,not-an-email,2001-13-01,Nobody,,,,,,',
  'Lu,lu@x.org,,,,,,,ten pounds,donor;gardener',
  // Cy's row was refused: the address it had is not taken, so this row may have it.
  'Cyril,cy@x.org,,,,,,,,',
].join('\r\n');

const EXPECTED = [
  { row: 3, column: 'Birthday', reason: '"31/02/2020" is not a date (use YYYY-MM-DD or DD/MM/YYYY)' },
  { row: 4, column: 'Account', reason: 'no account has name "Nowhere Ltd"' },
  { row: 5, column: 'Email', reason: 'email "ada@x.org" is also in row 2' },
  { row: 6, column: 'Email', reason: 'email "existing@x.org" is already used by contact <existing>' },
  { row: 7, column: 'Score', reason: '"lots" is not a number' },
  { row: 7, column: 'Status', reason: '"unknown" is not one of the options (active, lapsed)' },
  { row: 7, column: 'VIP', reason: '"maybe" is not yes or no' },
  { row: 8, column: 'Name', reason: 'name is required' },
  { row: 9, column: 'Account', reason: '"Twin" matches more than one account' },
  { row: 12, column: 'Score', reason: 'score must be >= 0' },
  { row: 12, column: 'Phone', reason: 'phone must be a valid phone number in international form (+country code)' },
  { row: 13, column: 'Email', reason: 'email must match format "email"' },
  { row: 13, column: 'Birthday', reason: '"2001-13-01" is not a date (use YYYY-MM-DD or DD/MM/YYYY)' },
  { row: 13, column: 'Account', reason: 'no account has name "Nobody"' },
  { row: 14, column: 'Budget', reason: '"ten pounds" is not an amount (e.g. 12.50 or 12.50 GBP)' },
  { row: 14, column: 'Tags', reason: '"gardener" is not one of the options (donor, volunteer)' },
];
/** What imports still remember of their unique values: nothing, once they have answered. */
const keysLeft = async () => (await server.engine.client.db('rapport').listCollections({ name: /^import_keys/ }, { nameOnly: true }).toArray()).map((c) => c.name);

const expected = () => EXPECTED.map((p) => ({ ...p, reason: p.reason.replace('<existing>', existingId) }));

describe('an import with broken rows', () => {
  let dryProblems: unknown[] = [];

  it('dry run: reports every problem by row, column and reason, and writes nothing', async () => {
    await settled(server, ['account', 'contact']);
    const before = await storedRecords(server, 'contact');
    const audit = await collection(server, 'audit_log').countDocuments({});
    const res = await importCsv(BROKEN, { columns: JSON.stringify(COLUMNS), dryRun: 'true' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get('location')).toBe(`/api/imports/${res.body.id}`);
    expect(res.body).toMatchObject({ dryRun: true, status: 'done', mode: 'create', rowsRead: 13, blankRows: 1, created: 3, updated: 0, failed: 10, problemsTotal: 16 });
    expect(res.body.problems).toEqual(expected());
    dryProblems = res.body.problems;
    expect(await storedRecords(server, 'contact')).toEqual(before);
    expect(await collection(server, 'audit_log').countDocuments({})).toBe(audit);
    expect(await keysLeft()).toEqual([]);
  });

  it('real run: applies the good rows, reports the same problems, history says import', async () => {
    const res = await importCsv(BROKEN, { columns: JSON.stringify(COLUMNS) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ dryRun: false, status: 'done', rowsRead: 13, created: 3, failed: 10, problemsTotal: 16 });
    expect(res.body.problems).toEqual(dryProblems);
    const list = (await server.call('GET', '/api/entities/contact/records?sort=name&expand=account')).body.data as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(list.map((c) => c.name)).toEqual(['Ada', 'Cyril', 'Existing', 'Ivy "the great"']);
    const ada = list.find((c) => c.name === 'Ada')!;
    expect(ada).toMatchObject({
      email: 'ada@x.org', birthday: '1815-12-10', score: 5, status: 'active', vip: true, phone: '+442071838750',
      budget: { amount: '12.50', currency: 'GBP' }, tags: ['donor', 'volunteer'], account: expect.objectContaining({ name: 'Acme' }),
    });
    expect(list.find((c) => c.name === 'Ivy "the great"')).toMatchObject({ status: 'lapsed', vip: true, score: 9, budget: { amount: '12.50', currency: 'EUR' }, account: expect.objectContaining({ name: 'Acme' }) });
    // The select's default applies as it would through the API.
    expect(list.find((c) => c.name === 'Cyril')).toMatchObject({ email: 'cy@x.org', status: 'active' });
    await waitFor(async () => (await server.call('GET', `/api/entities/contact/records/${ada._id}/history`)).body.data.length === 1);
    expect((await server.call('GET', `/api/entities/contact/records/${ada._id}/history`)).body.data[0]).toMatchObject({ type: 'created', channel: 'import' });
    expect(await keysLeft()).toEqual([]);
  });

  it('stores a record exactly as POST /records would', async () => {
    const values = { name: 'Zed', birthday: '1990-05-04', score: 3, status: 'lapsed', vip: false, phone: '+442071838750', budget: { amount: '7.00', currency: 'GBP' }, tags: ['donor'] };
    const api = await createRecord(server, 'contact', { ...values, email: 'zed-api@x.org' });
    const res = await importCsv(`${HEADER}\nZed,zed-csv@x.org,04/05/1990,,3,Lapsed,no,+44 20 7183 8750,7.00,donor\n`, { columns: JSON.stringify(COLUMNS) });
    expect(res.body).toMatchObject({ created: 1, failed: 0 });
    await settled(server, ['contact']);
    const docs = await storedRecords(server, 'contact');
    const strip = ({ _id, createdAt, updatedAt, email, _outbox, ...rest }: Document) => rest; // eslint-disable-line @typescript-eslint/no-unused-vars
    const [fromApi, fromCsv] = [docs.find((d) => d.email === 'zed-api@x.org')!, docs.find((d) => d.email === 'zed-csv@x.org')!];
    expect(strip(fromCsv)).toEqual(strip(fromApi));
    expect(String(fromApi._id)).toBe(api._id);
  });

  it('pages through the whole report', async () => {
    const res = await importCsv(BROKEN, { columns: JSON.stringify(COLUMNS), dryRun: 'true' });
    const first = await server.call('GET', `/api/imports/${res.body.id}/problems?limit=10`);
    expect(first.body.data).toHaveLength(10);
    const rest = await server.call('GET', `/api/imports/${res.body.id}/problems?after=${first.body.nextAfter}`);
    expect(rest.body).toEqual({ data: res.body.problems.slice(10), nextAfter: null });
  });
});

describe('a file longer than a batch', () => {
  it('reports duplicates and unknown targets across batches, the same in the dry and the real run', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => `P${i},p${i}@bulk.example,,${i === 698 ? 'Atlantis' : 'Acme'},,,,,,`);
    rows[1100] = 'Again,P0@bulk.example,,Acme,,,,,,';
    // Another record's address, in both batches: a row refused for it does not make it the file's.
    rows[5] = 'Ex1,existing@x.org,,Acme,,,,,,';
    rows[1150] = 'Ex2,EXISTING@x.org,,Acme,,,,,,';
    const csv = [HEADER, ...rows].join('\n');
    const taken = `email "existing@x.org" is already used by contact ${existingId}`;
    const want = [
      { row: 7, column: 'Email', reason: taken },
      { row: 700, column: 'Account', reason: 'no account has name "Atlantis"' },
      { row: 1102, column: 'Email', reason: 'email "p0@bulk.example" is also in row 2' },
      { row: 1152, column: 'Email', reason: taken },
    ];
    const dry = await importCsv(csv, { columns: JSON.stringify(COLUMNS), dryRun: 'true' });
    expect(dry.body).toMatchObject({ rowsRead: 1200, created: 1196, failed: 4, problems: want });
    const real = await importCsv(csv, { columns: JSON.stringify(COLUMNS) });
    expect(real.body).toMatchObject({ rowsRead: 1200, created: 1196, failed: 4, problems: want });
    expect(await collection(server, 'rec_contact').countDocuments({ email: /@bulk\.example$/ })).toBe(1196);
  }, 60_000);
});

describe('an import whose server stopped', () => {
  it('reads as failed once it has not moved for five minutes, and what it remembered of unique values is dropped', async () => {
    const id = new ObjectId();
    const sixMinutesAgo = new Date(Date.now() - 6 * 60_000);
    await collection(server, 'imports').insertOne({ _id: id, entity: 'contact', mapping: null, mode: 'create', dryRun: false, status: 'running', rowsRead: 500, created: 500, updated: 0, unchanged: 0, failed: 0, blankRows: 0, problemsTotal: 0, problems: [], unmappedColumns: [], by: 'admin', startedAt: sixMinutesAgo, updatedAt: sixMinutesAgo });
    await collection(server, `import_keys_${id.toHexString()}`).insertOne({ _id: 'email|"ada@x.org"', row: 2 } as unknown as Document);
    expect(await keysLeft()).toEqual([`import_keys_${id.toHexString()}`]);

    const res = await server.call('GET', `/api/imports/${id.toHexString()}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', created: 500, error: expect.stringContaining('the server stopped during this import') });
    expect(await keysLeft()).toEqual([]);
  });
});
