/**
 * Permission matrix, derived reads (issue 4): export (CSV and JSON), group-by counts and metrics,
 * the related ("360°") view, field history and expand= each show, for every user, only the
 * records in their scope and only the fields they may see.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { expectProblem, type ApiRecord } from '../support/crm-fixture.ts';
import {
  apiKeys, AUDIT, encode, MATRIX, NO_SUCH_ID, problemShape, seedsOf, seedValue, sorted, useScenario, MATRIX_CASES, recordsUrl, USER_KEYS, visibleFields,
  type EntityName, type UserKey,
} from '../support/permission-fixture.ts';

const sc = useScenario();

const url = recordsUrl;
const cases = MATRIX_CASES;
const tally = (values: unknown[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [String(v)]: (acc[String(v)] ?? 0) + 1 }), {});

describe.each(cases)('%s exporting %s', (user, entity) => {
  const v = MATRIX[user][entity];

  it('CSV: only the records in scope, only the visible columns; 403 without export permission', async () => {
    const res = await sc.raw(user, url(entity, '/export?format=csv'));
    if (!v) return void expect(res.status).toBe(404);
    if (!v.ops.export) {
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).type).toBe('https://rapport.dev/problems/forbidden');
      return;
    }
    expect(res.status, res.text).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const [header] = parse(res.text, { to_line: 1 }) as string[][];
    expect(header).toEqual(['_id', ...visibleFields(entity, v), ...AUDIT]);
    const rows = parse(res.text, { columns: true }) as Array<Record<string, string>>;
    expect(sorted(rows.map((r) => sc.keyOf(r._id!)))).toEqual(sorted(v.records));
  });

  it('JSON: the same records as API records with only the visible fields', async () => {
    const res = await sc.raw(user, url(entity, '/export?format=json'));
    if (!v || !v.ops.export) return void expect(res.status).toBe(v ? 403 : 404);
    const records = JSON.parse(res.text) as ApiRecord[];
    expect(sorted(records.map((r) => sc.keyOf(r._id)))).toEqual(sorted(v.records));
    for (const r of records) expect(Object.keys(r).sort()).toEqual(apiKeys(entity, v));
  });

  it('a filtered, searched export stays inside the scope', async () => {
    if (!v?.ops.export || entity === 'casenote') return;
    const res = await sc.raw(user, url(entity, `/export?format=json&filter=${encode({ field: 'department', op: 'isSet' })}&sort=department`));
    expect(sorted((JSON.parse(res.text) as ApiRecord[]).map((r) => sc.keyOf(r._id)))).toEqual(sorted(v.records));
  });
});

describe.each(USER_KEYS)('%s grouping', (user) => {
  it('counts only the records in scope in each group', async () => {
    for (const [entity, by] of [['serviceuser', 'risk'], ['serviceuser', 'department'], ['casenote', 'serviceUser'], ['staff', 'department']] as Array<[EntityName, string]>) {
      const v = MATRIX[user][entity];
      const res = await sc.as(user)('GET', url(entity, `/group-by?by=${by}`));
      if (!v) {
        expectProblem(res, 404);
        continue;
      }
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const counts = Object.fromEntries((res.body.groups as Array<{ key: Record<string, string>; count: number }>).map((g) => [by === 'serviceUser' ? sc.keyOf(g.key[by]!) : g.key[by], g.count]));
      const expected = tally(v.records.map((k) => seedValue(k, by)).map((x) => (typeof x === 'string' && x.startsWith('#') ? x.slice(1) : x)));
      expect(counts, `${entity} by ${by}`).toEqual(expected);
    }
  });

  it('sums a numeric field over the records in scope only, or refuses it as unknown where hidden', async () => {
    const v = MATRIX[user].staff;
    const res = await sc.as(user)('GET', url('staff', '/group-by?by=department&metrics=sum:salary'));
    if (!v) return void expectProblem(res, 404);
    if (v.hidden.includes('salary')) return void expectProblem(res, 400, ['/metrics']);
    const sums = Object.fromEntries((res.body.groups as Array<{ key: { department: string }; 'sum:salary': number }>).map((g) => [g.key.department, g['sum:salary']]));
    const expected: Record<string, number> = {};
    for (const k of v.records) expected[seedValue(k, 'department') as string] = (expected[seedValue(k, 'department') as string] ?? 0) + Number((seedValue(k, 'salary') as { amount: string }).amount);
    for (const [dept, sum] of Object.entries(expected)) expect(sums[dept]).toBeCloseTo(sum, 2);
    expect(Object.keys(sums).sort()).toEqual(Object.keys(expected).sort());
  });
});

describe.each(USER_KEYS)('%s viewing related records', (user) => {
  const v = MATRIX[user].serviceuser;
  const notes = MATRIX[user].casenote;

  it('shows, for each readable service user, only the case notes in scope; 404 for the rest', async () => {
    const missing = await sc.as(user)('GET', url('serviceuser', `/${NO_SUCH_ID}/related`));
    for (const seed of seedsOf('serviceuser')) {
      const id = sc.ids[seed.key]!;
      const res = await sc.as(user)('GET', url('serviceuser', `/${id}/related?limit=50`));
      if (!v?.records.includes(seed.key)) {
        expect(problemShape(res, { [id]: 'ID' }), seed.key).toEqual(problemShape(missing, { [NO_SUCH_ID]: 'ID' }));
        continue;
      }
      const expected = (notes?.records ?? []).filter((k) => seedValue(k, 'serviceUser') === `#${seed.key}`);
      const groups = res.body.data as Array<{ entity: string; total: number; data: ApiRecord[] }>;
      expect(groups.map((g) => g.entity)).toEqual(notes ? ['casenote'] : []);
      if (!notes) continue;
      expect(sorted(groups[0]!.data.map((r) => sc.keyOf(r._id))), seed.key).toEqual(sorted(expected));
      expect(groups[0]!.total).toBe(expected.length);
      for (const r of groups[0]!.data) expect(Object.keys(r).sort()).toEqual(apiKeys('casenote', notes));
    }
  });
});

type Entry = { id: string; type: string; changes: Array<{ field: string }> };

describe.each(USER_KEYS)('%s reading field history', (user) => {
  const v = MATRIX[user].serviceuser;

  it('shows the administrator’s history less hidden fields, and entries that changed only hidden fields', async () => {
    const missing = await sc.as(user)('GET', url('serviceuser', `/${NO_SUCH_ID}/history`));
    for (const seed of seedsOf('serviceuser')) {
      const id = sc.ids[seed.key]!;
      const res = await sc.as(user)('GET', url('serviceuser', `/${id}/history`));
      if (!v?.records.includes(seed.key)) {
        expectProblem(res, 404);
        expect(problemShape(res, { [id]: 'ID' }), seed.key).toEqual(problemShape(missing, { [NO_SUCH_ID]: 'ID' }));
        continue;
      }
      const full = (await sc.as('admin')('GET', url('serviceuser', `/${id}/history`))).body.data as Entry[];
      const expected = full
        .map((e) => ({ ...e, changes: e.changes.filter((c) => !v.hidden.includes(c.field)) }))
        .filter((e) => e.type !== 'updated' || e.changes.length > 0);
      expect(res.body.data, seed.key).toEqual(expected);
    }
  });
});

describe('history of a change to a hidden field only', () => {
  it('is an entry for those who see the field and nothing for those who do not', async () => {
    const types = async (user: UserKey) => ((await sc.as(user)('GET', url('serviceuser', `/${sc.ids.S1}/history`))).body.data as Entry[]).map((e) => e.type);
    expect(await types('admin')).toEqual(['updated', 'updated', 'created']);
    expect(await types('dual')).toEqual(['updated', 'updated', 'created']);
    // cwA sees the consent form being attached, never the SSN change.
    const cwA = (await sc.as('cwA')('GET', url('serviceuser', `/${sc.ids.S1}/history`))).body.data as Entry[];
    expect(cwA.map((e) => [e.type, e.changes.map((c) => c.field)])).toEqual([['updated', ['consent']], ['created', ['name', 'caseworker', 'department', 'risk', 'notes']]]);
  });
});

describe.each(USER_KEYS)('%s expanding a case note’s service user', (user) => {
  const notes = MATRIX[user].casenote;
  const parents = MATRIX[user].serviceuser;

  it('inlines a parent only when it is in scope, and only its visible fields', async () => {
    const list = await sc.as(user)('GET', url('casenote', '?expand=serviceUser&limit=200'));
    if (!notes) return void expectProblem(list, 404);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const one = async (id: string) => (await sc.as(user)('GET', url('casenote', `/${id}?expand=serviceUser`))).body as ApiRecord;
    for (const note of list.body.data as ApiRecord[]) {
      const parentKey = (seedValue(sc.keyOf(note._id), 'serviceUser') as string).slice(1);
      for (const record of [note, await one(note._id)]) {
        const parent = record.serviceUser;
        if (parents!.records.includes(parentKey)) {
          expect(typeof parent, `${sc.keyOf(note._id)} → ${parentKey}`).toBe('object');
          expect(Object.keys(parent as object).sort()).toEqual(apiKeys('serviceuser', parents!));
        } else {
          expect(parent, `${sc.keyOf(note._id)} → ${parentKey} is outside the scope`).toBe(sc.ids[parentKey]);
        }
      }
    }
  });
});
