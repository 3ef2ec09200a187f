/** What `rapport plugin new <id>` writes: a working before-save hook and a test of it. */
/** `sdk`: the path from the plugin's folder to plugins/sdk (without a trailing slash). */
export function pluginFiles(id: string, entity: string, sdk = '../sdk'): Record<string, string> {
  const manifest = {
    id, version: '0.1.0', name: id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' '),
    description: `Checks ${entity} records before they are saved.`, entry: 'index.js',
    settings: { type: 'object', additionalProperties: false, properties: { minLength: { type: 'integer', minimum: 1, default: 2 } } },
    capabilities: [`records:read:${entity}`],
    hooks: [{ event: 'beforeSave', entity, handler: 'beforeSave' }],
  };
  return {
    'plugin.json': JSON.stringify(manifest, null, 2) + '\n',
    'index.js': `/* global rapport */
/// <reference path="${sdk}/rapport-sdk.d.ts" />
// Runs in an isolated-vm isolate: it can reach only \`rapport\` (the SDK) and \`console\`.
module.exports = {
  /** @param {import('${sdk}/rapport-sdk').BeforeSaveEvent} event @returns {Promise<import('${sdk}/rapport-sdk').HookResult>} */
  async beforeSave({ values }) {
    const { minLength = 2 } = await rapport.settings();
    if (typeof values.name === 'string' && values.name.trim().length < minLength) {
      return { errors: [{ field: 'name', detail: \`must be at least \${minLength} characters\` }] };
    }
    return undefined;
  },
};
`,
    [`${id}.test.ts`]: `import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadPlugin, type TestPlugin } from '${sdk}/testing.ts';

let plugin: TestPlugin;
beforeAll(async () => {
  plugin = await loadPlugin(new URL('.', import.meta.url), { settings: { minLength: 3 } });
});
afterAll(() => plugin.stop());

it('refuses a name shorter than the setting, and lets a longer one through', async () => {
  const event = (name: string) => ({ operation: 'create', entity: '${entity}', values: { name }, record: null, user: { id: 'u' } });
  expect(await plugin.call('beforeSave', event('Al'))).toEqual({ errors: [{ field: 'name', detail: 'must be at least 3 characters' }] });
  expect(await plugin.call('beforeSave', event('Alan'))).toBeNull();
});
`,
  };
}
