/**
 * Issue 7, templates: the defaults from templates/, administrators' versions with history and
 * restore, optimistic concurrency, validation problems with JSON pointers, syntax errors with
 * line and column, and who may change what.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { defineEntity, expectProblem } from '../support/crm-fixture.ts';
import { asToken, issueUserToken, problemType } from '../support/auth-fixture.ts';

let s: AppServer;

const welcome = { kind: 'email', label: 'Welcome', parts: { subject: 'Welcome {{{name}}}', html: '<p>Hello {{name}}</p>', text: 'Hello {{{name}}}' } };
const put = (name: string, body: unknown, headers: Record<string, string> = {}) => s.call('PUT', `/api/templates/${name}`, body, headers);

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, { name: 'person', label: 'Person', pluralLabel: 'People', fields: [{ name: 'name', type: 'text', required: true }] });
});
afterAll(async () => s.stop());

describe('template CRUD and versions', () => {
  it('lists the default templates shipped in templates/', async () => {
    const res = await s.call('GET', '/api/templates');
    expect(res.status).toBe(200);
    const byName = new Map((res.body.data as Array<{ name: string; kind: string; source: string; version: number }>).map((t) => [t.name, t]));
    expect(byName.get('password-reset')).toMatchObject({ kind: 'email', source: 'default', version: 0 });
    expect(byName.get('email-footer')).toMatchObject({ kind: 'partial', source: 'default' });
    expect(byName.get('record-summary')).toMatchObject({ kind: 'document' });
    expect(byName.get('record-title')).toMatchObject({ kind: 'title' });
  });

  it('saves versions, keeps every one in the history, restores an old one, and refuses a stale If-Match', async () => {
    const created = await put('welcome', welcome);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: 'welcome', version: 1, source: 'custom', hasDefault: false });
    expect(created.headers.get('etag')).toBe('"1"');

    const changed = await put('welcome', { ...welcome, parts: { ...welcome.parts, subject: 'Hi {{{name}}}' } }, { 'if-match': '"1"' });
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(2);
    const stale = await put('welcome', welcome, { 'if-match': '"1"' });
    expect(expectProblem(stale, 412).type).toBe(problemType('template-version-conflict'));

    const history = await s.call('GET', '/api/templates/welcome/versions');
    expect(history.body.data.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const first = await s.call('GET', '/api/templates/welcome/versions/1');
    expect(first.body.definition.parts.subject).toBe('Welcome {{{name}}}');

    const restored = await s.call('POST', '/api/templates/welcome/versions/1/restore');
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ version: 3, parts: { subject: 'Welcome {{{name}}}' } });
    expect((await s.call('GET', '/api/templates/welcome')).body.version).toBe(3);

    expect((await s.call('DELETE', '/api/templates/welcome')).status).toBe(204);
    expectProblem(await s.call('GET', '/api/templates/welcome'), 404);
    const afterDelete = await s.call('GET', '/api/templates/welcome/versions');
    expect(afterDelete.body.data[0]).toMatchObject({ version: 4, deleted: true });
    const again = await put('welcome', welcome);
    expect(again.status).toBe(201);
    expect(again.body.version).toBe(5);
  });

  it('an administrator\'s version replaces a default; deleting it brings the default back', async () => {
    const custom = await put('password-reset', { kind: 'email', parts: { subject: 'New password for {{{name}}}', text: 'Go to {{{url}}}' } });
    expect(custom.status).toBe(200);
    expect(custom.body).toMatchObject({ source: 'custom', hasDefault: true, version: 1 });
    expect((await s.call('DELETE', '/api/templates/password-reset')).status).toBe(204);
    const back = await s.call('GET', '/api/templates/password-reset');
    expect(back.body).toMatchObject({ source: 'default', parts: { subject: 'Reset your Rapport password' } });
    // There is nothing of the administrator's left to delete.
    expectProblem(await s.call('DELETE', '/api/templates/password-reset'), 404);
  });
});

describe('validation', () => {
  it('reports every schema and kind problem with a JSON pointer', async () => {
    const res = await put('broken', { kind: 'email', parts: { html: '<p>x</p>' }, colour: 'red', entity: 'nobody' });
    const problem = expectProblem(res, 422, ['/colour']);
    expect(problem.type).toBe(problemType('invalid-template'));
    const kinds = expectProblem(await put('broken', { kind: 'email', parts: { html: '<p>x</p>' }, entity: 'nobody' }), 422, ['/parts/subject', '/entity']);
    expect(kinds.type).toBe(problemType('invalid-template'));
    expectProblem(await put('broken', { kind: 'letter', parts: { html: 'x' } }), 422, ['/kind']);
    expectProblem(await put('broken', { kind: 'document', parts: { subject: 'x', html: 'x' } }), 422, ['/parts/subject']);
    expectProblem(await put('broken', { kind: 'title', parts: {} }), 422, ['/parts']);
    expectProblem(await put('broken', { ...welcome, name: 'other' }), 422, ['/name']);
    expectProblem(await put('Not-A-Name', welcome), 422, ['/name']);
    expectProblem(await s.call('GET', '/api/templates/broken'), 404);
  });

  it('answers a syntax error with the part, line and column, and saves nothing', async () => {
    const res = await put('typo', { kind: 'email', parts: { subject: 'Hello', html: '<p>\n  Dear {{name}\n</p>' } });
    const problem = expectProblem(res, 422, ['/parts/html']);
    expect(problem.type).toBe(problemType('template-syntax'));
    const error = problem.errors![0] as { pointer: string; detail: string; line: number; column: number };
    expect(error).toMatchObject({ line: 2, column: 14 });
    expect(error.detail).toMatch(/^line 2, column 14: /);

    const unclosed = expectProblem(await put('typo', { kind: 'email', parts: { subject: 'Hi', text: 'one\ntwo\n{{#each items}}{{this}}' } }), 422, ['/parts/text']);
    expect(unclosed.errors![0]).toMatchObject({ line: 3 });
    expect(unclosed.errors![0]!.detail).toMatch(/not closed|ends before/);

    const mismatch = expectProblem(await put('typo', { kind: 'email', parts: { subject: 'Hi', text: 'a\n  {{#if x}}y{{/each}}' } }), 422, ['/parts/text']);
    expect(mismatch.errors![0]).toMatchObject({ line: 2 });
    expect(mismatch.errors![0]!.detail).toMatch(/doesn't match/);

    const helper = expectProblem(await put('typo', { kind: 'email', parts: { subject: '{{shout name}}', text: 'x' } }), 422, ['/parts/subject']);
    expect(helper.errors![0]).toMatchObject({ line: 1, column: 1 });
    expect(helper.errors![0]!.detail).toMatch(/unknown helper shout/);
    expectProblem(await s.call('GET', '/api/templates/typo'), 404);
  });
});

describe('who may change templates', () => {
  it('everyone signed in reads templates; only administrators save, delete and read the history', async () => {
    await put('notice', { kind: 'document', parts: { html: '<h1>{{record.name}}</h1>' }, entity: 'person' });
    const token = await issueUserToken(s, { roles: [{ name: 'personReader', label: 'Reader', entities: { person: { read: true, scope: 'all' } } }] });
    const as = asToken(s, token);
    expect((await as('GET', '/api/templates')).status).toBe(200);
    expect((await as('GET', '/api/templates/notice')).status).toBe(200);
    expectProblem(await as('PUT', '/api/templates/notice', { kind: 'document', parts: { html: 'hacked' } }), 403);
    expectProblem(await as('PUT', '/api/templates/mine', welcome), 403);
    expectProblem(await as('DELETE', '/api/templates/notice'), 403);
    expectProblem(await as('GET', '/api/templates/notice/versions'), 403);
    expectProblem(await as('POST', '/api/templates/notice/versions/1/restore'), 403);
    expect((await s.call('GET', '/api/templates/notice')).body.parts.html).toBe('<h1>{{record.name}}</h1>');
    expectProblem(await s.call('GET', '/api/templates/notice', undefined, {}, { anonymous: true }), 401);
  });
});
