/**
 * The default templates shipped as files (issue 7): `templates/<kind>/<name>.<part>.hbs`, with
 * an optional `<name>.json` beside them for label, description and entity. They are version 0 of
 * their name: an administrator's saved version replaces a default, and deleting it brings the
 * default back. Files that do not make a valid template are skipped with a warning.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../shared/logger.ts';
import type { TemplateDefinition } from './template.types.ts';
import { PART_NAMES, type PartName } from './template-source.ts';
import { validateTemplate } from './validate-template.ts';

const KINDS: ReadonlyArray<TemplateDefinition['kind']> = ['email', 'document', 'title', 'partial'];
const FILE = /^([a-z][a-zA-Z0-9]*(?:[-_][a-zA-Z0-9]+)*)\.(subject|html|text)\.hbs$/;

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

function readKind(dir: string, kind: TemplateDefinition['kind']): Map<string, TemplateDefinition> {
  const found = new Map<string, TemplateDefinition>();
  for (const file of list(join(dir, kind))) {
    const m = FILE.exec(file);
    if (!m) continue;
    const [, name, part] = m as unknown as [string, string, PartName];
    const def = found.get(name) ?? { name, kind, parts: {} };
    // Files end with a newline that belongs to the file, not to the template (a partial would insert it).
    const text = readFileSync(join(dir, kind, file), 'utf8').replace(/\r?\n$/, '');
    def.parts[part] = part === 'subject' || kind === 'title' ? text.trim() : text;
    found.set(name, def);
  }
  for (const [name, def] of found) {
    if (!list(join(dir, kind)).includes(`${name}.json`)) continue;
    const meta = JSON.parse(readFileSync(join(dir, kind, `${name}.json`), 'utf8')) as Pick<TemplateDefinition, 'label' | 'description' | 'entity'>;
    found.set(name, { name, kind, ...meta, parts: Object.fromEntries(PART_NAMES.filter((p) => def.parts[p] !== undefined).map((p) => [p, def.parts[p]])) });
  }
  return found;
}

export function loadDefaultTemplates(dir: string, logger: Logger): Map<string, TemplateDefinition> {
  const all = new Map<string, TemplateDefinition>();
  for (const kind of KINDS) {
    for (const [name, def] of readKind(dir, kind)) {
      const checked = validateTemplate(def);
      if (!checked.ok) logger.warn({ template: name, errors: checked.errors }, 'default template skipped: it is not valid');
      else if (all.has(name)) logger.warn({ template: name }, 'default template skipped: another kind has the same name');
      else all.set(name, checked.definition);
    }
  }
  return all;
}
