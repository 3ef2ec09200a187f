/**
 * The scenario of the list-view, dashboard and import browser tests (issue 8): deals in a pipeline
 * whose stage is a state machine (lead → qualified → won or lost) that users move along, and a
 * sales user, sam, who reads and changes deals.
 */
import type { AppServer } from '../../support/app-server.ts';
import { createUser } from '../../support/auth-fixture.ts';
import { createRecord, defineEntity } from '../../support/crm-fixture.ts';

export const SAM = { email: 'sam@views.test', password: 'sam has a long password' };
const options = (...values: string[]) => values.map((value) => ({ value, label: value.charAt(0).toUpperCase() + value.slice(1) }));
const pad = (n: number) => String(n).padStart(2, '0');

/** A day of the current month, as a date field stores it. */
export function dayThisMonth(day: number): string {
  const now = new Date();
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(day)}`;
}

export const DEALS = [
  { title: 'Deal Alpha', stage: 'lead', amount: 100, day: 3 },
  { title: 'Deal Bravo', stage: 'lead', amount: 250, day: 3 },
  { title: 'Deal Charlie', stage: 'lead', amount: 400, day: 10 },
  { title: 'Deal Delta', stage: 'qualified', amount: 1000, day: 12 },
  { title: 'Deal Echo', stage: 'won', amount: 5000, day: 20 },
  { title: 'Deal Foxtrot', stage: 'won', amount: 750, day: 25 },
  { title: 'Deal Golf', stage: 'lost', amount: 60, day: 28 },
];

export async function seedPipeline(server: AppServer): Promise<void> {
  await defineEntity(server, {
    name: 'deal', label: 'Deal', pluralLabel: 'Deals', titleField: 'title', searchFields: ['title'],
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'stage', type: 'select', options: options('lead', 'qualified', 'won', 'lost') },
      { name: 'amount', type: 'integer' },
      { name: 'closeDate', type: 'date' },
      { name: 'priority', type: 'select', options: options('low', 'high') },
      { name: 'ref', type: 'text', unique: true },
    ],
  });
  // The deals exist before the machine: from then on a new deal starts as a lead, for everyone.
  for (const [i, d] of DEALS.entries()) await createRecord(server, 'deal', { title: d.title, stage: d.stage, amount: d.amount, closeDate: dayThisMonth(d.day), ref: `R${i + 1}` });
  const machine = await server.call('POST', '/api/workflows', {
    name: 'dealStages', label: 'Deal stages', entity: 'deal',
    trigger: { kind: 'stateMachine', field: 'stage', initial: ['lead'], transitions: [{ from: ['lead'], to: 'qualified' }, { from: ['qualified'], to: 'won' }, { from: ['qualified'], to: 'lost' }] },
    steps: [],
  });
  if (machine.status !== 201) throw new Error(`the state machine was refused: ${JSON.stringify(machine.body)}`);
  const role = await server.call('PUT', '/api/roles/sales', { name: 'sales', label: 'Sales', entities: { deal: { read: true, create: true, update: true, scope: 'all' } } });
  if (role.status !== 200 && role.status !== 201) throw new Error(`the sales role was refused: ${JSON.stringify(role.body)}`);
  await createUser(server, { ...SAM, name: 'Sam Sales', roles: ['sales'] });
}

/** The deal with this title, as the API has it now. */
export async function dealNamed(server: AppServer, title: string): Promise<Record<string, unknown>> {
  const filter = encodeURIComponent(JSON.stringify({ field: 'title', op: 'eq', value: title }));
  const res = await server.call('GET', `/api/entities/deal/records?filter=${filter}`);
  return res.body.data[0];
}

/** `n` records of a plain entity, written with bulk-create 500 at a time, two calls at once. */
export async function seedItems(server: AppServer, n: number): Promise<void> {
  await defineEntity(server, { name: 'item', label: 'Item', pluralLabel: 'Items', titleField: 'name', fields: [{ name: 'name', type: 'text', required: true }, { name: 'size', type: 'integer' }, { name: 'colour', type: 'select', options: options('red', 'green', 'blue') }] });
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < n; i += 500) batches.push(Array.from({ length: Math.min(500, n - i) }, (_, j) => ({ name: `Item ${String(i + j + 1).padStart(5, '0')}`, size: (i + j) % 97, colour: ['red', 'green', 'blue'][(i + j) % 3] })));
  // In order: the list shows the newest first, so Item 00001 is the last row.
  for (const records of batches) {
    const res = await server.call('POST', '/api/entities/item/records/bulk-create', { records });
    if (res.status !== 200 || res.body.failed) throw new Error(`bulk-create failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  }
}
