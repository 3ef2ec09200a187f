/**
 * File fields over HTTP: upload a raw body, attach it to a record by id, download the same bytes
 * as an attachment; size and type limits refuse uploads without leaving anything in GridFS, and
 * an id uploaded for another field, another entity or nothing at all cannot be attached.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startAppServer, type AppServer, type JsonResponse } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, storedRecords } from '../support/crm-fixture.ts';

let server: AppServer;

/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
const TEXT = Buffer.from('Meeting notes — café, naïve, 日本語\nline two\n', 'utf8');
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>', 'utf8');

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, {
    name: 'document',
    label: 'Document',
    pluralLabel: 'Documents',
    fields: [
      { name: 'title', type: 'text' },
      { name: 'attachment', type: 'file', maxSize: 1024, accept: ['image/png', 'text/plain'] },
      { name: 'contract', type: 'file', accept: ['application/pdf'] },
      { name: 'anything', type: 'file', maxSize: 65536 },
    ],
  });
  await defineEntity(server, {
    name: 'folder',
    label: 'Folder',
    pluralLabel: 'Folders',
    fields: [{ name: 'title', type: 'text' }, { name: 'attachment', type: 'file' }],
  });
});

afterAll(async () => {
  await server?.stop();
});

type Uploaded = { id: string; name: string; size: number; contentType: string };

async function upload(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<JsonResponse<Uploaded>> {
  const res = await fetch(`${server.base}/api/entities/${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${server.adminToken}`, ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function uploaded(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Uploaded> {
  const res = await upload(path, body, headers);
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

type RawResponse = { status: number; headers: http.IncomingHttpHeaders; text: string };

/**
 * A POST over node:http through `agent`, so a test controls which connection is reused (fetch
 * pools connections for the whole file). Fails after 3 s without an answer.
 */
