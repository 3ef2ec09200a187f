/**
 * Reading a plugin from its folder (`plugins/<id>/`): plugin.json checked against
 * schemas/plugin-manifest.schema.json, and the one entry file. The folder name must be the id.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { createAjv } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { pluginProblems } from './plugins.problems.ts';
import type { PluginManifest } from './manifest.types.ts';

const MAX_CODE_BYTES = 1_000_000;
const ID = /^[a-z][a-z0-9-]{1,62}$/;

const schema = JSON.parse(readFileSync(new URL('../../schemas/plugin-manifest.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const validate = createAjv().compile(schema);

export type PluginSource = { manifest: PluginManifest; code: string };

const invalid = (detail: string, errors?: FieldError[]) => pluginProblems.invalidPlugin.create({ detail, ...(errors ? { errors } : {}) });

export function checkManifest(value: unknown): PluginManifest {
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map((e) => ({ pointer: e.instancePath + (e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : ''), detail: e.message ?? 'is invalid' }));
    throw invalid(`plugin.json is not valid: ${errors[0]?.pointer || '/'} ${errors[0]?.detail}`, errors);
  }
  return value as PluginManifest;
}

/** The plugin in `<root>/<id>/`. */
export async function readPluginFolder(root: string, id: string): Promise<PluginSource> {
  if (!ID.test(id)) throw invalid('A plugin id is lower case letters, digits and dashes', [{ pointer: '/id', detail: 'must be a plugin id' }]);
  const folder = resolve(root, id);
  const text = await readFile(join(folder, 'plugin.json'), 'utf8').catch(() => {
    throw pluginProblems.pluginNotFound.create({ detail: `There is no plugins/${id}/plugin.json` });
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid('plugin.json is not JSON');
  }
  const manifest = checkManifest(parsed);
  if (manifest.id !== id) throw invalid(`plugin.json says id ${manifest.id}, but the folder is ${id}`, [{ pointer: '/id', detail: `must be ${id}` }]);
  const entry = join(folder, manifest.entry);
  const size = (await stat(entry).catch(() => null))?.size;
  if (size === undefined) throw invalid(`The entry file ${manifest.entry} is missing`, [{ pointer: '/entry', detail: 'is not a file in the plugin folder' }]);
  if (size > MAX_CODE_BYTES) throw invalid(`The entry file is over ${MAX_CODE_BYTES} bytes`);
  return { manifest, code: await readFile(entry, 'utf8') };
}

/** An uploaded bundle: `{manifest, code}`, checked like a folder. */
export function checkBundle(bundle: unknown): PluginSource {
  const { manifest, code } = (bundle ?? {}) as { manifest?: unknown; code?: unknown };
  const checked = checkManifest(manifest);
  if (typeof code !== 'string' || code.length === 0) throw invalid('The bundle needs its code as a string', [{ pointer: '/bundle/code', detail: 'is required' }]);
  if (Buffer.byteLength(code) > MAX_CODE_BYTES) throw invalid(`The code is over ${MAX_CODE_BYTES} bytes`, [{ pointer: '/bundle/code', detail: 'is too large' }]);
  return { manifest: checked, code };
}

/** The valid plugin folders under `root`, for the studio's "available" list; a folder that does not read cleanly is left out. */
export async function listPluginFolders(root: string): Promise<PluginManifest[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const found = await Promise.all(entries.filter((e) => e.isDirectory() && ID.test(e.name)).map((e) => readPluginFolder(root, e.name).then((p) => p.manifest, () => null)));
  return found.filter((m): m is PluginManifest => m !== null).sort((a, b) => a.name.localeCompare(b.name));
}
