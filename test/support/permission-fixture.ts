/**
 * The permission-matrix scenario (issue 4): a nonprofit's service users and case notes, and HR's
 * staff records, seen by users with different roles. `MATRIX` says, per user and entity, which
 * records they may read and change, which fields are hidden or read-only and which operations
 * they have; the permission-matrix tests check every endpoint against it. Every response a
 * scenario user receives is also searched for the values they must never see (`forbidden`).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { issueToken, startAppServer, type AppServer, type JsonResponse } from './app-server.ts';
import { defineEntity, settled } from './crm-fixture.ts';

export type UserKey = 'admin' | 'cwA' | 'cwB' | 'lead' | 'dual' | 'hr' | 'none';
export const USER_KEYS: UserKey[] = ['admin', 'cwA', 'cwB', 'lead', 'dual', 'hr', 'none'];
export const NON_ADMINS = USER_KEYS.filter((u) => u !== 'admin');
export type EntityName = 'serviceuser' | 'casenote' | 'staff';
export const ENTITY_NAMES: EntityName[] = ['serviceuser', 'casenote', 'staff'];

export const AUDIT = ['createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'ownerId'];
export const FIELDS: Record<EntityName, string[]> = {
  serviceuser: ['name', 'caseworker', 'department', 'risk', 'ssn', 'notes', 'consent'],
  casenote: ['subject', 'serviceUser', 'body'],
  staff: ['name', 'department', 'salary'],
};

const DEFINITIONS: Array<Record<string, unknown>> = [
  {
    name: 'serviceuser', label: 'Service user', pluralLabel: 'Service users', titleField: 'name', searchFields: ['name', 'ssn'], audit: true,
    fields: [
      { name: 'name', type: 'fullName', required: true },
      { name: 'caseworker', type: 'user' },
      { name: 'department', type: 'text', maxLength: 40 },
      { name: 'risk', type: 'select', default: 'low', options: [{ value: 'low', label: 'Low' }, { value: 'medium', label: 'Medium' }, { value: 'high', label: 'High' }] },
      { name: 'ssn', type: 'text', maxLength: 40 },
      { name: 'notes', type: 'longText' },
      { name: 'consent', type: 'file' },
    ],
  },
  {
    name: 'casenote', label: 'Case note', pluralLabel: 'Case notes', titleField: 'subject', audit: true,
    fields: [{ name: 'subject', type: 'text', required: true }, { name: 'serviceUser', type: 'relation', target: 'serviceuser' }, { name: 'body', type: 'longText' }],
  },
  {
    name: 'staff', label: 'Staff member', pluralLabel: 'Staff', titleField: 'name',
    fields: [{ name: 'name', type: 'text', required: true }, { name: 'department', type: 'text' }, { name: 'salary', type: 'currency', currency: 'USD' }],
  },
];

const assigned = { label: 'Assigned to me', filter: { field: 'caseworker', op: 'eq', value: { $user: 'id' } }, access: 'edit' };
export const ROLES: Array<Record<string, unknown>> = [
  {
    name: 'caseworker', label: 'Caseworker',
    entities: {
      serviceuser: { read: true, create: true, update: true, scope: 'none', fields: { ssn: 'hidden', risk: 'read' }, sharing: [assigned] },
      casenote: { read: true, create: true, scope: 'own' },
    },
  },
  {
    name: 'teamLead', label: 'Team lead',
    entities: {
      serviceuser: { read: true, create: true, update: true, delete: true, export: true, scope: 'team', fields: { ssn: 'hidden' } },
      casenote: { read: true, create: true, scope: 'team' },
      staff: { read: true, scope: 'all', fields: { salary: 'hidden' } },
    },
  },
  {
    name: 'riskViewer', label: 'Risk panel',
    entities: { serviceuser: { read: true, export: true, scope: 'none', fields: { ssn: 'read', risk: 'read', notes: 'hidden' }, sharing: [{ filter: { field: 'risk', op: 'eq', value: 'high' }, access: 'read' }] } },
  },
  {
    name: 'hr', label: 'HR',
    entities: { staff: { read: true, update: true, export: true, scope: 'none', fields: { salary: 'read' }, sharing: [{ filter: { field: 'department', op: 'eq', value: { $user: 'attributes.department' } }, access: 'edit' }] } },
  },
];

type UserSpec = { roles: string[]; team?: string; attributes?: Record<string, string> };
const USERS: Record<Exclude<UserKey, 'admin'>, UserSpec> = {
  cwA: { roles: ['caseworker'], team: 'north' },
  cwB: { roles: ['caseworker'], team: 'south' },
  lead: { roles: ['teamLead'], team: 'north' },
  dual: { roles: ['caseworker', 'riskViewer'], team: 'east' },
  hr: { roles: ['hr'], attributes: { department: 'HR' } },
  none: { roles: [] },
};

/**
 * The seed records, created in order by `by` (which makes them their owner), then `patch`ed by
 * the administrator. '@user' stands for a user's id, '#key' for a seed record's id. `secrets`
 * are distinctive texts of a record's fields: whoever may not see the record (or the field)
 * must never find them in a response.
 */