function rawPost(agent: http.Agent, path: string, body: Buffer, contentType: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': contentType, 'content-length': String(body.length), authorization: `Bearer ${server.adminToken}` };
    const req = http.request(`${server.base}/api/entities/${path}`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(3000, () => req.destroy(new Error('no answer within 3 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const download = (entity: string, id: string, field: string) => fetch(`${server.base}/api/entities/${entity}/records/${id}/files/${field}`, { headers: { authorization: `Bearer ${server.adminToken}` } });

/** GridFS holds exactly as many files and chunks as before. */
async function gridFsCounts(): Promise<[number, number]> {
  return [await collection(server, 'files.files').countDocuments(), await collection(server, 'files.chunks').countDocuments()];
}

describe('upload, attach, download', () => {
  it('stores a PNG, attaches it by id and serves the same bytes as an attachment', async () => {
    const file = await uploaded('document/files/attachment?filename=pixel.png', PNG, { 'content-type': 'image/png' });
    expect(file).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), name: 'pixel.png', size: PNG.length, contentType: 'image/png' });

    const record = await createRecord(server, 'document', { title: 'Logo', attachment: file.id });
    expect(record.attachment).toEqual({ id: file.id, name: 'pixel.png', size: PNG.length, contentType: 'image/png' });
    expect((await getRecord(server, 'document', record._id)).attachment).toEqual(record.attachment);
    const stored = await collection(server, 'rec_document').findOne({ _id: new ObjectId(record._id) });
    expect(stored!.attachment).toEqual({ fileId: new ObjectId(file.id), name: 'pixel.png', size: PNG.length, contentType: 'image/png' });

    const res = await download('document', record._id, 'attachment');
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?pixel\.png"?$/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-type')).toMatch(/^image\/png/);
  });

  it('lets a file belong to one record only, but to a new record after a failed create', async () => {
    const file = await uploaded('document/files/attachment?filename=one.png', PNG, { 'content-type': 'image/png' });
    const first = await createRecord(server, 'document', { title: 'Owner', attachment: file.id });
    const second = await server.call('POST', '/api/entities/document/records', { title: 'Thief', attachment: file.id });
    expectProblem(second, 422, ['/attachment']);
    expect((await server.call('PATCH', `/api/entities/document/records/${first._id}`, { attachment: file.id })).status).toBe(200);
    // As a create that failed after the file was claimed leaves it: attached to a record that never existed.
    const other = await uploaded('document/files/attachment?filename=two.png', PNG, { 'content-type': 'image/png' });
    await collection(server, 'files.files').updateOne({ _id: new ObjectId(other.id) }, { $set: { 'metadata.attachedTo': new ObjectId() } });
    expect((await createRecord(server, 'document', { title: 'Retry', attachment: other.id })).attachment).toMatchObject({ id: other.id });
  });

  it('stores a UTF-8 text file set by PATCH and serves it back unchanged', async () => {
    const record = await createRecord(server, 'document', { title: 'Notes' });
    const file = await uploaded('document/files/attachment', TEXT, { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment; filename="notes.txt"' });
    expect(file).toMatchObject({ name: 'notes.txt', size: TEXT.length, contentType: 'text/plain' });
    const patched = await server.call('PATCH', `/api/entities/document/records/${record._id}`, { attachment: file.id });
    expect(patched.status).toBe(200);
    expect(patched.body.attachment).toEqual({ id: file.id, name: 'notes.txt', size: TEXT.length, contentType: 'text/plain' });
    const res = await download('document', record._id, 'attachment');
    expect(Buffer.from(await res.arrayBuffer()).equals(TEXT)).toBe(true);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?notes\.txt"?$/);
  });

  it('accepts a real PDF where only PDFs are accepted', async () => {
    const file = await uploaded('document/files/contract?filename=terms.pdf', PDF, { 'content-type': 'application/pdf' });
    expect(file.contentType).toBe('application/pdf');
    const record = await createRecord(server, 'document', { contract: file.id });
    const res = await download('document', record._id, 'contract');
    expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
  });

  it('replaces and clears a file: downloads follow the record', async () => {
    const first = await uploaded('document/files/anything?filename=a.txt', Buffer.from('first'), { 'content-type': 'text/plain' });
    const second = await uploaded('document/files/anything?filename=b.png', PNG, { 'content-type': 'image/png' });
    const record = await createRecord(server, 'document', { anything: first.id });
    await server.call('PATCH', `/api/entities/document/records/${record._id}`, { anything: second.id });
    const res = await download('document', record._id, 'anything');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    await server.call('PATCH', `/api/entities/document/records/${record._id}`, { anything: null });
    expect((await download('document', record._id, 'anything')).status).toBe(404);
  });

  it('answers 404 for a record without a file, a missing record and a field that is not a file', async () => {
    const record = await createRecord(server, 'document', { title: 'Empty' });
    expect((await download('document', record._id, 'attachment')).status).toBe(404);
    expect((await download('document', new ObjectId().toHexString(), 'attachment')).status).toBe(404);
    expect((await download('document', record._id, 'title')).status).toBe(404);
  });
});

describe('refused uploads leave nothing behind', () => {
  it('refuses a file over maxSize with 413', async () => {
    const before = await gridFsCounts();
    const big = Buffer.concat([PNG, Buffer.alloc(2048, 1)]);
    expect(expectProblem(await upload('document/files/attachment?filename=big.png', big, { 'content-type': 'image/png' }), 413).type).toMatch(/\/payload-too-large$/);
    expect(await gridFsCounts()).toEqual(before);
  });

  it('refuses a file over maxSize after streaming has begun (past the type sniffing) with 413', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await gridFsCounts();
      const res = await rawPost(agent, 'document/files/anything?filename=big.txt', Buffer.alloc(200 * 1024, 'a'), 'text/plain');
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await gridFsCounts()).toEqual(before);
    } finally {
      agent.destroy();
    }
  });

  it.each([
    ['413 (too large)', 'document/files/anything?filename=big.txt', 413],
    ['415 (refused type)', 'document/files/contract?filename=big.txt', 415],
  ])('keeps the connection usable after refusing an upload mid-stream with %s', async (_label, path, status) => {
    // One socket: the request after the refusal reuses the connection, unless the server closed it.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await rawPost(agent, path, Buffer.alloc(200 * 1024, 'a'), 'text/plain')).status).toBe(status);
      const next = await rawPost(agent, 'document/files/anything?filename=ok.txt', Buffer.from('hello'), 'text/plain');
      expect(next.status).toBe(201);
    } finally {
      agent.destroy();
    }
  });

  it('refuses an HTML file where PNG and text are accepted with 415', async () => {
    const before = await gridFsCounts();
    expect(expectProblem(await upload('document/files/attachment?filename=x.html', HTML, { 'content-type': 'text/html' }), 415).type).toMatch(/\/unsupported-media-type$/);
    expect(await gridFsCounts()).toEqual(before);
  });

  it('refuses a PNG renamed .pdf and declared application/pdf with 415: the content decides', async () => {
    const before = await gridFsCounts();
    expectProblem(await upload('document/files/contract?filename=invoice.pdf', PNG, { 'content-type': 'application/pdf' }), 415);
    expectProblem(await upload('document/files/contract?filename=invoice.pdf', TEXT, { 'content-type': 'application/pdf' }), 415);
    expect(await gridFsCounts()).toEqual(before);
  });

  it('refuses an empty file with 422', async () => {
    const before = await gridFsCounts();
    expectProblem(await upload('document/files/anything?filename=empty.txt', Buffer.alloc(0), { 'content-type': 'text/plain' }), 422);
    expect(await gridFsCounts()).toEqual(before);
  });

  it('answers 404 for an unknown entity, an unknown field and a field that is not a file', async () => {
    const before = await gridFsCounts();
    expectProblem(await upload('nope/files/attachment', PNG, { 'content-type': 'image/png' }), 404);
    expectProblem(await upload('document/files/nope', PNG, { 'content-type': 'image/png' }), 404);
    expectProblem(await upload('document/files/title', PNG, { 'content-type': 'image/png' }), 404);
    expect(await gridFsCounts()).toEqual(before);
  });
});

