/** The records API over HTTP: CRUD, optimistic concurrency, bulk, lists, search, count, group-by. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';

let s: AppServer;
const filter = (f: unknown) => encodeURIComponent(JSON.stringify(f));

beforeAll(async () => {
  s = await startAppServer();
  const created = await s.call('POST', '/api/metadata/entities', {
    name: 'case', label: 'Case', pluralLabel: 'Cases', titleField: 'number', searchFields: ['subject', 'client'],
    fields: [
      { name: 'number', type: 'autonumber', pattern: 'CASE-{00000}' },
      { name: 'subject', type: 'text', required: true, maxLength: 80 },
      { name: 'client', type: 'fullName' },
      { name: 'status', type: 'select', default: 'open', options: [{ value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }, { value: 'legacy', label: 'Legacy', retired: true }] },
      { name: 'resolution', type: 'longText', requiredWhen: { field: 'status', op: 'eq', value: 'closed' } },
      { name: 'hours', type: 'number', precision: 1, min: 0 },
      { name: 'opened', type: 'date' },
      { name: 'tags', type: 'multiSelect', options: [{ value: 'urgent', label: 'Urgent' }, { value: 'vip', label: 'VIP' }] },
    ],
  });
  expect(created.status).toBe(201);
});
afterAll(async () => s.stop());

describe('single records', () => {
  it('creates with defaults and an autonumber, reads back, and versions every change', async () => {
    const made = await s.call('POST', '/api/entities/case/records', { subject: 'Housing benefit', client: { first: 'Zoë', last: 'Ámbar' }, hours: 1.5 });
    expect(made.status).toBe(201);
    expect(made.headers.get('location')).toBe(`/api/entities/case/records/${made.body._id}`);
    expect(made.body).toMatchObject({ number: expect.stringMatching(/^CASE-\d{5}$/), status: 'open', _version: 1, tags: [] });
    const read = await s.call('GET', `/api/entities/case/records/${made.body._id}`);
    expect(read.body).toEqual(made.body);
    expect(read.headers.get('etag')).toBe('"1"');
    const patched = await s.call('PATCH', `/api/entities/case/records/${made.body._id}`, { hours: 2 });
    expect(patched.body).toMatchObject({ hours: 2, subject: 'Housing benefit', _version: 2 });
  });

  it('applies required-when on the merged record', async () => {
    const made = await s.call('POST', '/api/entities/case/records', { subject: 'Debt advice' });
    const closing = await s.call('PATCH', `/api/entities/case/records/${made.body._id}`, { status: 'closed' });
    expect(closing.status).toBe(422);
    expect(closing.body.errors).toEqual([{ pointer: '/resolution', detail: 'is required when status eq "closed"' }]);
    const closed = await s.call('PATCH', `/api/entities/case/records/${made.body._id}`, { status: 'closed', resolution: 'Paid' });
    expect(closed.status).toBe(200);
  });

  it('refuses retired options for new values', async () => {
    const res = await s.call('POST', '/api/entities/case/records', { subject: 'x', status: 'legacy' });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].pointer).toBe('/status');
  });

  it('PUT replaces: writable fields left out are cleared; PATCH with null clears one', async () => {
    const made = await s.call('POST', '/api/entities/case/records', { subject: 'Replace me', hours: 3, opened: '2026-01-31' });
    const put = await s.call('PUT', `/api/entities/case/records/${made.body._id}`, { subject: 'Replaced', status: 'open' });
    expect(put.body).toMatchObject({ subject: 'Replaced', hours: null, opened: null, number: made.body.number });
    const cleared = await s.call('PATCH', `/api/entities/case/records/${made.body._id}`, { status: null });
    expect(cleared.body.status).toBeNull();
    expect((await s.call('PATCH', `/api/entities/case/records/${made.body._id}`, { subject: null })).body.errors).toEqual([{ pointer: '/subject', detail: 'is required' }]);
  });

  it('answers a stale If-Match with 412 and loses no concurrent update without one', async () => {
    const made = await s.call('POST', '/api/entities/case/records', { subject: 'Race', hours: 0 });
    const url = `/api/entities/case/records/${made.body._id}`;
    expect((await s.call('PATCH', url, { hours: 1 }, { 'if-match': '"1"' })).status).toBe(200);
    const stale = await s.call('PATCH', url, { hours: 5 }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
    expect((await s.call('DELETE', url, undefined, { 'if-match': '"1"' })).status).toBe(412);
    // Concurrent patches of different fields of the same records: neither overwrites the other.
    const made2 = await Promise.all(Array.from({ length: 8 }, (_, i) => s.call('POST', '/api/entities/case/records', { subject: `Race ${i}` })));
    await Promise.all(made2.flatMap(({ body }, i) => [
      s.call('PATCH', `/api/entities/case/records/${body._id}`, { hours: i }),
      s.call('PATCH', `/api/entities/case/records/${body._id}`, { resolution: `r${i}` }),
      s.call('PATCH', `/api/entities/case/records/${body._id}`, { tags: ['vip'] }),
    ]));
    for (const [i, { body }] of made2.entries()) {
      const final = await s.call('GET', `/api/entities/case/records/${body._id}`);
      expect(final.body).toMatchObject({ hours: i, resolution: `r${i}`, tags: ['vip'], _version: 4 });
    }
  });

  it('deletes, and a deleted record is gone', async () => {
    const made = await s.call('POST', '/api/entities/case/records', { subject: 'Bye' });
    expect((await s.call('DELETE', `/api/entities/case/records/${made.body._id}`)).status).toBe(204);
    expect((await s.call('GET', `/api/entities/case/records/${made.body._id}`)).status).toBe(404);
  });
});

describe('bulk', () => {
  it('gives a result per item and writes the good ones', async () => {
    const res = await s.call('POST', '/api/entities/case/records/bulk-create', { records: [{ subject: 'B1' }, { subject: '' , hours: -1 }, { subject: 'B3' }] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ succeeded: 2, failed: 1 });
    expect(res.body.results[1]).toMatchObject({ index: 1, status: 422, problem: { errors: [{ pointer: '/records/1/hours', detail: 'must be >= 0' }] } });
    const ids = [res.body.results[0].record._id, res.body.results[2].record._id];
    const upd = await s.call('POST', '/api/entities/case/records/bulk-update', { records: [{ _id: ids[0], hours: 4 }, { _id: ids[1], _version: 9, hours: 4 }] });
    expect(upd.body.results.map((r: { status: number }) => r.status)).toEqual([200, 412]);
    const del = await s.call('POST', '/api/entities/case/records/bulk-delete', { ids: [ids[0], 'nope'] });
    expect(del.body.results.map((r: { status: number }) => r.status)).toEqual([204, 404]);
  });
});

describe('lists', () => {
  beforeAll(async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ subject: `List item ${i}`, hours: i % 7, tags: i % 3 === 0 ? ['urgent'] : [], opened: `2026-0${1 + (i % 3)}-1${i % 10}` }));
    await s.call('POST', '/api/entities/case/records/bulk-create', { records: rows });
  });

  it('filters, sorts, projects and pages with a cursor without gaps or repeats', async () => {
    const f = filter({ and: [{ field: 'subject', op: 'startsWith', value: 'list item' }, { field: 'hours', op: 'gte', value: 3 }] });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Array<{ subject: string; hours: number }>; nextCursor: string | null } } = await s.call('GET', `/api/entities/case/records?filter=${f}&sort=-hours,subject&limit=4&fields=subject,hours${cursor ? `&cursor=${cursor}` : ''}`);
      for (const r of page.body.data) {
        expect(Object.keys(r).sort()).toEqual(['_id', '_version', 'hours', 'subject']);
        seen.push(`${r.hours}:${r.subject}`);
      }
      cursor = page.body.nextCursor;
    } while (cursor);
    const expected = Array.from({ length: 30 }, (_, i) => ({ h: i % 7, s: `List item ${i}` })).filter((r) => r.h >= 3)
      .sort((a, b) => b.h - a.h || (a.s < b.s ? -1 : 1)).map((r) => `${r.h}:${r.s}`);
    expect(seen).toEqual(expected);
  });

  it('counts with the same filter, and POST /query takes the filter as JSON', async () => {
    const f = { field: 'tags', op: 'containsAny', value: ['urgent'] };
    const count = await s.call('GET', `/api/entities/case/records/count?filter=${filter(f)}`);
    expect(count.body.count).toBe(10);
    const listed = await s.call('POST', '/api/entities/case/records/query', { filter: f, limit: 200 });
    expect(listed.body.data).toHaveLength(10);
  });

  it('searches the search fields by word prefix, ignoring case and accents', async () => {
    await s.call('POST', '/api/entities/case/records', { subject: 'Eviction notice', client: { first: 'José', last: 'Muñoz' } });
    for (const q of ['munoz', 'JOS', 'evict not', 'Muñ']) {
      const res = await s.call('GET', `/api/entities/case/records?q=${encodeURIComponent(q)}`);
      expect(res.body.data.map((r: { subject: string }) => r.subject), q).toEqual(['Eviction notice']);
    }
    expect((await s.call('GET', '/api/entities/case/records?q=munozz')).body.data).toEqual([]);
  });

  it('groups by one or two fields with metrics', async () => {
    const res = await s.call('GET', `/api/entities/case/records/group-by?by=opened:month&metrics=count,sum:hours,max:hours&filter=${filter({ field: 'subject', op: 'startsWith', value: 'List' })}`);
    expect(res.status).toBe(200);
    const byMonth = Object.fromEntries(res.body.groups.map((g: { key: Record<string, string>; count: number }) => [g.key['opened:month'], g.count]));
    expect(byMonth).toEqual({ '2026-01': 10, '2026-02': 10, '2026-03': 10 });
    const two = await s.call('GET', '/api/entities/case/records/group-by?by=status,tags');
    expect(two.body.groups.length).toBeGreaterThan(1);
    expect(two.body.groups[0].key).toHaveProperty('status');
    expect((await s.call('GET', '/api/entities/case/records/group-by?by=resolution')).status).toBe(400);
  });

  it('rejects an operator the field type does not offer, naming the allowed ones', async () => {
    const res = await s.call('GET', `/api/entities/case/records?filter=${filter({ field: 'tags', op: 'gt', value: 1 })}`);
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ pointer: '/filter/op' });
    expect(res.body.errors[0].detail).toContain('containsAny');
  });
});
