import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin, type TestPlugin } from '../sdk/testing.ts';

let plugin: TestPlugin;
const sent: Array<{ url: string; init: { method?: string; headers?: Record<string, string>; body?: string } }> = [];
let status = 202;

beforeAll(async () => {
  plugin = await loadPlugin(new URL('.', import.meta.url), {
    settings: { url: 'https://accounting.example.org/hooks/rapport', apiKey: 'k-123' },
    http: (url, init) => (sent.push({ url, init }), { status }),
  });
});
afterAll(() => plugin.stop());

const invoice = { _id: '0000000000000000000000aa', _version: 3, number: 'INV-0042', total: { amount: '120.00', currency: 'GBP' } };

describe('accounting-webhook', () => {
  it('posts the invoice, the note and who sent it to the webhook, with the API key', async () => {
    expect(await plugin.call('send', { entity: 'invoice', record: invoice, input: { note: 'urgent' }, user: { id: 'u1' } })).toEqual({ message: 'Sent to accounting (HTTP 202)' });
    expect(sent[0]!.url).toBe('https://accounting.example.org/hooks/rapport');
    expect(sent[0]!.init.method).toBe('POST');
    expect(sent[0]!.init.headers).toMatchObject({ authorization: 'Bearer k-123', 'content-type': 'application/json' });
    expect(JSON.parse(sent[0]!.init.body!)).toEqual({ source: 'rapport', invoice, note: 'urgent', sentBy: 'u1' });
  });

  it('fails the action when accounting refuses, so the user sees it', async () => {
    status = 500;
    await expect(plugin.call('send', { entity: 'invoice', record: invoice, input: {}, user: { id: 'u1' } })).rejects.toMatchObject({ detail: expect.stringContaining('accounting answered HTTP 500') });
  });
});
