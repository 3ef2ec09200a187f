/**
 * The JSON files in schemas/ are the source of truth; this writes their TypeScript types
 * (`npm run schemas:types`). `generate-types.test.ts` fails when the committed types drift.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

export const GENERATED = [
  { schema: 'entity.schema.json', output: 'server/metadata/entity.types.ts' },
  { schema: 'role.schema.json', output: 'server/auth/role.types.ts' },
  { schema: 'plugin-manifest.schema.json', output: 'server/plugins/manifest.types.ts' },
  { schema: 'workflow.schema.json', output: 'server/workflows/workflow.types.ts' },
  { schema: 'template.schema.json', output: 'server/templates/template.types.ts' },
  { schema: 'duplicate-rule.schema.json', output: 'server/duplicates/duplicate-rule.types.ts' },
  { schema: 'form.schema.json', output: 'server/ui/form.types.ts' },
  { schema: 'view.schema.json', output: 'server/ui/view.types.ts' },
  { schema: 'dashboard.schema.json', output: 'server/ui/dashboard.types.ts' },
  { schema: 'pack.schema.json', output: 'server/packs/pack.types.ts' },
] as const;

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function renderTypes(schemaFile: string): Promise<string> {
  const schema = JSON.parse(await readFile(root + 'schemas/' + schemaFile, 'utf8')) as JSONSchema;
  return compile(schema, schema.title ?? schemaFile, {
    bannerComment: `/* Generated from schemas/${schemaFile} by schemas/tools/generate-types.ts; do not edit. */`,
    additionalProperties: false,
    unknownAny: true,
    ignoreMinAndMaxItems: true,
    style: { singleQuote: true, printWidth: 120 },
    cwd: root + 'schemas',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { schema, output } of GENERATED) {
    await writeFile(root + output, await renderTypes(schema));
    console.log(`wrote ${output}`);
  }
}
