/** `rapport plugin new` scaffolds a plugin that installs and whose test passes; `rapport plugin test` runs it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkManifest } from '../../server/plugins/plugin-source.ts';
import { loadPlugin } from '../../plugins/sdk/testing.ts';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../server/cli/rapport.mjs', import.meta.url));
let dir: string;

const rapport = (...args: string[]) => run(process.execPath, [cli, ...args], { timeout: 60_000 }).then(
  (r) => ({ code: 0, out: r.stdout + r.stderr }),
  (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: (e.stdout ?? '') + (e.stderr ?? '') }),
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('rapport plugin new', () => {
  it('writes a valid manifest, a hook and a test, for the entity asked', async () => {
    const made = await rapport('plugin', 'new', 'gift-check', '--entity', 'donation', '--dir', dir);
    expect(made.code, made.out).toBe(0);
    expect((await readdir(join(dir, 'gift-check'))).sort()).toEqual(['gift-check.test.ts', 'index.js', 'plugin.json']);
    const manifest = checkManifest(JSON.parse(await readFile(join(dir, 'gift-check', 'plugin.json'), 'utf8')));
    expect(manifest).toMatchObject({ id: 'gift-check', capabilities: ['records:read:donation'], hooks: [{ event: 'beforeSave', entity: 'donation', handler: 'beforeSave' }] });
    const plugin = await loadPlugin(join(dir, 'gift-check'), { settings: { minLength: 4 } });
    try {
      expect(await plugin.call('beforeSave', { operation: 'create', entity: 'donation', values: { name: 'abc' }, record: null, user: { id: 'u' } })).toEqual({ errors: [{ field: 'name', detail: 'must be at least 4 characters' }] });
    } finally {
      await plugin.stop();
    }
  });

  it('refuses a bad id, a bad entity and an existing folder, writing nothing', async () => {
    expect((await rapport('plugin', 'new', 'Bad_Id', '--dir', dir)).code).toBe(1);
    expect((await rapport('plugin', 'new', 'fine-id', '--entity', 'Not An Entity', '--dir', dir)).code).toBe(1);
    expect((await rapport('plugin', 'new', 'gift-check', '--dir', dir)).out).toContain('already exists');
    expect((await readdir(dir)).sort()).toEqual(['gift-check']);
  });
});

describe('rapport plugin test', () => {
  it("runs the scaffolded plugin's test and passes", async () => {
    const tested = await rapport('plugin', 'test', 'gift-check', '--dir', dir);
    expect(tested.code, tested.out).toBe(0);
    expect(tested.out).toMatch(/1 passed/);
  });
});