export type Seed = { key: string; entity: EntityName; by: UserKey; data: Record<string, unknown>; patch?: Record<string, unknown>; secrets: Record<string, string[]> };
const person = (first: string, last: string) => ({ first, last });
const usd = (amount: string) => ({ amount, currency: 'USD' });
export const SEEDS: Seed[] = [
  { key: 'S1', entity: 'serviceuser', by: 'admin', data: { name: person('Alice', 'Amesbury'), caseworker: '@cwA', department: 'North', risk: 'high', ssn: 'ssn-q0w9e', notes: 'Prefers morning visits' }, patch: { ssn: 'ssn-a1x7k' }, secrets: { name: ['Amesbury'], ssn: ['ssn-q0w9e', 'ssn-a1x7k'] } },
  { key: 'S2', entity: 'serviceuser', by: 'admin', data: { name: person('Bob', 'Brownlow'), caseworker: '@cwB', department: 'South', risk: 'low', ssn: 'ssn-b2m4q' }, secrets: { name: ['Brownlow'], ssn: ['ssn-b2m4q'] } },
  { key: 'S3', entity: 'serviceuser', by: 'cwA', data: { name: person('Cara', 'Colefax'), caseworker: '@cwA', department: 'North' }, patch: { risk: 'medium', ssn: 'ssn-c3p9w' }, secrets: { name: ['Colefax'], ssn: ['ssn-c3p9w'] } },
  { key: 'S4', entity: 'serviceuser', by: 'lead', data: { name: person('Dan', 'Diazmond'), department: 'North' }, patch: { ssn: 'ssn-d4r2z' }, secrets: { name: ['Diazmond'], ssn: ['ssn-d4r2z'] } },
  { key: 'S5', entity: 'serviceuser', by: 'cwA', data: { name: person('Eve', 'Evanston'), caseworker: '@cwB', department: 'South' }, patch: { ssn: 'ssn-e5t8v' }, secrets: { name: ['Evanston'], ssn: ['ssn-e5t8v'] } },
  { key: 'S6', entity: 'serviceuser', by: 'admin', data: { name: person('Finn', 'Fordyce'), caseworker: '@dual', department: 'East', risk: 'low', ssn: 'ssn-f6y3n' }, secrets: { name: ['Fordyce'], ssn: ['ssn-f6y3n'] } },
  { key: 'S7', entity: 'serviceuser', by: 'admin', data: { name: person('Gina', 'Grayling'), department: 'East', risk: 'high', ssn: 'ssn-g7h5b' }, secrets: { name: ['Grayling'], ssn: ['ssn-g7h5b'] } },
  { key: 'N1', entity: 'casenote', by: 'cwA', data: { subject: 'Home visit kestrel', serviceUser: '#S1', body: 'Kitchen needs repair' }, secrets: { subject: ['Home visit kestrel'] } },
  { key: 'N2', entity: 'casenote', by: 'cwB', data: { subject: 'Phone call heron', serviceUser: '#S2' }, secrets: { subject: ['Phone call heron'] } },
  { key: 'N3', entity: 'casenote', by: 'admin', data: { subject: 'Safeguarding review osprey', serviceUser: '#S1' }, secrets: { subject: ['Safeguarding review osprey'] } },
  { key: 'N4', entity: 'casenote', by: 'cwB', data: { subject: 'Housing form plover', serviceUser: '#S5' }, secrets: { subject: ['Housing form plover'] } },
  { key: 'N5', entity: 'casenote', by: 'lead', data: { subject: 'Intake meeting curlew', serviceUser: '#S4' }, secrets: { subject: ['Intake meeting curlew'] } },
  { key: 'N6', entity: 'casenote', by: 'dual', data: { subject: 'Check-in dunlin', serviceUser: '#S6' }, secrets: { subject: ['Check-in dunlin'] } },
  { key: 'T1', entity: 'staff', by: 'admin', data: { name: 'Hana Hartwell', department: 'HR', salary: usd('52417.35') }, secrets: { name: ['Hartwell'], salary: ['52417.35'] } },
  { key: 'T2', entity: 'staff', by: 'admin', data: { name: 'Ivan Itkin', department: 'IT', salary: usd('61803.40') }, secrets: { name: ['Itkin'], salary: ['61803.4'] } },
  { key: 'T3', entity: 'staff', by: 'admin', data: { name: 'Jade Jorvik', department: 'HR', salary: usd('57721.56') }, secrets: { name: ['Jorvik'], salary: ['57721.56'] } },
];
export const seedsOf = (entity: EntityName): Seed[] => SEEDS.filter((s) => s.entity === entity);
/** A seed's final stored value of `field` (after the administrator's patch), with '@'/'#' placeholders. */
export const seedValue = (key: string, field: string): unknown => {
  const seed = SEEDS.find((s) => s.key === key)!;
  const defaults: Record<string, unknown> = seed.entity === 'serviceuser' ? { risk: 'low' } : {};
  return { ...defaults, ...seed.data, ...seed.patch }[field];
};

