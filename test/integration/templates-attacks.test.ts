/**
 * Issue 7, hostile templates: prototype access (in the source and through lookups of data),
 * loops that would run for ever, partials that include themselves, and output that would not
 * end. Each gets a clear problem, and the server keeps answering meanwhile and afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { expectProblem } from '../support/crm-fixture.ts';
import { problemType } from '../support/auth-fixture.ts';

let s: AppServer;

const put = (name: string, html: string) => s.call('PUT', `/api/templates/${name}`, { kind: 'document', parts: { html } });
const preview = (name: string, body: unknown = {}) => s.call('POST', `/api/templates/${name}/preview`, body);
const draft = (html: string, data: Record<string, unknown> = {}) => preview('draft', { draft: { kind: 'document', parts: { html } }, data });

/** The server still answers, and still renders. */
async function stillServing(): Promise<void> {
  const started = Date.now();
  expect((await s.call('GET', '/healthz')).status).toBe(200);
  const ok = await draft('<p>{{upper word}}</p>', { word: 'fine' });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  expect(ok.body.html).toBe('<p>FINE</p>');
  expect(Date.now() - started).toBeLessThan(5_000);
}

beforeAll(async () => {
  s = await startAppServer();
});
afterAll(async () => s.stop());

describe('prototype access', () => {
  it.each([
    ['{{constructor.constructor}}', 1, 3],
    ['<p>\n{{#with "x"}}{{this.constructor}}{{/with}}</p>', 2, 16],
    ['{{__proto__}}', 1, 3],
    ['{{#with __proto__}}{{polluted}}{{/with}}', 1, 9],
    ['{{lookup this "constructor"}}', 1, 15],
    ['{{lookup (lookup this "__proto__") "constructor"}}', 1, 23],
    ['{{#each this}}{{lookup ../this "__defineGetter__"}}{{/each}}', 1, 32],
    ['{{record.prototype}}', 1, 3],
  ])('%s is refused when saved, with where it is', async (html, line, column) => {
    const problem = expectProblem(await put('evil', html), 422, ['/parts/html']);
    expect(problem.type).toBe(problemType('template-unsafe-access'));
    expect(problem.errors![0]).toMatchObject({ line, column });
    expect(problem.errors![0]!.detail).toMatch(/cannot be (read|looked up) in a template/);
  });

  it.each([
    ['{{lookup this key}}', { key: 'constructor' }],
    ['{{lookup this key}}', { key: '__proto__' }],
    ['{{#with (lookup this key)}}{{name}}{{/with}}', { key: 'constructor' }],
    ['{{lookup name key}}', { name: 'x', key: 'constructor' }],
    ['{{toString}}', {}],
    ['{{#with "x"}}{{valueOf}}{{/with}}', {}],
    ['{{items.hasOwnProperty}}', { items: [1] }],
  ])('%s with %j fails at render time with a clear problem', async (html, data) => {
    const problem = expectProblem(await draft(html, data), 422);
    expect(problem.type).toBe(problemType('template-unsafe-access'));
    expect(problem.detail).toMatch(/tried to (read|look up) "(constructor|__proto__|toString|valueOf|hasOwnProperty)"/);
  });

  it('leaves the data\'s own fields readable, even with those names', async () => {
    const res = await draft('{{lookup this key}}|{{#with "abc"}}{{length}}{{/with}}', { key: 'k', k: 'own value' });
    expect(res.body.html).toBe('own value|3');
  });
});

describe('runaway templates', () => {
  it('stops a loop over a huge list after the time limit, while the server keeps answering', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const started = Date.now();
    // 10^12 iterations that write nothing: only the time limit can stop them.
    const slow = draft('{{#each items}}{{#each ../items}}{{#each ../../items}}{{#each ../../../items}}{{#if @first}}{{/if}}{{/each}}{{/each}}{{/each}}{{/each}}', { items });
    // The event loop is free while the isolate works: other requests are answered at once.
    const health = await s.call('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    const problem = expectProblem(await slow, 422);
    expect(problem.type).toBe(problemType('template-render-timeout'));
    expect(problem.detail).toMatch(/stopped after 1000 ms/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await stillServing();
  });

  it('stops a partial that includes itself, and inline partial recursion', async () => {
    expect((await s.call('PUT', '/api/templates/forever', { kind: 'partial', parts: { html: '<div>{{> forever}}</div>' } })).status).toBe(201);
    expect((await put('uses-forever', '{{> forever}}')).status).toBe(201);
    const stored = expectProblem(await preview('uses-forever'), 422);
    expect(stored.type).toBe(problemType('template-partial-depth'));
    expect(stored.detail).toMatch(/nested more than 10 deep/);
    const inline = expectProblem(await draft('{{#*inline "again"}}{{> again}}{{/inline}}{{> again}}'), 422);
    expect(inline.type).toBe(problemType('template-partial-depth'));
    // Nesting within the cap is fine.
    expect((await s.call('PUT', '/api/templates/level', { kind: 'partial', parts: { html: '{{#if n}}[{{> level n=rest.n rest=rest.rest}}]{{/if}}' } })).status).toBe(201);
    const nested = await draft('{{> level n=1 rest=(lookup this "deep")}}', { deep: { n: 1, rest: { n: 1, rest: {} } } });
    expect(nested.body.html).toBe('[[[]]]');
    await stillServing();
  });

  it('refuses output past the size cap', async () => {
    const problem = expectProblem(await draft('{{#each items}}{{../big}}{{/each}}', { items: Array.from({ length: 30 }, (_, i) => i), big: 'y'.repeat(50_000) }), 422);
    expect(problem.type).toBe(problemType('template-output-too-large'));
    expect(problem.detail).toMatch(/larger than 1000000 characters/);
    await stillServing();
  });

  it('stops a template whose output would exhaust memory', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    const problem = expectProblem(await draft('{{#each items}}{{#each ../items}}{{#each ../../items}}{{../../../big}}{{/each}}{{/each}}{{/each}}', { items, big: 'z'.repeat(2_000) }), 422);
    expect(problem.type).toBe(problemType('template-output-too-large'));
    await stillServing();
  });
});
