/**
 * The scenario of the studio's metadata tests (issue 8): accounts, contacts and deals; a sales
 * role that reads its own contacts without their salary and never sees HR's staff entity, a
 * support role that reads every contact but neither email nor salary; users sam and sid (sales)
 * and sue (support), each with an API token.
 */
import { expect } from 'vitest';
import { issueToken, startAppServer, type AppServer, type JsonResponse } from './app-server.ts';
import { defineEntity } from './crm-fixture.ts';
import { addUser, emailOf, passwordOf } from './permission-fixture.ts';

export type UiUser = 'sam' | 'sid' | 'sue';
export type UiScenario = {
  s: AppServer;
  ids: Record<UiUser, string>;
  /** Calls as a user with their API token. */
  as(user: UiUser): <T = any>(method: string, path: string, body?: unknown) => Promise<JsonResponse<T>>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

const options = (...values: string[]) => values.map((value) => ({ value, label: value.charAt(0).toUpperCase() + value.slice(1) }));

export const ENTITIES: Array<Record<string, unknown>> = [
  { name: 'account', label: 'Account', pluralLabel: 'Accounts', titleField: 'name', searchFields: ['name'], fields: [{ name: 'name', type: 'text', required: true }, { name: 'industry', type: 'select', options: options('charity', 'retail') }] },
  {
    name: 'contact', label: 'Contact', pluralLabel: 'Contacts', titleField: 'name', searchFields: ['name', 'email'],
    fields: [
      { name: 'name', type: 'fullName', required: true },
      { name: 'email', type: 'email' },
      { name: 'phone', type: 'phone', defaultCountry: 'GB' },
      { name: 'mobile', type: 'phone' },
      { name: 'status', type: 'select', options: options('open', 'closed') },
      { name: 'endReason', type: 'text' },
      { name: 'salary', type: 'currency', currency: 'GBP' },
      { name: 'birthday', type: 'date' },
      { name: 'account', type: 'relation', target: 'account' },
      { name: 'score', type: 'formula', expression: 'LEN(endReason)', resultType: 'number' },
    ],
  },
  {
    name: 'deal', label: 'Deal', pluralLabel: 'Deals', titleField: 'title',
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'stage', type: 'select', options: options('lead', 'won', 'lost') },
      { name: 'amount', type: 'currency', currency: 'GBP' },
      { name: 'closeDate', type: 'date' },
      { name: 'account', type: 'relation', target: 'account' },
      { name: 'contact', type: 'relation', target: 'contact' },
    ],
  },
  { name: 'staff', label: 'Staff member', pluralLabel: 'Staff', titleField: 'name', fields: [{ name: 'name', type: 'text', required: true }, { name: 'pay', type: 'integer' }] },
];

const ROLES = [
  {
    name: 'sales', label: 'Sales',
    entities: {
      account: { read: true, scope: 'all' },
      contact: { read: true, create: true, update: true, scope: 'own', fields: { salary: 'hidden' } },
      deal: { read: true, create: true, update: true, scope: 'all' },
    },
  },
  {
    name: 'support', label: 'Support',
    entities: { account: { read: true, scope: 'all' }, contact: { read: true, scope: 'all', fields: { salary: 'hidden', email: 'hidden' } } },
  },
];

const ROLE_OF: Record<UiUser, string> = { sam: 'sales', sid: 'sales', sue: 'support' };

export async function startUiScenario(): Promise<UiScenario> {
  const s = await startAppServer();
  for (const definition of ENTITIES) await defineEntity(s, definition);
  for (const role of ROLES) expect((await s.call('PUT', `/api/roles/${role.name}`, role)).status).toBe(200);
  const ids = {} as Record<UiUser, string>;
  const tokens = {} as Record<UiUser, string>;
  for (const user of Object.keys(ROLE_OF) as UiUser[]) {
    ids[user] = await addUser(s, user, { roles: [ROLE_OF[user]] });
    tokens[user] = await issueToken(s.call, { email: emailOf(user as never), password: passwordOf(user as never) });
  }
  return { s, ids, as: (user) => (method, path, body) => s.call(method, path, body, { authorization: `Bearer ${tokens[user]}` }) };
}