type Ops = { create: boolean; update: boolean; delete: boolean; export: boolean };
/** What one user may do with one entity; null in MATRIX: the entity does not exist for them. */
export type View = { records: string[]; editable: string[]; hidden: string[]; readOnly: string[]; ops: Ops };
const view = (records: string[], ops: string, extra: Partial<View> = {}): View => ({
  records, editable: records, hidden: [], readOnly: [], ops: { create: ops.includes('c'), update: ops.includes('u'), delete: ops.includes('d'), export: ops.includes('e') }, ...extra,
});
const all = (entity: EntityName) => seedsOf(entity).map((s) => s.key);

export const MATRIX: Record<UserKey, Record<EntityName, View | null>> = {
  admin: { serviceuser: view(all('serviceuser'), 'cude'), casenote: view(all('casenote'), 'cude'), staff: view(all('staff'), 'cude') },
  // Caseworkers: the service users assigned to them (sharing rule), no SSN, risk read-only; their own notes.
  cwA: { serviceuser: view(['S1', 'S3'], 'cu', { hidden: ['ssn'], readOnly: ['risk'] }), casenote: view(['N1'], 'c'), staff: null },
  cwB: { serviceuser: view(['S2', 'S5'], 'cu', { hidden: ['ssn'], readOnly: ['risk'] }), casenote: view(['N2', 'N4'], 'c'), staff: null },
  // Team north is cwA and lead: records either of them owns.
  lead: { serviceuser: view(['S3', 'S4', 'S5'], 'cude', { hidden: ['ssn'] }), casenote: view(['N1', 'N5'], 'c'), staff: view(all('staff'), '', { hidden: ['salary'] }) },
  // caseworker + riskViewer: assigned records (edit) plus high-risk ones (read); ssn at the most open level (read); notes stays editable.
  dual: { serviceuser: view(['S1', 'S6', 'S7'], 'cue', { editable: ['S6'], readOnly: ['ssn', 'risk'] }), casenote: view(['N6'], 'c'), staff: null },
  hr: { serviceuser: null, casenote: null, staff: view(['T1', 'T3'], 'ue', { readOnly: ['salary'] }) },
  none: { serviceuser: null, casenote: null, staff: null },
};

