/**
 * Permission matrix, reads (issue 4): for every user and entity, lists, POST /query, get by id,
 * count and search return exactly the records and fields MATRIX allows; a hidden field cannot be
 * filtered, sorted, projected, grouped or searched by, and is refused exactly as an unknown field.
 */
import { describe, expect, it } from 'vitest';
import { expectProblem, type ApiRecord } from '../support/crm-fixture.ts';
import {
  apiKeys, encode, ENTITY_NAMES, MATRIX, NO_SUCH_ID, problemShape, seedsOf, seedValue, sorted, useScenario, MATRIX_CASES, recordsUrl, USER_KEYS,
  type EntityName, type UserKey,
} from '../support/permission-fixture.ts';

const sc = useScenario();

const url = recordsUrl;
const keysOf = (records: ApiRecord[]) => sorted(records.map((r) => sc.keyOf(r._id)));
const cases = MATRIX_CASES;

/** The user's view of a record equals the administrator's, less the fields hidden from the user. */
async function expectSameAsAdmin(entity: EntityName, record: ApiRecord, keys: string[]): Promise<void> {
  const full = (await sc.as('admin')('GET', url(entity, `/${record._id}`))).body as ApiRecord;
  expect(record).toEqual(Object.fromEntries(keys.map((k) => [k, full[k]])));
}

describe.each(cases)('%s reading %s', (user, entity) => {
  const v = MATRIX[user][entity];

  it('lists, and POST /query finds, exactly the records and fields the matrix allows', async () => {
    const list = await sc.as(user)('GET', url(entity, '?limit=200'));
    const query = await sc.as(user)('POST', url(entity, '/query'), { limit: 200 });
    if (!v) {
      expect(problemShape(list, { [entity]: 'E' })).toEqual(problemShape(await sc.as(user)('GET', url('noSuchEntity', '?limit=200')), { noSuchEntity: 'E' }));
      expectProblem(query, 404);
      return;
    }
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(keysOf(list.body.data)).toEqual(sorted(v.records));
    expect(keysOf(query.body.data)).toEqual(sorted(v.records));
    for (const record of list.body.data as ApiRecord[]) {
      expect(Object.keys(record).sort(), sc.keyOf(record._id)).toEqual(apiKeys(entity, v));
      await expectSameAsAdmin(entity, record, apiKeys(entity, v));
    }
  });

  it('gets each readable record by id; any other is 404 exactly like an id that does not exist', async () => {
    const missing = await sc.as(user)('GET', url(entity, `/${NO_SUCH_ID}`));
    for (const seed of seedsOf(entity)) {
      const res = await sc.as(user)('GET', url(entity, `/${sc.ids[seed.key]}`));
      if (v?.records.includes(seed.key)) {
        expect(res.status, seed.key).toBe(200);
        expect(Object.keys(res.body).sort()).toEqual(apiKeys(entity, v));
        await expectSameAsAdmin(entity, res.body, apiKeys(entity, v));
      } else {
        expectProblem(res, 404);
        expect(problemShape(res, { [sc.ids[seed.key]!]: 'ID' }), seed.key).toEqual(problemShape(missing, { [NO_SUCH_ID]: 'ID' }));
      }
    }
  });

  it('counts only the records in scope, with and without a filter', async () => {
    const count = await sc.as(user)('GET', url(entity, '/count'));
    const department = entity === 'casenote' ? null : entity === 'staff' ? 'HR' : 'North';
    const filtered = department && (await sc.as(user)('GET', url(entity, `/count?filter=${encode({ field: 'department', op: 'eq', value: department })}`)));
    if (!v) {
      expectProblem(count, 404);
      return;
    }
    expect(count.body).toEqual({ count: v.records.length });
    if (filtered) expect(filtered.body).toEqual({ count: v.records.filter((k) => seedValue(k, 'department') === department).length });
  });
});

