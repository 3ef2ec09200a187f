/**
 * The `rapport` data commands (issue 9), run as a person would, each on its own database: a pack
 * installed and seeded from the command line, its configuration exported and imported into an
 * empty database (idempotently), and an administrator created.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../server/cli/rapport.mjs', import.meta.url));
let dir: string;

/** `rapport ...` against the embedded engine in `<dir>/<db>`. */
const rapport = (db: string, ...args: string[]) => run(process.execPath, [cli, ...args], { timeout: 120_000, env: { ...process.env, RAPPORT_DATA_DIR: join(dir, db), RAPPORT_EMBEDDED_MODE: 'in-process', LOG_LEVEL: '' } }).then(
  (r) => ({ code: 0, out: r.stdout + r.stderr }),
  (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: (e.stdout ?? '') + (e.stderr ?? '') }),
);

type Doc = Record<string, unknown> & { exportedAt?: string };
/** An export with each section in name order, without its date: what must match between databases. */
const comparable = (doc: Doc) => {
  const { exportedAt: _at, ...rest } = doc;
  const key = (item: Record<string, unknown>) => JSON.stringify([item.entity, item.name, (item.rule as { name?: string })?.name, (item.form as { name?: string })?.name, (item.view as { label?: string })?.label]);
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Array.isArray(v) ? [...(v as Array<Record<string, unknown>>)].sort((a, b) => key(a).localeCompare(key(b))) : v]));
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-cli-data-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('packs from the command line', () => {
  it('installs a pack with sample data, lists it, seeds more and creates an administrator', async () => {
    const installed = await rapport('staging', 'pack', 'install', 'hr', '--sample', '40', '--seed', '4');
    expect(installed.code, installed.out).toBe(0);
    expect(installed.out).toMatch(/^created \d+, updated 0, unchanged 0, conflicts 0/m);
    expect(installed.out).toMatch(/^sample: 40 records in /m);
    const list = await rapport('staging', 'pack', 'list');
    expect(list.out).toMatch(/^hr\s+installed 1\.0\.0\s+HR and staff records$/m);
    expect(list.out).toMatch(/^sales\s+not installed/m);
    const seeded = await rapport('staging', 'seed', 'hr', '25', '--seed', '8');
    expect(seeded.code, seeded.out).toBe(0);
    expect(seeded.out).toMatch(/^sample: 25 records in /m);
    const admin = await rapport('staging', 'admin', 'create', 'ops@example.org', '--password', 'a long password for ops');
    expect(admin.code, admin.out).toBe(0);
    expect(admin.out).toMatch(/^created administrator ops@example\.org/m);
    expect((await rapport('staging', 'admin', 'create', 'ops@example.org')).code).toBe(1);
    expect((await rapport('staging', 'pack', 'install', 'nope')).out).toContain('There is no pack "nope"');
  });
});

describe('metadata export and import', () => {
  it('moves the whole configuration into an empty database, and importing again changes nothing', async () => {
    const file = join(dir, 'staging.json');
    const exported = await rapport('staging', 'metadata', 'export', file);
    expect(exported.code, exported.out).toBe(0);
    const staging = JSON.parse(await readFile(file, 'utf8')) as Doc;
    expect(Object.keys(staging)).toEqual(expect.arrayContaining(['entities', 'roles', 'workflows', 'templates', 'duplicateRules', 'forms', 'views', 'dashboards']));
    expect((staging.entities as unknown[]).length).toBe(9);

    const imported = await rapport('production', 'metadata', 'import', file);
    expect(imported.code, imported.out).toBe(0);
    const total = ['entities', 'roles', 'workflows', 'templates', 'duplicateRules', 'forms', 'views', 'dashboards'].reduce((n, k) => n + (staging[k] as unknown[]).length, 0);
    expect(imported.out).toContain(`created ${total}, updated 0, unchanged 0, conflicts 0`);

    const again = await rapport('production', 'metadata', 'import', file);
    expect(again.out).toContain(`created 0, updated 0, unchanged ${total}, conflicts 0`);

    const back = join(dir, 'production.json');
    expect((await rapport('production', 'metadata', 'export', back)).code).toBe(0);
    expect(comparable(JSON.parse(await readFile(back, 'utf8')) as Doc)).toEqual(comparable(staging));
  });

  it('reports a conflict, keeps the target\'s version and exits with 2', async () => {
    const file = join(dir, 'staging.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as Doc & { roles: Array<Record<string, unknown>> };
    doc.roles = doc.roles.map((r) => (r.name === 'hr' ? { ...r, description: 'Changed in staging' } : r));
    const changed = join(dir, 'changed.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(changed, JSON.stringify(doc)));
    const res = await rapport('production', 'metadata', 'import', changed);
    expect(res.code).toBe(2);
    expect(res.out).toContain('conflict: role hr: a different version exists; yours is kept');
  });
});