export const visibleFields = (entity: EntityName, v: View): string[] => FIELDS[entity].filter((f) => !v.hidden.includes(f));
/** The keys of an API record the user may see, sorted. */
export const apiKeys = (entity: EntityName, v: View): string[] => ['_id', '_version', ...visibleFields(entity, v), ...AUDIT].sort();

/** Texts `user` must never receive: every secret of a record they cannot read, and of the fields hidden from them. */
export function forbiddenFor(user: UserKey): string[] {
  return SEEDS.flatMap((seed) => {
    const v = MATRIX[user][seed.entity];
    if (!v || !v.records.includes(seed.key)) return Object.values(seed.secrets).flat();
    return v.hidden.flatMap((f) => seed.secrets[f] ?? []);
  });
}

/** A response's text as the user received it, less `instance` (which echoes the user's own request URL). */
function shownText(body: unknown): string {
  if (body && typeof body === 'object' && !Array.isArray(body) && 'instance' in body) {
    const { instance: _instance, ...rest } = body as Record<string, unknown>;
    return JSON.stringify(rest);
  }
  return typeof body === 'string' ? body : JSON.stringify(body ?? null);
}

export function expectNoLeak(user: UserKey, body: unknown, what: string): void {
  const text = shownText(body);
  for (const secret of forbiddenFor(user)) expect(text.includes(secret), `${user} was shown "${secret}" by ${what}`).toBe(false);
}

export type Caller = <T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<JsonResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type RawResponse = { status: number; type: string | null; text: string };
export type Person = { key: UserKey; id: string; email: string; password: string; token: string };

export type Scenario = {
  s: AppServer;
  users: Record<UserKey, Person>;
  /** Seed key → record id. */
  ids: Record<string, string>;
  /** Record id → seed key (ids of other records come back unchanged). */
  keyOf(id: string): string;
  /** Calls as the user with their records:write token; every response is checked for leaks. */
  as(user: UserKey): Caller;
  /** As `as`, with another token of the user (e.g. a records:read one). */
  withToken(user: UserKey, token: string): Caller;
  /** GET without parsing (exports, downloads), as the user; checked for leaks too. */
  raw(user: UserKey, path: string): Promise<RawResponse>;
};

export const passwordOf = (user: UserKey) => `correct horse battery ${user}`;
export const emailOf = (user: UserKey) => `${user.toLowerCase()}@permissions.test`;
/** A well-formed id no record has. */
export const NO_SUCH_ID = '0123456789abcdef01234567';

