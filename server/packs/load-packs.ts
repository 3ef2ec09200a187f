/**
 * Reading packs from schemas/packs/<name>/ (issue 9): pack.json (checked against the manifest
 * part of schemas/pack.schema.json), then the section files it includes, joined into one document
 * and checked against the whole schema. Problems point into the file that has them.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import packSchema from '../../schemas/pack.schema.json' with { type: 'json' };
import { createAjv } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import type { PackDocument } from './pack.types.ts';
import { packProblems } from './packs.problems.ts';

export type PackManifest = Pick<PackDocument, 'name' | 'label' | 'description'> & { version: string; include: string[] };

const NAME = /^[a-z][a-z0-9-]{1,39}$/;
const SECTIONS = ['entities', 'roles', 'templates', 'workflows', 'duplicateRules', 'plugins', 'forms', 'views', 'dashboards'] as const;

let validators: { document: ValidateFunction; manifest: ValidateFunction } | undefined;

function compiled() {
  if (!validators) {
    const ajv = createAjv();
    ajv.addSchema(packSchema);
    validators = { document: ajv.getSchema(packSchema.$id)!, manifest: ajv.getSchema(`${packSchema.$id}#/$defs/manifest`)! };
  }
  return validators;
}

const toFieldError = (prefix: string) => (e: ErrorObject): FieldError => {
  const extra = e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : e.keyword === 'additionalProperties' ? `/${String(e.params.additionalProperty)}` : '';
  const detail = e.keyword === 'required' ? 'is required' : e.keyword === 'additionalProperties' ? 'is not allowed' : e.message ?? 'is invalid';
  return { pointer: `${prefix}${e.instancePath}${extra}`, detail };
};

function fail(errors: FieldError[]): never {
  throw packProblems.invalidPack.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors: errors.slice(0, 50) });
}

/** A configuration document (a pack joined from its files, or an export read from one file), checked. */
export function checkDocument(value: unknown, source = ''): PackDocument {
  const { document } = compiled();
  if (!document(value)) fail((document.errors ?? []).map(toFieldError(source)));
  return value as PackDocument;
}

async function readJson(file: string, label: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    return fail([{ pointer: label, detail: err instanceof SyntaxError ? `is not JSON: ${err.message}` : 'cannot be read' }]);
  }
}

export async function readManifest(dir: string, name: string): Promise<PackManifest> {
  if (!NAME.test(name) || !existsSync(join(dir, name, 'pack.json'))) throw packProblems.packNotFound.create({ detail: `There is no pack "${name}"` });
  const manifest = await readJson(join(dir, name, 'pack.json'), `${name}/pack.json`);
  const { manifest: check } = compiled();
  if (!check(manifest)) fail((check.errors ?? []).map(toFieldError(`${name}/pack.json#`)));
  if ((manifest as PackManifest).name !== name) fail([{ pointer: `${name}/pack.json#/name`, detail: `must be "${name}", the name of its folder` }]);
  return manifest as PackManifest;
}

/** The pack's document: its manifest with the sections of every file it includes. */
export async function loadPack(dir: string, name: string): Promise<PackDocument> {
  const { include, ...about } = await readManifest(dir, name);
  const doc: Record<string, unknown> = { ...about };
  for (const file of include) {
    const part = await readJson(join(dir, name, file), `${name}/${file}`);
    if (!part || typeof part !== 'object' || Array.isArray(part)) fail([{ pointer: `${name}/${file}#`, detail: 'must be an object of sections' }]);
    for (const [key, value] of Object.entries(part as Record<string, unknown>)) {
      if (key === 'sample') doc.sample = value;
      else if ((SECTIONS as readonly string[]).includes(key) && Array.isArray(value)) doc[key] = [...((doc[key] as unknown[] | undefined) ?? []), ...value];
      else fail([{ pointer: `${name}/${file}#/${key}`, detail: `is not a section (${SECTIONS.join(', ')}, sample) holding a list` }]);
    }
  }
  return checkDocument(doc, `${name}#`);
}

/** The names of the packs in `dir` (folders with a pack.json). */
export async function packNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && NAME.test(e.name) && existsSync(join(dir, e.name, 'pack.json'))).map((e) => e.name).sort();
}
