import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MongoClient, ObjectId } from 'mongodb';
import type { Benchmark } from './benchmark.types.ts';
import { getFreePort } from './engine-process.ts';
import { formatOps, formatRatio, formatTable } from './format-table.ts';
import { BENCH_ADMIN, tokenFor } from './records-access.ts';
import { createHttpClient } from './records-http.ts';
import { startServerChild, waitUntilIdle, type ServerChild } from './records-servers.ts';

// Issue 5, performance: a 100k-row CSV with two relation columns imported through the API, rows/s
// next to the engine's own insertMany of the same rows (the baseline, same run), and the server's
// peak memory for a 20k-row and a 100k-row file: it must not grow with the file.

const DB_NAME = 'rapport';
const SIZES = (process.env.BENCH_ROWS ?? '20000,100000').split(',').map(Number);
const ACCOUNTS = 500;
const REGIONS = 20;

const ENTITIES = [
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
const COLUMNS = { Name: 'name', Email: 'email', Score: 'score', Status: 'status', Joined: 'joined', Account: { field: 'account', match: 'name' }, Region: { field: 'region', match: 'code' } };

async function writeCsv(path: string, rows: number, tag: string): Promise<void> {
  const lines = ['Name,Email,Score,Status,Joined,Account,Region'];
  for (let i = 0; i < rows; i++) lines.push(`Person ${tag}${i},p${tag}${i}@import.example,${i % 100},${i % 3 ? 'lead' : 'customer'},2024-${String((i % 12) + 1).padStart(2, '0')}-15,Account ${i % ACCOUNTS},R${i % REGIONS}`);
  await writeFile(path, lines.join('\n') + '\n');
}

/** The highest RSS (kB) seen while `work` runs, sampled every 100 ms. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = 0;
  const sample = () => {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    peak = Math.max(peak, kb);
  };
  sample();
  const timer = setInterval(sample, 100);
  try {
    return { result: await work(), peakMb: peak / 1024 };
  } finally {
    clearInterval(timer);
    sample();
  }
}

function upload(server: ServerChild, token: string, path: string, dryRun = false): Promise<{ status: number; body: string }> {
  const url = new URL(`${server.base}/api/entities/contact/imports?columns=${encodeURIComponent(JSON.stringify(COLUMNS))}${dryRun ? '&dryRun=true' : ''}`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

export const benchmark: Benchmark = {
  description: 'CSV import: 100k rows with two relation columns through the API vs raw insertMany; server peak memory for 20k and 100k rows',
  async run() {
    console.log(`files of ${SIZES.join(' and ')} rows, ${ACCOUNTS} accounts and ${REGIONS} regions to match by name and code, node ${process.version}, ${cpus().length} cores`);
    const dir = await mkdtemp(join(tmpdir(), 'rapport-bench-import-'));
    const enginePort = await getFreePort();
    const server = await startServerChild({
      name: 'rapport', entry: 'server/main.ts', readyPath: '/readyz',
      // BENCH_PROFILE=<dir> writes a CPU profile of the server there when it stops.
      ...(process.env.BENCH_PROFILE ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] } : {}),
      env: { RAPPORT_DATA_DIR: join(dir, 'data'), RAPPORT_EMBEDDED_PORT: String(enginePort), RAPPORT_DB_NAME: DB_NAME, LOG_LEVEL: 'warn', MONGODB_URI: '', RAPPORT_ADMIN_EMAIL: BENCH_ADMIN.email, RAPPORT_ADMIN_PASSWORD: BENCH_ADMIN.password },
    });
    const token = await tokenFor(server.base, BENCH_ADMIN, ['admin']);
    const http = createHttpClient(server.base, 4, { authorization: `Bearer ${token}` });
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${enginePort}/?directConnection=true`);
    const db = client.db(DB_NAME);
    try {
      for (const definition of ENTITIES) await http.json('POST', '/api/metadata/entities', definition, 201);
      await http.json('POST', '/api/entities/account/records/bulk-create', { records: Array.from({ length: ACCOUNTS }, (_, i) => ({ name: `Account ${i}` })) });
      await http.json('POST', '/api/entities/region/records/bulk-create', { records: Array.from({ length: REGIONS }, (_, i) => ({ code: `R${i}` })) });
      /** One import of a new file of `size` rows: its table row (rows/s, time, the server's peak RSS, records created). */
      const importFile = async (size: number, tag: string, dryRun: boolean): Promise<string[]> => {
        const file = join(dir, `${tag}-${size}.csv`);
        await writeCsv(file, size, tag);
        await waitUntilIdle(server, { busyPct: 10 });
        const started = performance.now();
        const { result, peakMb } = await peakRss(server.pid, () => upload(server, token, file, dryRun));
        const seconds = (performance.now() - started) / 1000;
        const report = JSON.parse(result.body) as { created: number; failed: number };
        if (result.status !== 200 || report.failed) throw new Error(`import of ${size} rows: ${result.status} ${result.body.slice(0, 500)}`);
        const label = `${dryRun ? 'dry run, ' : ''}${size.toLocaleString('en-US')} rows (${((await stat(file)).size / 1e6).toFixed(1)} MB)`;
        return [label, formatOps(size / seconds), `${seconds.toFixed(1)} s`, `${peakMb.toFixed(0)} MB`, dryRun ? '0' : String(report.created)];
      };
      const rows: string[][] = [];
      for (const [n, size] of SIZES.entries()) rows.push(await importFile(size, `f${n}x`, false));
      // Dry runs of new files of both sizes: the whole import path with nothing stored, so the
      // memory it needs shows apart from the embedded engine's, which keeps the data it stores.
      const dry: string[][] = [];
      for (const [n, size] of SIZES.entries()) dry.push(await importFile(size, `d${n}x`, true));
      rows.push(...dry);
      // Baseline: the same number of contact documents straight into the engine, 500 at a time.
      await waitUntilIdle(server, { busyPct: 10 });
      const raw = db.collection('bench_raw_contacts');
      const size = SIZES.at(-1)!;
      const started = performance.now();
      for (let from = 0; from < size; from += 500) {
        await raw.insertMany(Array.from({ length: Math.min(500, size - from) }, (_, i) => ({ _id: new ObjectId(), name: `Person ${from + i}`, email: `r${from + i}@raw.example`, score: i % 100, status: 'lead', joined: new Date('2024-01-15'), account: new ObjectId(), region: new ObjectId(), createdAt: new Date(), _version: 1 })));
      }
      const rawRate = size / ((performance.now() - started) / 1000);
      const last = Number(rows[SIZES.length - 1]![1]!.replace(/,/g, ''));
      console.log('\n' + formatTable(['import through the API', 'rows/s', 'time', 'server peak RSS', 'created'], rows));
      console.log('\n' + formatTable(['baseline', 'rows/s', 'import vs baseline'], [[`insertMany of ${size.toLocaleString('en-US')} documents, 500 a batch, no checks`, formatOps(rawRate), formatRatio(last, rawRate)]]));
      console.log(`\ntargets:\n  >= 10,000 rows/s: ${last >= 10_000 ? 'met' : 'not met'} (${formatOps(last)} rows/s for ${size.toLocaleString('en-US')} rows)`);
      console.log(`  memory that does not grow with the file: dry-run peaks ${dry.map((r) => r[3]).join(' and ')} (the real imports' peaks include the rows the embedded engine now holds in memory)`);
    } finally {
      await client.close();
      http.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
