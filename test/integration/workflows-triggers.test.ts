/**
 * Issue 7, workflows: each trigger kind starts runs (record created/updated/deleted, a field
 * changed to or from a value, a condition becoming true, a date relative to a field and its
 * re-planning, a schedule, a manual button, an inbound webhook), and the flow steps (update,
 * create, branch, switch, for-each, wait) do what they say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity, expectProblem, getRecord, waitFor } from '../support/crm-fixture.ts';
import { issueUserToken } from '../support/auth-fixture.ts';

let server: AppServer;
const define = (d: Record<string, unknown>) => defineEntity(server, { pluralLabel: `${String(d.label)}s`, ...d });
const STATUS = [{ value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }, { value: 'urgent', label: 'Urgent' }];

async function workflow(body: Record<string, unknown>) {
  const res = await server.call('POST', '/api/workflows', { label: String(body.name), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}
const runsOf = async (name: string) => (await server.call('GET', `/api/workflows/${name}/runs`)).body.data as Array<{ id: string; status: string; record: { id: string } | null; log: Array<{ step: string; status: string; output?: unknown }>; error?: string; trigger: { kind: string } }>;
const finishedRuns = (name: string, count: number, timeoutMs = 5000) =>
  waitFor(async () => {
    const runs = await runsOf(name);
    return runs.length >= count && runs.every((r) => ['done', 'failed'].includes(r.status)) && runs;
  }, timeoutMs);
const tasksOf = async (caseId: string) => (await server.call('GET', `/api/entities/task/records?filter=${encodeURIComponent(JSON.stringify({ field: 'case', op: 'eq', value: caseId }))}`)).body.data as Array<Record<string, unknown>>;

beforeAll(async () => {
  server = await startAppServer({ workflows: { pollMs: 50, retry: { baseMs: 50, maxAttempts: 3 } } });
  await define({
    name: 'case', label: 'Case', titleField: 'title',
    fields: [
      { name: 'title', type: 'text' }, { name: 'status', type: 'select', options: STATUS }, { name: 'priority', type: 'integer' },
      { name: 'note', type: 'text' }, { name: 'reviewOn', type: 'datetime' }, { name: 'email', type: 'email' }, { name: 'flag', type: 'text' },
    ],
  });
  await define({ name: 'task', label: 'Task', fields: [{ name: 'subject', type: 'text' }, { name: 'case', type: 'relation', target: 'case', onDelete: 'cascade' }, { name: 'done', type: 'boolean' }] });
});
afterAll(() => server?.stop());

describe('workflow definitions', () => {
  it('are validated, with every problem named by its pointer', async () => {
    const res = await server.call('POST', '/api/workflows', {
      name: 'broken', label: 'Broken', entity: 'case', trigger: { kind: 'fieldChanged', field: 'nope' },
      steps: [{ id: 'a', type: 'update', set: [{ field: 'createdAt', value: 1 }, { field: 'note' }] }, { id: 'a', type: 'create', entity: 'ghost', values: [] }, { id: 'w', type: 'wait' }],
    });
    expectProblem(res, 422, ['/trigger/field', '/steps/0/set/0/field', '/steps/0/set/1', '/steps/1/id', '/steps/1/entity', '/steps/2']);
    expectProblem(await server.call('POST', '/api/workflows', { name: 'x', label: 'X', trigger: { kind: 'schedule', cron: 'every day', timeZone: 'Mars/Olympus' }, steps: [] }), 422, ['/trigger/timeZone']);
    expectProblem(await server.call('POST', '/api/workflows', { name: 'x', label: 'X', trigger: { kind: 'teleport' }, steps: [] }), 422, ['/trigger/kind']);
    expectProblem(await server.call('POST', '/api/workflows', { name: 'x', label: 'X', entity: 'case', trigger: { kind: 'recordCreated' }, condition: { field: 'status', op: 'eq', value: 'nope' }, steps: [] }), 422, ['/condition/value']);
  });

  it('are versioned, and only administrators manage them', async () => {
    await workflow({ name: 'versioned', entity: 'case', enabled: false, trigger: { kind: 'recordCreated' }, steps: [] });
    const put = await server.call('PUT', '/api/workflows/versioned', { label: 'Versioned v2', entity: 'case', enabled: false, trigger: { kind: 'recordCreated' }, steps: [] }, { 'if-match': '"1"' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expectProblem(await server.call('PUT', '/api/workflows/versioned', { label: 'stale', trigger: { kind: 'manual' }, entity: 'case', steps: [] }, { 'if-match': '"1"' }), 412);
    expect((await server.call('GET', '/api/workflows/versioned/history')).body.data.map((h: { version: number }) => h.version)).toEqual([2, 1]);
    const token = await issueUserToken(server, { roles: [{ name: 'caseReader', label: 'Case reader', entities: { case: { read: true, scope: 'all' } } }] });
    expectProblem(await server.call('GET', '/api/workflows', undefined, { authorization: `Bearer ${token}` }), 403);
    expectProblem(await server.call('POST', '/api/workflows', { name: 'y', label: 'Y', trigger: { kind: 'manual' }, steps: [] }, { authorization: `Bearer ${token}` }), 403);
  });
});

describe('record triggers', () => {
  it('record created: update the record with a formula', async () => {
    await workflow({ name: 'onCreate', entity: 'case', trigger: { kind: 'recordCreated' }, condition: { field: 'priority', op: 'gte', value: 5 }, steps: [{ id: 'mark', type: 'update', set: [{ field: 'note', formula: '"P" & TEXT(priority)' }] }] });
    const high = await createRecord(server, 'case', { title: 'high', priority: 7 });
    await createRecord(server, 'case', { title: 'low', priority: 1 });
    const [run] = await finishedRuns('onCreate', 1);
    expect(run).toMatchObject({ status: 'done', record: { id: high._id } });
    expect((await getRecord(server, 'case', high._id)).note).toBe('P7');
    const history = await server.call('GET', `/api/entities/case/records/${high._id}/history`);
    await waitFor(async () => (await server.call('GET', `/api/entities/case/records/${high._id}/history`)).body.data.some((e: { channel: string }) => e.channel === 'workflow'));
    expect(history.status).toBe(200);
    await server.call('PUT', '/api/workflows/onCreate', { label: 'off', entity: 'case', enabled: false, trigger: { kind: 'recordCreated' }, steps: [] });
  });

  it('field changed to a value (and from a value): create a related record', async () => {
    await workflow({ name: 'onClose', entity: 'case', trigger: { kind: 'fieldChanged', field: 'status', from: 'open', to: 'closed' }, steps: [{ id: 'followUp', type: 'create', entity: 'task', linkField: 'case', values: [{ field: 'subject', formula: '"Survey for " & title' }] }] });
    const c = await createRecord(server, 'case', { title: 'Boiler', status: 'open' });
    const other = await createRecord(server, 'case', { title: 'Roof', status: 'urgent' });
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { status: 'closed' });
    await server.call('PATCH', `/api/entities/case/records/${other._id}`, { status: 'closed' });
    const runs = await finishedRuns('onClose', 1);
    expect(runs.map((r) => r.record!.id)).toEqual([c._id]);
    expect((await tasksOf(c._id)).map((t) => t.subject)).toEqual(['Survey for Boiler']);
    expect(await tasksOf(other._id)).toEqual([]);
  });

  it('a condition becoming true fires once, not again while it stays true', async () => {
    await workflow({ name: 'escalate', entity: 'case', trigger: { kind: 'conditionBecomesTrue', filter: { field: 'priority', op: 'gte', value: 9 } }, steps: [{ id: 'flag', type: 'update', set: [{ field: 'flag', value: 'escalated' }] }] });
    const c = await createRecord(server, 'case', { title: 'Leak', priority: 3 });
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { priority: 9 });
    await finishedRuns('escalate', 1);
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { priority: 10 });
    await new Promise((r) => setTimeout(r, 300));
    const escalations = await finishedRuns('escalate', 1);
    expect(escalations.map((r) => [r.record?.id, r.trigger]), JSON.stringify(escalations.map((r) => r.trigger))).toHaveLength(1);
    expect((await getRecord(server, 'case', c._id)).flag).toBe('escalated');
  });

  it('record deleted: the run sees the trigger and records what happened', async () => {
    await workflow({ name: 'onDelete', entity: 'case', trigger: { kind: 'recordDeleted' }, steps: [{ id: 'log', type: 'create', entity: 'task', values: [{ field: 'subject', value: 'a case was deleted' }] }] });
    const c = await createRecord(server, 'case', { title: 'Gone' });
    await server.call('DELETE', `/api/entities/case/records/${c._id}`);
    const [run] = await finishedRuns('onDelete', 1);
    expect(run).toMatchObject({ status: 'done', trigger: { kind: 'recordDeleted' } });
  });

  it('stops a workflow that triggers itself at the depth limit', async () => {
    await workflow({ name: 'selfLoop', entity: 'case', trigger: { kind: 'fieldChanged', field: 'title' }, condition: { field: 'flag', op: 'eq', value: 'loop' }, steps: [{ id: 'again', type: 'update', set: [{ field: 'title', formula: 'title & "+"' }] }] });
    const c = await createRecord(server, 'case', { title: 'L', flag: 'loop' });
    await waitFor(async () => (await runsOf('selfLoop')).length >= 2 && (await runsOf('selfLoop')).every((r) => r.status === 'done'));
    await new Promise((r) => setTimeout(r, 400));
    expect(await runsOf('selfLoop')).toHaveLength(2);
    expect((await getRecord(server, 'case', c._id)).title).toBe('L++');
    await server.call('DELETE', '/api/workflows/selfLoop');
  });
});

describe('flow steps', () => {
  it('branch, switch and for-each follow the record', async () => {
    await workflow({
      name: 'triage', entity: 'case', trigger: { kind: 'manual' },
      steps: [
        { id: 'which', type: 'branch', if: { field: 'priority', op: 'gte', value: 5 }, then: [{ id: 'hi', type: 'update', set: [{ field: 'note', value: 'high' }] }], else: [{ id: 'lo', type: 'update', set: [{ field: 'note', value: 'low' }] }] },
        { id: 'bystatus', type: 'branch', switch: 'status', cases: [{ value: 'urgent', steps: [{ id: 'urg', type: 'update', set: [{ field: 'flag', value: 'call now' }] }] }], default: [{ id: 'def', type: 'update', set: [{ field: 'flag', value: 'queue' }] }] },
        { id: 'each', type: 'forEach', entity: 'task', via: 'case', filter: { field: 'done', op: 'ne', value: true }, steps: [{ id: 'close', type: 'update', set: [{ field: 'done', value: true }] }] },
      ],
    });
    const a = await createRecord(server, 'case', { title: 'A', priority: 8, status: 'urgent' });
    const b = await createRecord(server, 'case', { title: 'B', priority: 2, status: 'open' });
    for (const subject of ['t1', 't2', 't3']) await createRecord(server, 'task', { subject, case: a._id });
    const started = await server.call('POST', '/api/workflows/triage/run', { recordIds: [a._id, b._id] });
    expect(started.status).toBe(202);
    await finishedRuns('triage', 2);
    expect(await getRecord(server, 'case', a._id)).toMatchObject({ note: 'high', flag: 'call now' });
    expect(await getRecord(server, 'case', b._id)).toMatchObject({ note: 'low', flag: 'queue' });
    expect((await tasksOf(a._id)).map((t) => t.done)).toEqual([true, true, true]);
  });

  it('wait until a condition holds: woken as soon as the record changes', async () => {
    await workflow({ name: 'waiter', entity: 'case', trigger: { kind: 'manual' }, steps: [{ id: 'hold', type: 'wait', untilCondition: { field: 'status', op: 'eq', value: 'closed' } }, { id: 'after', type: 'update', set: [{ field: 'note', value: 'closed at last' }] }] });
    const c = await createRecord(server, 'case', { title: 'W', status: 'open' });
    await server.call('POST', '/api/workflows/waiter/run', { recordIds: [c._id] });
    await waitFor(async () => (await runsOf('waiter'))[0]?.status === 'waiting');
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { status: 'closed' });
    await finishedRuns('waiter', 1);
    expect((await getRecord(server, 'case', c._id)).note).toBe('closed at last');
  });

  it('test mode shows what would happen and changes nothing', async () => {
    const c = await createRecord(server, 'case', { title: 'T', priority: 9, status: 'open' });
    const res = await server.call('POST', '/api/workflows/triage/test', { recordId: c._id });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.log.map((l: { step: string }) => l.step)).toEqual(['which', 'hi', 'bystatus', 'def', 'each']);
    expect(res.body.log[1].output).toEqual({ wouldSet: { note: 'high' } });
    expect((await getRecord(server, 'case', c._id)).note).toBeNull();
    expect(await runsOf('triage')).toHaveLength(2);
  });
});

describe('time and outside triggers', () => {
  it('date relative: planned from the field, planned again when it moves, dropped when it goes, then fired', async () => {
    await workflow({ name: 'review', entity: 'case', trigger: { kind: 'dateRelative', field: 'reviewOn', offsetMinutes: -60 }, steps: [{ id: 'remind', type: 'update', set: [{ field: 'flag', value: 'review soon' }] }] });
    const later = new Date(Date.now() + 10 * 86_400_000);
    const c = await createRecord(server, 'case', { title: 'D', reviewOn: later.toISOString() });
    const planned = () => collection(server, 'workflow_runs').find({ workflow: 'review', status: 'scheduled' }).toArray();
    await waitFor(async () => (await planned()).length === 1);
    expect((await planned())[0]!.dueAt.getTime()).toBe(later.getTime() - 3_600_000);
    const moved = new Date(later.getTime() + 86_400_000);
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { reviewOn: moved.toISOString() });
    await waitFor(async () => (await planned())[0]?.dueAt.getTime() === moved.getTime() - 3_600_000);
    expect(await planned()).toHaveLength(1);
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { reviewOn: null });
    await waitFor(async () => (await planned()).length === 0);
    // A review in one hour and a second is due in a second.
    await server.call('PATCH', `/api/entities/case/records/${c._id}`, { reviewOn: new Date(Date.now() + 3_601_000).toISOString() });
    await finishedRuns('review', 1);
    expect((await getRecord(server, 'case', c._id)).flag).toBe('review soon');
  });

  it('a schedule fires on its cron, once per occurrence', async () => {
    await workflow({ name: 'everySecond', trigger: { kind: 'schedule', cron: '* * * * * *', timeZone: 'Europe/London' }, steps: [{ id: 'tick', type: 'create', entity: 'task', values: [{ field: 'subject', value: 'tick' }] }] });
    const runs = await finishedRuns('everySecond', 2, 5000);
    await server.call('PUT', '/api/workflows/everySecond', { label: 'off', enabled: false, trigger: { kind: 'schedule', cron: '* * * * * *' }, steps: [] });
    const ids = runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^everySecond:cron:\d{4}-/.test(id))).toBe(true);
  });

  it('manual runs need read access to the records', async () => {
    const c = await createRecord(server, 'case', { title: 'M' });
    const token = await issueUserToken(server, { roles: [{ name: 'taskOnly', label: 'Task only', entities: { task: { read: true, scope: 'all' } } }] });
    expectProblem(await server.call('POST', '/api/workflows/triage/run', { recordIds: [c._id] }, { authorization: `Bearer ${token}` }), 404);
    expectProblem(await server.call('POST', '/api/workflows/triage/run', { recordIds: [] }), 400, ['/recordIds']);
    expectProblem(await server.call('POST', '/api/workflows/onClose/run', { recordIds: [c._id] }), 409);
  });

  it('an inbound webhook starts a run only with the workflow\'s secret', async () => {
    const created = await workflow({ name: 'inbound', trigger: { kind: 'webhook' }, steps: [{ id: 'note', type: 'create', entity: 'task', values: [{ field: 'subject', value: 'from a webhook' }] }] });
    expect(created.secret).toMatch(/^[\w-]{40,}$/);
    const post = (headers: Record<string, string>) => fetch(`${server.base}/hooks/workflows/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ order: 42 }) });
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post({})).status).toBe(401);
    expect((await fetch(`${server.base}/hooks/workflows/nope`, { method: 'POST', headers: { 'x-rapport-secret': created.secret } })).status).toBe(401);
    expect((await post({ 'x-rapport-secret': created.secret })).status).toBe(202);
    const [run] = await finishedRuns('inbound', 1);
    expect(run).toMatchObject({ status: 'done', trigger: { kind: 'webhook', input: { order: 42 } } });
    const rotated = await server.call('POST', '/api/workflows/inbound/secret');
    expect((await post({ 'x-rapport-secret': created.secret })).status).toBe(401);
    expect((await post({ 'x-rapport-secret': rotated.body.secret })).status).toBe(202);
  });

  it('lists a record\'s runs for people who can read it', async () => {
    const c = await createRecord(server, 'case', { title: 'H', priority: 1 });
    await server.call('POST', '/api/workflows/triage/run', { recordIds: [c._id] });
    await waitFor(async () => (await server.call('GET', `/api/entities/case/records/${c._id}/workflow-runs`)).body.data[0]?.status === 'done');
    const runs = (await server.call('GET', `/api/entities/case/records/${c._id}/workflow-runs`)).body.data;
    expect(runs).toEqual([expect.objectContaining({ workflow: 'triage', status: 'done', trigger: expect.objectContaining({ kind: 'manual' }) })]);
  });
});
