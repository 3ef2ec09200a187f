import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATED, renderTypes } from './generate-types.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('types generated from schemas/', () => {
  it.each(GENERATED)('$output matches $schema (run npm run schemas:types after changing a schema)', async ({ schema, output }) => {
    expect(await readFile(root + output, 'utf8')).toBe(await renderTypes(schema));
  });
});