describe.each(USER_KEYS)('%s searching service users', (user) => {
  const v = MATRIX[user].serviceuser;

  it('finds a record by its visible name only when it is in scope', async () => {
    for (const seed of seedsOf('serviceuser')) {
      const last = (seedValue(seed.key, 'name') as { last: string }).last;
      const res = await sc.as(user)('GET', url('serviceuser', `?q=${encodeURIComponent(last.toUpperCase())}`));
      if (!v) {
        expectProblem(res, 404);
        continue;
      }
      expect(keysOf(res.body.data), `${user} q=${last}`).toEqual(v.records.includes(seed.key) ? [seed.key] : []);
      expect((await sc.as(user)('GET', url('serviceuser', `/count?q=${last}`))).body.count).toBe(v.records.includes(seed.key) ? 1 : 0);
    }
  });

  it('finds nothing by the value of a hidden search field', async () => {
    if (!v) return;
    for (const seed of seedsOf('serviceuser')) {
      const ssn = seedValue(seed.key, 'ssn') as string;
      const visible = v.records.includes(seed.key) && !v.hidden.includes('ssn');
      const res = await sc.as(user)('GET', url('serviceuser', `?q=${encodeURIComponent(ssn)}`));
      expect(keysOf(res.body.data), `${user} q=${ssn}`).toEqual(visible ? [seed.key] : []);
      const count = await sc.as(user)('GET', url('serviceuser', `/count?q=${encodeURIComponent(ssn)}`));
      expect(count.body.count).toBe(visible ? 1 : 0);
    }
  });
});

/** Each way of naming a field in a read; `name` is the field. */
const usesOfAField: Array<[string, (name: string) => string]> = [
  ['filter', (name) => `?filter=${encode({ field: name, op: 'isSet' })}`],
  ['filter inside or', (name) => `?filter=${encode({ or: [{ field: 'department', op: 'eq', value: 'x' }, { field: name, op: 'isSet' }] })}`],
  ['sort', (name) => `?sort=-${name}`],
  ['fields', (name) => `?fields=department,${name}`],
  ['count filter', (name) => `/count?filter=${encode({ field: name, op: 'isNotSet' })}`],
  ['group-by', (name) => `/group-by?by=${name}`],
  ['group-by metric', (name) => `/group-by?by=department&metrics=sum:${name}`],
  ['export fields', (name) => `/export?format=json&fields=${name}`],
];
const hiddenCases = USER_KEYS.flatMap((user) =>
  ENTITY_NAMES.flatMap((entity) => (MATRIX[user][entity]?.hidden ?? []).map((field) => [user, entity, field] as [UserKey, EntityName, string])),
);

describe.each(hiddenCases)('%s naming hidden %s.%s', (user, entity, field) => {
  it.each(usesOfAField)('in %s: 400 exactly as an unknown field', async (_use, path) => {
    if (path('x').startsWith('/export') && !MATRIX[user][entity]!.ops.export) return;
    const hidden = await sc.as(user)('GET', url(entity, path(field)));
    const unknown = await sc.as(user)('GET', url(entity, path('noSuchField')));
    expect(unknown.status, JSON.stringify(unknown.body)).toBe(400);
    expect(problemShape(hidden, { [field]: 'F' })).toEqual(problemShape(unknown, { noSuchField: 'F' }));
    const viaQuery = await sc.as(user)('POST', url(entity, '/query'), { filter: { field, op: 'isSet' } });
    const unknownViaQuery = await sc.as(user)('POST', url(entity, '/query'), { filter: { field: 'noSuchField', op: 'isSet' } });
    expect(problemShape(viaQuery, { [field]: 'F' })).toEqual(problemShape(unknownViaQuery, { noSuchField: 'F' }));
  });

  it('is allowed to the administrator in the same reads', async () => {
    for (const [use, path] of usesOfAField) {
      if (use === 'group-by metric' && field !== 'salary') continue;
      if (use === 'group-by' && field === 'salary') continue;
      const res = await sc.as('admin')('GET', url(entity, path(field)));
      expect(res.status, `${use}: ${JSON.stringify(res.body)}`).toBe(200);
    }
  });
});

describe('the stored search words', () => {
  it('cannot be filtered, sorted or projected by anyone, so hidden values cannot be probed through them', async () => {
    for (const user of USER_KEYS.filter((u) => MATRIX[u].serviceuser)) {
      for (const path of [`?filter=${encode({ field: '_search', op: 'eq', value: 'a1x7k' })}`, `?filter=${encode({ field: '_search', op: 'startsWith', value: 'a1x' })}`, '?sort=_search', '?fields=_search', '/group-by?by=_search']) {
        expectProblem(await sc.as(user)('GET', url('serviceuser', path)), 400);
      }
    }
  });
});
