/**
 * Issue 7: "a run that survives a server kill mid-run (resumes, no duplicate ...)". The real server
 * runs as a process; a run creates a note, emails the member, then calls a webhook that is held
 * open while the server is killed with SIGKILL. After a restart on the same data the run resumes
 * at the webhook step (the note and the email before it are not done again), finishes, and each
 * side effect happened once: one note of each kind, one mail in the outbox.
 */
import { createServer, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { waitFor } from '../support/crm-fixture.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const ADMIN = { email: 'crash-admin@rapport.test', password: 'crash admin password' };
let dataDir: string;
let receiverUrl = '';
const held: ServerResponse[] = [];
let hits: string[] = [];
let holdNext = true;
const receiver = createServer((req, res) => {
  hits.push(String(req.headers['x-rapport-delivery']));
  if (holdNext) {
    holdNext = false;
    held.push(res);
  } else res.end('ok');
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'rapport-workflow-crash-'));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((resolve) => receiver.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

const start = (): Promise<ServerProcess> =>
  startServer({
    command: process.execPath, args: ['--import', 'tsx', 'server/main.ts'], cwd: repoRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', RAPPORT_DATA_DIR: dataDir, MONGODB_URI: '', RAPPORT_ADMIN_EMAIL: ADMIN.email, RAPPORT_ADMIN_PASSWORD: ADMIN.password, RAPPORT_PLUGIN_FETCH_ALLOW: '127.0.0.1/32', RAPPORT_WORKFLOW_LEASE_SECONDS: '2' },
  });

async function adminCall(server: ServerProcess) {
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(server.url + path, { method, headers: { cookie, 'x-csrf-token': csrfToken, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.text().then((t) => (t ? JSON.parse(t) : null))) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

it('resumes a run killed mid-step at that step: the step before it is not done twice', async () => {
  let server = await start();
  let call = await adminCall(server);
  expect((await call('POST', '/api/metadata/entities', { name: 'member', label: 'Member', pluralLabel: 'Members', fields: [{ name: 'name', type: 'text' }, { name: 'email', type: 'email' }] })).status).toBe(201);
  expect((await call('POST', '/api/metadata/entities', { name: 'note', label: 'Note', pluralLabel: 'Notes', fields: [{ name: 'text', type: 'text' }, { name: 'member', type: 'relation', target: 'member', onDelete: 'cascade' }] })).status).toBe(201);
  const template = await call('PUT', '/api/templates/welcome', { kind: 'email', parts: { subject: 'Welcome {{{name}}}', text: 'Hello {{{name}}}' } });
  expect(template.status, JSON.stringify(template.body)).toBe(201);
  const wf = await call('POST', '/api/workflows', {
    name: 'welcome', label: 'Welcome', entity: 'member', trigger: { kind: 'recordCreated' },
    steps: [
      { id: 'greet', type: 'create', entity: 'note', linkField: 'member', values: [{ field: 'text', value: 'greeted' }] },
      { id: 'mail', type: 'email', template: 'welcome', to: 'email' },
      { id: 'tellCrm', type: 'webhook', url: `${receiverUrl}/members` },
      { id: 'log', type: 'create', entity: 'note', linkField: 'member', values: [{ field: 'text', value: 'welcomed' }] },
    ],
  });
  expect(wf.status, JSON.stringify(wf.body)).toBe(201);
  const member = await call('POST', '/api/entities/member/records', { name: 'Ada', email: 'ada@members.example' });
  expect(member.status).toBe(201);
  // The webhook is being called (and held): the first step is done.
  await waitFor(async () => hits.length === 1, 10_000);
  await server.stop('SIGKILL');

  hits = [];
  server = await start();
  try {
    call = await adminCall(server);
    const done = await waitFor(async () => {
      const runs = (await call('GET', '/api/workflows/welcome/runs')).body.data;
      return runs[0]?.status === 'done' && runs[0];
    }, 20_000);
    expect(done.log.map((l: { step: string; status: string }) => `${l.step}:${l.status}`)).toEqual(['greet:done', 'mail:done', 'tellCrm:done', 'log:done']);
    // The webhook step ran again under the same delivery id (a receiver can drop the repeat)...
    expect(hits).toHaveLength(1);
    // ...but each note was created once: the first before the kill, the last after the restart.
    const notes = (await call('GET', '/api/entities/note/records?sort=text')).body.data as Array<{ text: string; member: string }>;
    expect(notes.map((n) => [n.text, n.member])).toEqual([['greeted', member.body._id], ['welcomed', member.body._id]]);
    // ...and the member got one email, not one per attempt.
    const mails = (await call('GET', '/api/mail/outbox')).body.data as Array<{ to: string; template: string }>;
    expect(mails.map((m) => [m.to, m.template])).toEqual([['ada@members.example', 'welcome']]);
  } finally {
    await server.stop('SIGTERM');
  }
}, 90_000);
