import { strict as assert } from 'node:assert';
import { signedIn } from './smoke-checks.ts';

/**
 * Issue 6's main path: install the duplicate-contact-warning example from plugins/, grant and
 * enable it, and see its before-save hook (worker process, isolated-vm isolate, SDK call back to
 * the server) refuse a duplicate.
 */
export async function checkPluginHook(base: string): Promise<string> {
  const send = await signedIn(base);
  const expect = async (res: Promise<Response>, status: number, what: string) => {
    const r = await res;
    const text = await r.text();
    assert(r.status === status, `${what} answered ${r.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  await expect(send('POST', '/api/metadata/entities', { name: 'contact', label: 'Contact', pluralLabel: 'Contacts', fields: [{ name: 'name', type: 'text' }, { name: 'email', type: 'email' }] }), 201, 'defining contact');
  await expect(send('POST', '/api/plugins', { id: 'duplicate-contact-warning' }), 201, 'installing the plugin');
  await expect(send('PUT', '/api/plugins/duplicate-contact-warning/grants', { grants: ['records:read:contact'] }), 200, 'granting');
  await expect(send('POST', '/api/plugins/duplicate-contact-warning/enable'), 200, 'enabling');
  await expect(send('POST', '/api/entities/contact/records', { name: 'Ada', email: 'ada@example.org' }), 201, 'the first contact');
  const refused = await expect(send('POST', '/api/entities/contact/records', { name: 'Ada', email: 'ada@example.org' }), 422, 'the duplicate');
  return `the hook refused the duplicate: ${JSON.stringify((refused.errors as unknown[])?.[0])}`;
}
