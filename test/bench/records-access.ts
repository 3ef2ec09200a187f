import type { Db } from 'mongodb';
import { createHttpClient, type HttpClient } from './records-http.ts';

// Issue 4's side of the records benchmark: the administrator the server starts with, and a
// non-admin "rep" who reads contacts through a sharing rule ("contacts whose status is the rep's
// status attribute", about a fifth of them) with one field hidden.

export const BENCH_ADMIN = { email: 'bench-admin@rapport.test', password: 'bench admin password' };
const REP = { email: 'rep@rapport.test', password: 'bench rep password', status: 'customer' };

export const REP_ROLE = {
  name: 'rep',
  label: 'Sales rep',
  entities: {
    contact: { read: true, scope: 'own', fields: { notes: 'hidden' }, sharing: [{ label: 'Contacts of my status', filter: { field: 'status', op: 'eq', value: { $user: 'attributes.status' } } }] },
    account: { read: true, scope: 'all' },
  },
};

/** Signs in as a person would (cookie + CSRF token) and makes an API token. */
export async function tokenFor(base: string, who: { email: string; password: string }, scopes = ['records:write']): Promise<string> {
  const anonymous = createHttpClient(base, 1);
  try {
    const reply = await anonymous.send('POST', '/api/auth/sign-in', { email: who.email, password: who.password });
    if (reply.status !== 200) throw new Error(`sign-in as ${who.email}: ${reply.status} ${reply.text}`);
    const { csrfToken } = JSON.parse(reply.text) as { csrfToken: string };
    const session = createHttpClient(base, 1, { cookie: reply.cookie!, 'x-csrf-token': csrfToken });
    const { token } = await session.json<{ token: string }>('POST', '/api/auth/tokens', { name: 'bench', scopes }, 201);
    session.close();
    return token;
  } finally {
    anonymous.close();
  }
}

/** A client that sends a new API token of `who`. */
export async function clientFor(base: string, sockets: number, who: { email: string; password: string }, scopes = ['records:write']): Promise<HttpClient> {
  return createHttpClient(base, sockets, { authorization: `Bearer ${await tokenFor(base, who, scopes)}` });
}

export type Rep = { http: HttpClient; visibleIds: string[]; share: number };

/** Creates the role and the user, and finds (through the driver) the contacts the rule lets them read. */
export async function setUpRep(admin: HttpClient, db: Db, sockets: number): Promise<Rep> {
  await admin.json('PUT', `/api/roles/${REP_ROLE.name}`, REP_ROLE);
  await admin.json('POST', '/api/users', { email: REP.email, name: 'Rep', password: REP.password, roles: [REP_ROLE.name], attributes: { status: REP.status } }, 201);
  const contacts = db.collection('rec_contact');
  const [visible, total] = await Promise.all([contacts.find({ status: REP.status }, { projection: { _id: 1 } }).limit(20_000).toArray(), contacts.estimatedDocumentCount()]);
  const share = (await contacts.countDocuments({ status: REP.status })) / total;
  return { http: await clientFor(admin.base, sockets, REP), visibleIds: visible.map((d) => String(d._id)), share };
}

/** The rep's answers are right, not just fast: only their status, never the hidden field, and 404 outside the rule. */
export async function checkRep(rep: Rep, listPath: string, allIds: string[]): Promise<string> {
  const page = await rep.http.json<{ data: Array<Record<string, unknown>> }>('GET', listPath);
  const problems = [
    page.data.length === 0 && 'an empty page',
    page.data.some((r) => r.status !== REP.status) && `a record whose status is not ${REP.status}`,
    page.data.some((r) => 'notes' in r) && 'the hidden notes field',
  ].filter(Boolean);
  const visible = new Set(rep.visibleIds);
  const outside = allIds.find((id) => !visible.has(id));
  const reply = outside ? await rep.http.send('GET', `/api/entities/contact/records/${outside}`) : undefined;
  if (reply && reply.status !== 404) problems.push(`GET of a record outside the rule answered ${reply.status}`);
  if (problems.length) throw new Error(`the rep's reads are wrong: ${problems.join('; ')}`);
  return `a page of ${page.data.length} ${REP.status} contacts without notes; a record outside the rule answers 404`;
}
