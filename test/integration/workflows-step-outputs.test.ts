/**
 * A workflow step's formula reads the outputs of the steps before it (issue 9): one create step
 * links the record another create step made (`steps.<id>.created`), which is how a lead becomes an
 * account, a contact at that account and an opportunity in one run.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { createRecord, defineEntity, getRecord, waitFor } from '../support/crm-fixture.ts';

let s: AppServer;

beforeAll(async () => {
  s = await startAppServer({ workflows: { pollMs: 50 } });
  await defineEntity(s, { name: 'org', label: 'Org', pluralLabel: 'Orgs', fields: [{ name: 'name', type: 'text' }] });
  await defineEntity(s, { name: 'person', label: 'Person', pluralLabel: 'People', fields: [{ name: 'name', type: 'text' }, { name: 'org', type: 'relation', target: 'org', onDelete: 'setNull' }] });
  await defineEntity(s, { name: 'prospect', label: 'Prospect', pluralLabel: 'Prospects', fields: [{ name: 'name', type: 'text' }, { name: 'company', type: 'text' }, { name: 'person', type: 'relation', target: 'person', onDelete: 'setNull' }] });
  const made = await s.call('POST', '/api/workflows', {
    name: 'splitProspect', label: 'Split', entity: 'prospect', trigger: { kind: 'manual' },
    steps: [
      { id: 'newOrg', type: 'create', entity: 'org', values: [{ field: 'name', formula: 'company' }] },
      { id: 'newPerson', type: 'create', entity: 'person', values: [{ field: 'name', formula: 'name' }, { field: 'org', formula: 'steps.newOrg.created' }] },
      { id: 'link', type: 'update', set: [{ field: 'person', formula: 'steps.newPerson.created' }] },
    ],
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
});
afterAll(() => s?.stop());

it('links the records earlier steps created', async () => {
  const prospect = await createRecord(s, 'prospect', { name: 'Ada', company: 'Analytical Engines' });
  expect((await s.call('POST', '/api/workflows/splitProspect/run', { recordIds: [prospect._id] })).status).toBe(202);
  const linked = await waitFor(async () => (await getRecord(s, 'prospect', prospect._id)).person as string | null, 10_000);
  const person = await getRecord(s, 'person', linked, '?expand=org');
  expect(person).toMatchObject({ name: 'Ada', org: { name: 'Analytical Engines' } });
});
