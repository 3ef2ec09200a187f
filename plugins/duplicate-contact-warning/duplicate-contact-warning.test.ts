import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin, type TestPlugin } from '../sdk/testing.ts';

let plugin: TestPlugin;
const existing = { name: 'Ada', email: 'ada@example.org' };

beforeAll(async () => {
  plugin = await loadPlugin(new URL('.', import.meta.url), { records: { contact: [existing] } });
});
afterAll(() => plugin.stop());

describe('duplicate-contact-warning', () => {
  it('refuses a new contact whose email is taken, whatever its case, naming the other contact', async () => {
    const result = (await plugin.call('beforeSave', { operation: 'create', entity: 'contact', values: { name: 'Ada 2', email: 'ADA@example.org' }, record: null, user: { id: 'u' } })) as { errors: Array<{ field: string; detail: string }> };
    expect(result.errors).toEqual([{ field: 'email', detail: `is already used by contact ${plugin.records.contact![0]!._id}` }]);
    expect(plugin.calls.at(-1)!.logs[0]!.text).toContain('refused a duplicate email');
  });

  it('lets a new email through, and an update that keeps the contact its own email', async () => {
    expect(await plugin.call('beforeSave', { operation: 'create', entity: 'contact', values: { email: 'grace@example.org' }, record: null, user: { id: 'u' } })).toBeNull();
    const own = plugin.records.contact![0]!;
    expect(await plugin.call('beforeSave', { operation: 'update', entity: 'contact', values: { email: own.email }, record: own, user: { id: 'u' } })).toBeNull();
  });
});
