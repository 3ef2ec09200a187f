/**
 * Global search over HTTP (issue 8): one query across every entity the user can read, by words
 * of each entity's search fields and, for a phone number typed in any format, by the stored
 * E.164 number; always within the user's read scope and the fields they may see.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecord, expectProblem } from '../support/crm-fixture.ts';
import { startUiScenario, type UiScenario } from '../support/ui-fixture.ts';

let sc: UiScenario;
const ids: Record<string, string> = {};
type Hit = { entity: string; entityLabel: string; id: string; title: string; matched: string };
const search = async (q: string, who?: 'sam' | 'sid' | 'sue', extra = ''): Promise<Hit[]> => {
  const path = `/api/search?q=${encodeURIComponent(q)}${extra}`;
  const res = who ? await sc.as(who)('GET', path) : await sc.s.call('GET', path);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
};

beforeAll(async () => {
  sc = await startUiScenario();
  ids.acme = (await createRecord(sc.s, 'account', { name: 'Acme Trust' }))._id;
  ids.deal = (await createRecord(sc.s, 'deal', { title: 'Acme renewal', account: ids.acme }))._id;
  const own = async (user: 'sam' | 'sid', body: Record<string, unknown>) => {
    const res = await sc.as(user)('POST', '/api/entities/contact/records', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body._id as string;
  };
  ids.zed = await own('sam', { name: { first: 'Zed', last: 'Sampson' }, email: 'zed@example.org', phone: '+44 20 7183 8750', account: ids.acme });
  ids.zara = await own('sid', { name: { first: 'Zara', last: 'Sidwell' }, email: 'quokka@example.org', mobile: '+33 6 12 34 56 78' });
  for (let i = 1; i <= 6; i++) {
    await createRecord(sc.s, 'account', { name: `Capybara ${i}` });
    await createRecord(sc.s, 'deal', { title: `Capybara deal ${i}` });
  }
});
afterAll(async () => {
  await sc?.s.stop();
});

describe('GET /api/search', () => {
  it('finds records of every entity by the words of their search fields, with title and matched field', async () => {
    const hits = await search('acme');
    expect(hits).toEqual(expect.arrayContaining([
      { entity: 'account', entityLabel: 'Account', id: ids.acme, title: 'Acme Trust', matched: 'name' },
      { entity: 'deal', entityLabel: 'Deal', id: ids.deal, title: 'Acme renewal', matched: 'title' },
    ]));
    expect(hits).toHaveLength(2);
    expect(await search('zed samp')).toEqual([{ entity: 'contact', entityLabel: 'Contact', id: ids.zed, title: 'Zed Sampson', matched: 'name' }]);
    expect(await search('quokka@example')).toEqual([expect.objectContaining({ id: ids.zara, matched: 'email' })]);
    expect(await search('nothing matches this')).toEqual([]);
  });

  it('finds a contact by a phone number typed in another format', async () => {
    for (const typed of ['020 7183 8750', '+44 (20) 7183-8750', '02071838750']) {
      expect(await search(typed)).toEqual([{ entity: 'contact', entityLabel: 'Contact', id: ids.zed, title: 'Zed Sampson', matched: 'phone' }]);
    }
    // A phone field without a default country is matched by its national digits.
    expect(await search('06 12 34 56 78')).toEqual([expect.objectContaining({ id: ids.zara, matched: 'mobile' })]);
    expect(await search('7183')).toEqual([]);
  });

  it('stays within the user\'s read scope and the fields they may see', async () => {
    expect((await search('Sidwell', 'sam'))).toEqual([]);
    expect((await search('06 12 34 56 78', 'sam'))).toEqual([]);
    expect((await search('Sidwell', 'sid')).map((h) => h.id)).toEqual([ids.zara]);
    expect((await search('020 7183 8750', 'sam')).map((h) => h.id)).toEqual([ids.zed]);
    // sue reads every contact but not their email, and no deals.
    expect((await search('Sidwell', 'sue')).map((h) => h.id)).toEqual([ids.zara]);
    expect(await search('quokka', 'sue')).toEqual([]);
    expect((await search('acme', 'sue')).map((h) => h.entity)).toEqual(['account']);
  });

  it('caps the results, taking each entity in turn', async () => {
    const hits = await search('capybara', undefined, '&limit=4');
    expect(hits.map((h) => h.entity)).toEqual(['account', 'deal', 'account', 'deal']);
    expect(await search('capybara')).toHaveLength(12);
  });

  it('refuses a query of fewer than 2 or more than 200 characters, and a bad limit', async () => {
    for (const path of ['/api/search?q=a', '/api/search', `/api/search?q=${'x'.repeat(201)}`, '/api/search?q=%20%20a%20']) expectProblem(await sc.s.call('GET', path), 422, ['/q']);
    for (const limit of ['0', '51', 'x', '1.5']) expectProblem(await sc.s.call('GET', `/api/search?q=acme&limit=${limit}`), 422, ['/limit']);
    expectProblem(await sc.s.call('GET', '/api/search?q=acme&q=trust'), 422, ['/q']);
    expectProblem(await sc.s.call('GET', '/api/search?q=acme&entity=deal'), 422, ['/entity']);
    expect((await sc.s.call('GET', '/api/search?q=acme', undefined, {}, { anonymous: true })).status).toBe(401);
  });
});
