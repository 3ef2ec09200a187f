/** GET /api/plugins also lists what plugins/ offers, and a plugin carries its settings schema: what the studio's plugin screen builds on (issue 8). */
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';

let s: AppServer;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rapport-plugin-catalog-'));
  await cp(new URL('../../plugins/lead-score', import.meta.url), join(dir, 'lead-score'), { recursive: true });
  // A folder whose manifest does not validate is not offered.
  await mkdir(join(dir, 'broken'));
  await writeFile(join(dir, 'broken', 'plugin.json'), '{"id": "broken"}');
  s = await startAppServer({ pluginsDir: dir });
}, 60_000);
afterAll(async () => {
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

it('offers the valid plugin folders, with the version installed now', async () => {
  const before = await s.call('GET', '/api/plugins');
  expect(before.body.data).toEqual([]);
  expect(before.body.available).toEqual([expect.objectContaining({ id: 'lead-score', version: '1.0.0', capabilities: ['records:read:activity'], installedVersion: null })]);
  expect((await s.call('POST', '/api/plugins', { id: 'lead-score' })).status).toBe(201);
  const after = await s.call('GET', '/api/plugins');
  expect(after.body.available[0].installedVersion).toBe('1.0.0');
  expect(after.body.data[0].settingsSchema.properties.pointsPerActivity).toMatchObject({ type: 'integer', minimum: 1, maximum: 50 });
});
