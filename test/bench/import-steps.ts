import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, Document } from 'mongodb';
import type { HttpClient } from './records-http.ts';

// The pieces of the import benchmark (issue 5): the data set, the upload, memory readings, the baseline.

export const ACCOUNTS = 500;
export const REGIONS = 20;

export const ENTITIES = [
  { name: 'account', label: 'Account', pluralLabel: 'Accounts', fields: [{ name: 'name', type: 'text' }] },
  { name: 'region', label: 'Region', pluralLabel: 'Regions', fields: [{ name: 'code', type: 'text', unique: true }] },
  {
    name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name',
    fields: [
      { name: 'name', type: 'text', required: true }, { name: 'email', type: 'email', unique: true }, { name: 'score', type: 'integer' },
      { name: 'status', type: 'select', options: [{ value: 'lead', label: 'Lead' }, { value: 'customer', label: 'Customer' }] }, { name: 'joined', type: 'date' },
      { name: 'account', type: 'relation', target: 'account', onDelete: 'setNull' }, { name: 'region', type: 'relation', target: 'region', onDelete: 'setNull' },
    ],
  },
];
export const COLUMNS = { Name: 'name', Email: 'email', Score: 'score', Status: 'status', Joined: 'joined', Account: { field: 'account', match: 'name' }, Region: { field: 'region', match: 'code' } };

/** The entities and the records the relation columns name. */
export async function seed(http: HttpClient): Promise<void> {
  for (const definition of ENTITIES) await http.json('POST', '/api/metadata/entities', definition, 201);
  await http.json('POST', '/api/entities/account/records/bulk-create', { records: Array.from({ length: ACCOUNTS }, (_, i) => ({ name: `Account ${i}` })) });
  await http.json('POST', '/api/entities/region/records/bulk-create', { records: Array.from({ length: REGIONS }, (_, i) => ({ code: `R${i}` })) });
}

/** A CSV of `rows` contacts, each naming an account (by name) and a region (by code); `tag` keeps emails unique across files. */
export async function writeCsv(path: string, rows: number, tag: string): Promise<void> {
  const lines = ['Name,Email,Score,Status,Joined,Account,Region'];
  for (let i = 0; i < rows; i++) lines.push(`Person ${tag}${i},p${tag}${i}@import.example,${i % 100},${i % 3 ? 'Lead' : 'customer'},${String((i % 28) + 1).padStart(2, '0')}/${String((i % 12) + 1).padStart(2, '0')}/2024,Account ${i % ACCOUNTS},R${i % REGIONS}`);
  await writeFile(path, lines.join('\n') + '\n');
}

export type ImportReport = { status: number; body: { id?: string; created?: number; failed?: number; problems?: unknown[] } & Record<string, unknown> };

/** POSTs the file as a stream, as a browser or curl would; resolves with the finished import. */
export function upload(base: string, token: string, path: string, dryRun: boolean): Promise<ImportReport> {
  const url = new URL(`${base}/api/entities/contact/imports?columns=${encodeURIComponent(JSON.stringify(COLUMNS))}${dryRun ? '&dryRun=true' : ''}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as ImportReport['body'] }));
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

const statusOf = (pid: number, key: 'VmRSS' | 'VmHWM'): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Resident memory now (MB). */
export const rssMb = (pid: number): number => statusOf(pid, 'VmRSS');

/**
 * The highest resident memory (MB) of `pid` while `work` runs: the kernel's high-water mark, reset
 * first (/proc/<pid>/clear_refs), so memory an earlier step left resident does not count; sampled
 * as well, in case the reset is not allowed.
 */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    reset = false;
  }
  let sampled = rssMb(pid);
  const timer = setInterval(() => (sampled = Math.max(sampled, rssMb(pid))), 50);
  try {
    const result = await work();
    return { result, peakMb: Math.max(sampled, reset ? statusOf(pid, 'VmHWM') : 0) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Seconds until the outbox dispatcher has delivered every event of the contacts (audit entries
 * included), from their records or their batch's document. Events leave in the order they were
 * announced, so the newest contact is watched (one indexed read), then a last look over all of
 * them: polling a full count would load the engine it measures.
 */
export async function eventsDelivered(db: Db, started: number): Promise<number> {
  const contacts = db.collection('rec_contact');
  for (;;) {
    const newest = await contacts.findOne({}, { sort: { _id: -1 }, projection: { _outbox: 1 } });
    const pending = newest?._outbox?.length || (await contacts.findOne({ '_outbox.0': { $exists: true } }, { projection: { _id: 1 } }));
    // New records' events wait in a batch document of their own until delivered (audit/outbox-batches.ts).
    if (!pending && !(await db.collection('outbox_batches').findOne({}, { projection: { _id: 1 } }))) return (performance.now() - started) / 1000;
    await sleep(250);
  }
}

/**
 * The baseline: the documents the import stored (events left out), written again through the
 * driver into a new collection with the same indexes, 500 per insertMany: the engine's own cost
 * of storing them, without the pipeline. Only the inserts are timed.
 */
export async function insertManyBaseline(db: Db): Promise<{ rows: number; seconds: number }> {
  const source = db.collection('rec_contact');
  const target = db.collection('bench_baseline_contacts');
  await target.drop().catch(() => undefined);
  for (const index of await source.listIndexes().toArray()) {
    if (index.name === '_id_') continue;
    const { key, name, v: _v, ...options } = index as Document;
    await target.createIndex(key as Document, { ...options, name: name as string });
  }
  let rows = 0;
  let ms = 0;
  let batch: Document[] = [];
  const flush = async () => {
    const started = performance.now();
    await target.insertMany(batch, { ordered: false });
    ms += performance.now() - started;
    rows += batch.length;
    batch = [];
  };
  for await (const doc of source.find({}, { projection: { _outbox: 0 }, batchSize: 500 })) {
    batch.push(doc);
    if (batch.length === 500) await flush();
  }
  if (batch.length) await flush();
  return { rows, seconds: ms / 1000 };
}

/**
 * A record's field history with every import's audit entries in the log (a document per batch),
 * next to a GET of the same record in the same run: milliseconds per request (median of `times`,
 * one at a time), for the oldest contact (its entry is the furthest from the newest) and the newest.
 */
export async function historyTimes(http: HttpClient, db: Db, times = 30): Promise<{ auditDocuments: number; getMs: number; historyMs: number }> {
  const contacts = db.collection('rec_contact');
  const ids = (await Promise.all([contacts.findOne({}, { sort: { _id: 1 } }), contacts.findOne({}, { sort: { _id: -1 } })])).map((d) => String(d!._id));
  const median = async (path: (id: string) => string, check: (body: { data?: unknown[] }) => boolean): Promise<number> => {
    const ms: number[] = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      const body = await http.json<{ data?: unknown[] }>('GET', path(ids[i % 2]!));
      ms.push(performance.now() - started);
      if (!check(body)) throw new Error(`GET ${path(ids[i % 2]!)} answered ${JSON.stringify(body).slice(0, 200)}`);
    }
    return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
  };
  const record = (id: string) => `/api/entities/contact/records/${id}`;
  return { auditDocuments: await db.collection('audit_log').estimatedDocumentCount(), getMs: await median(record, () => true), historyMs: await median((id) => `${record(id)}/history`, (body) => (body.data?.length ?? 0) > 0) };
}