describe('attaching a file id', () => {
  it('refuses an id uploaded for another field, another entity, or never uploaded, with 422 at the field', async () => {
    const forContract = await uploaded('document/files/contract?filename=c.pdf', PDF, { 'content-type': 'application/pdf' });
    const forFolder = await uploaded('folder/files/attachment?filename=f.png', PNG, { 'content-type': 'image/png' });
    const forAttachment = await uploaded('document/files/attachment?filename=ok.png', PNG, { 'content-type': 'image/png' });
    const before = await storedRecords(server, 'document');
    for (const id of [forContract.id, forFolder.id, new ObjectId().toHexString(), 'not-a-file-id', '../../etc/passwd']) {
      expectProblem(await server.call('POST', '/api/entities/document/records', { title: 'Bad', attachment: id }), 422, ['/attachment']);
    }
    const record = await createRecord(server, 'document', { title: 'Good', attachment: forAttachment.id });
    expectProblem(await server.call('PATCH', `/api/entities/document/records/${record._id}`, { attachment: forFolder.id }), 422, ['/attachment']);
    expect((await getRecord(server, 'document', record._id)).attachment).toMatchObject({ id: forAttachment.id });
    expect((await storedRecords(server, 'document')).length).toBe(before.length + 1);
  });

  it('refuses a file summary object instead of an id', async () => {
    const file = await uploaded('document/files/attachment?filename=p.png', PNG, { 'content-type': 'image/png' });
    const body = { attachment: { id: file.id, name: 'evil.html', size: 1, contentType: 'text/html' } };
    expectProblem(await server.call('POST', '/api/entities/document/records', body), 422, ['/attachment']);
  });
});

describe('file names', () => {
  it('keeps only a safe base name of a path-traversal filename given in the query', async () => {
    const file = await uploaded(`document/files/anything?filename=${encodeURIComponent('../../etc/passwd')}`, TEXT, { 'content-type': 'text/plain' });
    expect(file.name).toBe('passwd');
    const gridFile = await collection(server, 'files.files').findOne({ _id: new ObjectId(file.id) });
    expect(gridFile!.filename).toBe('passwd');
    const record = await createRecord(server, 'document', { anything: file.id });
    expect(record.anything).toMatchObject({ name: 'passwd' });
    expect((await download('document', record._id, 'anything')).headers.get('content-disposition')).toMatch(/^attachment; filename="?passwd"?$/);
  });

  it('keeps only a safe base name of a Windows path in Content-Disposition', async () => {
    const file = await uploaded('document/files/anything', TEXT, { 'content-type': 'text/plain', 'content-disposition': 'attachment; filename="..\\..\\windows\\win.ini"' });
    expect(file.name).toBe('win.ini');
  });

  it('strips control characters and quotes that could split the download header', async () => {
    const file = await uploaded(`document/files/anything?filename=${encodeURIComponent('a"\r\nX-Evil: 1\r\n.txt')}`, TEXT, { 'content-type': 'text/plain' });
    expect(file.name).not.toMatch(/["\r\n]/);
    const record = await createRecord(server, 'document', { anything: file.id });
    const res = await download('document', record._id, 'anything');
    expect(res.headers.get('x-evil')).toBeNull();
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
  });
});