/** POST /api/users as the administrator. */
export async function addUser(s: AppServer, key: string, spec: UserSpec & { active?: boolean }): Promise<string> {
  const res = await s.call('POST', '/api/users', { email: emailOf(key as UserKey), name: key, password: passwordOf(key as UserKey), ...spec });
  if (res.status !== 201) throw new Error(`creating user ${key} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function startScenario(): Promise<Scenario> {
  const s = await startAppServer();
  for (const definition of DEFINITIONS) await defineEntity(s, definition);
  for (const role of ROLES) {
    const res = await s.call('PUT', `/api/roles/${String(role.name)}`, role);
    if (res.status !== 200) throw new Error(`role ${String(role.name)}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const adminId = (await s.call('GET', '/api/auth/session')).body.user.id as string;
  const users = { admin: { key: 'admin', id: adminId, email: 'admin@rapport.test', password: '', token: s.adminToken } } as Record<UserKey, Person>;
  for (const [key, spec] of Object.entries(USERS) as Array<[UserKey, UserSpec]>) {
    const id = await addUser(s, key, spec);
    const who = { email: emailOf(key), password: passwordOf(key) };
    users[key] = { key, id, ...who, token: await issueToken(s.call, who, ['records:write']) };
  }

  const ids: Record<string, string> = {};
  const resolve = (value: unknown): unknown => {
    if (typeof value !== 'string') return value;
    if (value.startsWith('@')) return users[value.slice(1) as UserKey].id;
    if (value.startsWith('#')) return ids[value.slice(1)];
    return value;
  };
  const body = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).map(([k, v]) => [k, resolve(v)]));
  const bearer = (user: UserKey) => ({ authorization: `Bearer ${users[user].token}` });
  for (const seed of SEEDS) {
    const made = await s.call('POST', `/api/entities/${seed.entity}/records`, body(seed.data), bearer(seed.by));
    if (made.status !== 201) throw new Error(`seed ${seed.key}: ${made.status} ${JSON.stringify(made.body)}`);
    ids[seed.key] = made.body._id as string;
  }
  for (const seed of SEEDS.filter((x) => x.patch)) {
    const res = await s.call('PATCH', `/api/entities/${seed.entity}/records/${ids[seed.key]}`, body(seed.patch!));
    if (res.status !== 200) throw new Error(`patching ${seed.key}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  // S1 has a consent form on file.
  const upload = await fetch(`${s.base}/api/entities/serviceuser/files/consent?filename=consent.txt`, { method: 'POST', body: 'Consent to share: signed.\n', headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'text/plain' } });
  const fileId = ((await upload.json()) as { id: string }).id;
  expect((await s.call('PATCH', `/api/entities/serviceuser/records/${ids.S1}`, { consent: fileId })).status).toBe(200);
  await settled(s, ENTITY_NAMES);

  const byId = new Map(Object.entries(ids).map(([k, id]) => [id, k]));
  const withToken = (user: UserKey, token: string): Caller => async (method, path, payload, headers = {}) => {
    const res = await s.call(method, path, payload, { authorization: `Bearer ${token}`, ...headers });
    expectNoLeak(user, res.body, `${method} ${path}`);
    return res;
  };
  return {
    s, users, ids, withToken,
    keyOf: (id) => byId.get(id) ?? id,
    as: (user) => withToken(user, users[user].token),
    async raw(user, path) {
      const res = await fetch(s.base + path, { headers: { authorization: `Bearer ${users[user].token}` } });
      const type = res.headers.get('content-type');
      const text = await res.text();
      expectNoLeak(user, type?.startsWith('application/problem+json') ? JSON.parse(text) : text, `GET ${path}`);
      return { status: res.status, type, text };
    },
  };
}

/**
 * A problem with what differs between two equivalent requests taken out: `instance` and
 * `requestId`, and each `swaps` key (an id, a field or entity name) replaced by its value. Two
 * refusals that must not be told apart have equal shapes.
 */
export function problemShape(res: JsonResponse, swaps: Record<string, string> = {}): unknown {
  const { instance: _instance, requestId: _requestId, ...rest } = (res.body ?? {}) as Record<string, unknown>;
  let text = JSON.stringify({ status: res.status, contentType: res.headers.get('content-type'), ...rest });
  for (const [from, to] of Object.entries(swaps)) text = text.split(from).join(to);
  return JSON.parse(text);
}

export const sorted = (keys: string[]): string[] => [...keys].sort();
export const encode = (value: unknown): string => encodeURIComponent(JSON.stringify(value));

export const recordsUrl = (entity: string, rest = '') => `/api/entities/${entity}/records${rest}`;

/** Every (user, entity) pair of the matrix. */
export const MATRIX_CASES = USER_KEYS.flatMap((user) => ENTITY_NAMES.map((entity) => [user, entity] as [UserKey, EntityName]));

/** One scenario per test file, started before its tests and stopped after; the object stands for it once started. */
export function useScenario(): Scenario {
  let scenario: Scenario | undefined;
  beforeAll(async () => {
    scenario = await startScenario();
  });
  afterAll(async () => scenario?.s.stop());
  return new Proxy({} as Scenario, { get: (_target, key) => Reflect.get(scenario ?? {}, key) });
}
