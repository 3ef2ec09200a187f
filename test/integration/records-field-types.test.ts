/** Every field type through HTTP: what a client sends, what it reads back, and what is refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';

let s: AppServer;

beforeAll(async () => {
  s = await startAppServer();
  await s.call('POST', '/api/metadata/entities', { name: 'team', label: 'Team', pluralLabel: 'Teams', titleField: 'name', fields: [{ name: 'name', type: 'text' }, { name: 'budget', type: 'currency', currency: 'EUR' }] });
  const res = await s.call('POST', '/api/metadata/entities', {
    name: 'staff', label: 'Staff member', pluralLabel: 'Staff', titleField: 'name',
    fields: [
      { name: 'name', type: 'fullName' },
      { name: 'code', type: 'text', pattern: '^[A-Z]{2}\\d{3}$' },
      { name: 'bio', type: 'longText', maxLength: 50 },
      { name: 'notes', type: 'richText' },
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'phone', defaultCountry: 'GB' },
      { name: 'site', type: 'url' },
      { name: 'grade', type: 'integer', min: 1, max: 12 },
      { name: 'fte', type: 'number', precision: 2, min: 0, max: 1 },
      { name: 'salary', type: 'currency', currency: 'GBP' },
      { name: 'bonus', type: 'percent' },
      { name: 'active', type: 'boolean' },
      { name: 'born', type: 'date' },
      { name: 'lastLogin', type: 'datetime' },
      { name: 'dept', type: 'select', options: [{ value: 'hr', label: 'HR' }, { value: 'ops', label: 'Operations' }] },
      { name: 'skills', type: 'multiSelect', options: [{ value: 'js', label: 'JS' }, { value: 'sql', label: 'SQL' }], maxItems: 2 },
      { name: 'score', type: 'rating', max: 5 },
      { name: 'extra', type: 'json' },
      { name: 'home', type: 'address' },
      { name: 'manager', type: 'user' },
      { name: 'staffNo', type: 'autonumber', pattern: 'EMP{0000}' },
      { name: 'team', type: 'relation', target: 'team', onDelete: 'setNull' },
      { name: 'mentors', type: 'manyToMany', target: 'team', attributes: [{ name: 'role', type: 'text' }] },
      { name: 'monthly', type: 'formula', resultType: 'number', expression: 'ROUND(salary / 12, 2)' },
      { name: 'label', type: 'formula', resultType: 'text', expression: 'UPPER(code) & " / " & team.name' },
      { name: 'senior', type: 'formula', resultType: 'boolean', expression: 'grade >= 10' },
      { name: 'anniversary', type: 'formula', resultType: 'date', expression: 'ADDDAYS(born, 365)' },
      { name: 'cv', type: 'file', maxSize: 1000 },
    ],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
});
afterAll(async () => s.stop());

describe('every field type', () => {
  it('normalises valid values and reads them back in their API form', async () => {
    const team = await s.call('POST', '/api/entities/team/records', { name: 'Ops team' });
    const me = (await s.call('GET', '/api/auth/session')).body.user.id as string;
    const body = {
      name: { first: ' Grace ', last: 'Hopper' }, code: 'GH001', bio: 'Rear admiral', notes: '<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>',
      email: 'Grace@Navy.MIL', phone: '020 7183 8750', site: 'https://example.org/grace', grade: 11, fte: 0.75,
      salary: { amount: '60000.10' }, bonus: 12.5, active: true, born: '1906-12-09', lastLogin: '2026-11-23T10:00:00+01:00',
      dept: 'ops', skills: ['js', 'sql'], score: 5, extra: { shoe: 7, list: [1, 'a'] },
      home: { city: 'Arlington', country: 'US', street: '' }, manager: me,
      team: team.body._id, mentors: [{ id: team.body._id, role: 'coach' }],
    };
    const res = await s.call('POST', '/api/entities/staff/records', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name: { first: 'Grace', last: 'Hopper', display: 'Grace Hopper' },
      notes: '<p>Hi <b>there</b></p>', email: 'grace@navy.mil', phone: '+442071838750', site: 'https://example.org/grace',
      salary: { amount: '60000.10', currency: 'GBP' }, lastLogin: '2026-11-23T09:00:00.000Z',
      skills: ['js', 'sql'], home: { city: 'Arlington', country: 'US' }, staffNo: 'EMP0001',
      team: team.body._id, mentors: [{ id: team.body._id, role: 'coach' }],
      monthly: 5000.01, label: 'GH001 / Ops team', senior: true, anniversary: '1907-12-09', cv: null,
    });
    expect(res.body.home).not.toHaveProperty('street');
  });

  it.each([
    ['code', 'gh001', 'must match pattern'],
    ['bio', 'x'.repeat(51), 'must NOT have more than 50 characters'],
    ['email', 'not-an-email', 'must match format "email"'],
    ['phone', '12345', 'must be a valid phone number'],
    ['site', 'javascript:alert(1)', 'must be an absolute http or https URL'],
    ['grade', 2.5, 'must be integer'],
    ['grade', 13, 'must be <= 12'],
    ['fte', 0.123, 'must have at most 2 decimal places'],
    ['salary', { amount: '1.001' }, 'decimal'],
    ['salary', { amount: '5', currency: 'XYZ' }, 'currency'],
    ['active', 'yes', 'must be boolean'],
    ['born', '2023-02-30', 'date'],
    ['lastLogin', '2026-11-23', 'must match format "date-time"'],
    ['dept', 'it', 'must be one of: hr, ops'],
    ['skills', ['js', 'js'], 'duplicate'],
    ['skills', ['js', 'sql', 'go'], ''],
    ['score', 6, 'must be <= 5'],
    ['extra', { $set: 1 }, 'must not start with "$"'],
    ['home', { country: 'ZZ' }, 'country'],
    ['manager', 'bob', 'must match pattern'],
    ['manager', '0123456789abcdef01234567', 'is not a user'],
    ['team', '0123456789abcdef01234567', 'points at no team record'],
    ['cv', '0123456789abcdef01234567', 'must be the id of a file uploaded for this field'],
  ])('refuses %s = %j', async (field, value, detail) => {
    const res = await s.call('POST', '/api/entities/staff/records', { [field]: value });
    expect(res.status).toBe(422);
    const error = res.body.errors.find((e: { pointer: string }) => e.pointer.startsWith(`/${field}`));
    expect(error, JSON.stringify(res.body.errors)).toBeDefined();
    expect(error.detail.toLowerCase()).toContain(detail.toLowerCase());
  });

  it('filters each type by its own operators with values cast by type', async () => {
    const q = async (f: unknown) => (await s.call('GET', `/api/entities/staff/records?filter=${encodeURIComponent(JSON.stringify(f))}`)).body;
    expect((await q({ field: 'salary', op: 'gte', value: '60000.10' })).data).toHaveLength(1);
    expect((await q({ field: 'salary', op: 'gt', value: '60000.10' })).data).toHaveLength(0);
    expect((await q({ field: 'lastLogin', op: 'between', value: ['2026-11-23T08:00:00Z', '2026-11-23T09:30:00Z'] })).data).toHaveLength(1);
    expect((await q({ field: 'phone', op: 'eq', value: '020 7183 8750' })).data).toHaveLength(1);
    expect((await q({ field: 'email', op: 'eq', value: 'GRACE@navy.mil' })).data).toHaveLength(1);
    expect((await q({ field: 'home.city', op: 'contains', value: 'lingt' })).data).toHaveLength(1);
    expect((await q({ field: 'monthly', op: 'lt', value: 6000 })).data).toHaveLength(1);
    expect((await q({ field: 'skills', op: 'containsAll', value: ['sql', 'js'] })).data).toHaveLength(1);
    expect((await q({ field: 'cv', op: 'isNotSet' })).data).toHaveLength(1);
    const wrong = await q({ field: 'born', op: 'gt', value: 'yesterday' });
    expect(wrong.status).toBe(400);
    expect(wrong.errors[0].pointer).toBe('/filter/value');
  });
});
