/**
 * Issues 7 and 8: the workflow designer checks a draft as you edit it, without saving it — every
 * problem with its JSON Pointer, answered with 200 so a draft with problems is not a failed request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { defineEntity } from '../support/crm-fixture.ts';

let server: AppServer;

beforeAll(async () => {
  server = await startAppServer();
  await defineEntity(server, { name: 'ticket', label: 'Ticket', pluralLabel: 'Tickets', fields: [{ name: 'title', type: 'text' }, { name: 'email', type: 'email' }] });
});
afterAll(() => server?.stop());

const draft = (steps: unknown[]) => ({ name: 'draftOne', label: 'Draft', entity: 'ticket', trigger: { kind: 'recordCreated' }, steps });

describe('POST /api/workflows/validate', () => {
  it('answers valid for a good draft and saves nothing', async () => {
    const res = await server.call('POST', '/api/workflows/validate', draft([{ id: 'mail', type: 'email', template: 'welcome', to: 'email' }]));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, errors: [] });
    expect((await server.call('GET', '/api/workflows/draftOne')).status).toBe(404);
  });

  it('lists every problem of a bad draft by pointer', async () => {
    const res = await server.call('POST', '/api/workflows/validate', draft([{ id: 'mail', type: 'email', template: 'welcome', to: 'nobody' }, { id: 'mail', type: 'update', set: [{ field: 'nope', value: 1 }] }]));
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/steps/0/to', '/steps/1/id', '/steps/1/set/0/field']));
  });

  it('is for administrators only', async () => {
    const res = await server.call('POST', '/api/workflows/validate', draft([]), {}, { anonymous: true });
    expect(res.status).toBe(401);
  });
});
