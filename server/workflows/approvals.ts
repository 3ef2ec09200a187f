/**
 * Approvals (issue 7). An approval step opens a request in `approval_requests` with one slot per
 * approver (a user, anyone holding a role, or the user in a field of the record such as the line
 * manager), asked in parallel or in sequence, decided by all, any or a quorum. The run waits; each
 * decision is one atomic update of the request, and the one that settles it wakes the run, which
 * then takes the onApprove or onReject steps. A slot may be delegated; at the deadline the
 * undecided slots are escalated to the escalation approver, once.
 */
import { createHash } from 'node:crypto';
import { ObjectId, type Collection, type Db } from 'mongodb';
import type { Actor } from '../shared/actor.ts';
import { workflowProblems } from './workflows.problems.ts';
import type { RunsStore } from './runs.store.ts';
import type { ApprovalStep } from './workflow.types.ts';
import { next, type StepContext, type StepResult } from './steps/step-context.ts';

type Approver = { user?: string; role?: string };
export type Slot = { approver: Approver; status: 'waiting' | 'pending' | 'approved' | 'rejected' | 'escalated'; delegatedTo?: string; decidedBy?: string; comment?: string; at?: Date };
export type ApprovalRequest = {
  _id: ObjectId;
  run: string;
  workflow: string;
  step: string;
  label: string;
  record: { entity: string; id: ObjectId } | null;
  status: 'pending' | 'approved' | 'rejected';
  order: 'parallel' | 'sequence';
  decide: 'all' | 'any' | 'quorum';
  quorum: number;
  slots: Slot[];
  deadline: Date | null;
  escalateTo: Approver | null;
  escalated: boolean;
  lockRecord: boolean;
  /** The user whose change or button started the run (null: a schedule, a webhook, an email). */
  requestedBy?: string | null;
  /** Bumped by every decision: the compare-and-set token. */
  rev: number;
  createdAt: Date;
  decidedAt?: Date;
};

/**
 * Who holds which roles (the auth capability): undefined for a user who does not exist or is
 * inactive. `nameOf` and `active` let the inbox say who asked and offer whom to delegate to.
 */
export type People = {
  rolesOf(userId: string): string[] | undefined;
  nameOf?(userId: string): string | undefined;
  active?(): Array<{ id: string; name: string; email: string }>;
};

const FAR_FUTURE = new Date('9999-01-01T00:00:00Z');
const idOf = (key: string) => new ObjectId(createHash('sha256').update(`approval:${key}`).digest('hex').slice(0, 24));

/** The request's outcome from its slots, or null while it is open. */
export function outcome(r: Pick<ApprovalRequest, 'slots' | 'decide' | 'quorum'>): 'approved' | 'rejected' | null {
  const live = r.slots.filter((s) => s.status !== 'escalated');
  const approved = live.filter((s) => s.status === 'approved').length;
  const rejected = live.filter((s) => s.status === 'rejected').length;
  const need = r.decide === 'all' ? live.length : r.decide === 'any' ? 1 : Math.min(r.quorum, live.length);
  if (approved >= need) return 'approved';
  if (live.length - rejected < need) return 'rejected';
  return null;
}

/** In sequence, the next waiting slot opens when the one before it is approved. */
function openNext(r: ApprovalRequest): void {
  if (r.order !== 'sequence' || r.slots.some((s) => s.status === 'pending')) return;
  const waiting = r.slots.find((s) => s.status === 'waiting');
  if (waiting) waiting.status = 'pending';
}

export function createApprovals(deps: { db: Db; runs: RunsStore; people: People }) {
  const requests: Collection<ApprovalRequest> = deps.db.collection('approval_requests');

  function mayDecide(slot: Slot, actor: Actor): boolean {
    if (slot.status !== 'pending') return false;
    if (slot.delegatedTo) return slot.delegatedTo === actor.id;
    if (slot.approver.user) return slot.approver.user === actor.id;
    return !!slot.approver.role && (deps.people.rolesOf(actor.id) ?? []).includes(slot.approver.role);
  }

  async function open(c: StepContext, step: ApprovalStep): Promise<ApprovalRequest> {
    const t = await c.target();
    const userIn = (field: string): string => {
      const value: unknown = t?.doc?.[field];
      return value instanceof ObjectId ? value.toHexString() : typeof value === 'string' ? value : '';
    };
    const approvers: Approver[] = step.approvers.map((a) => (a.userField ? { user: userIn(a.userField) } : a.user ? { user: a.user } : { role: a.role! }));
    const order = step.order ?? 'parallel';
    const request: ApprovalRequest = {
      _id: idOf(c.key), run: c.run._id, workflow: c.run.workflow, step: step.id, label: step.label ?? step.id,
      record: t ? { entity: t.entity.name, id: t.id } : null, status: 'pending', order, decide: step.decide ?? 'all', quorum: step.quorum ?? 1,
      slots: approvers.map((approver, i) => ({ approver, status: order === 'sequence' && i > 0 ? 'waiting' : 'pending' })),
      deadline: step.deadlineMinutes ? new Date(Date.now() + step.deadlineMinutes * 60_000) : null,
      escalateTo: step.escalateTo ?? null, escalated: false, lockRecord: step.lockRecord ?? false, requestedBy: c.run.trigger.by ?? null, rev: 0, createdAt: new Date(),
    };
    // An approver named by an empty field can never answer: that slot counts as a rejection.
    for (const s of request.slots) if (s.approver.user === '') Object.assign(s, { status: 'rejected', comment: 'no approver in the record', at: new Date() });
    openNext(request);
    await requests.insertOne(request).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
    });
    return (await requests.findOne({ _id: request._id }))!;
  }

  function settle(step: ApprovalStep, c: StepContext, r: ApprovalRequest): StepResult {
    const decision = { decision: r.status, decisions: r.slots.map((s) => ({ approver: s.approver, status: s.status, decidedBy: s.decidedBy ?? null, comment: s.comment ?? null })) };
    const steps = r.status === 'approved' ? step.onApprove : step.onReject;
    if (!steps?.length) return next(decision);
    return { kind: 'enter', frame: { list: `${c.path}/${r.status === 'approved' ? 'onApprove' : 'onReject'}`, index: 0, ...(c.frame.record ? { record: c.frame.record } : {}) }, output: decision };
  }

  /** The step: opens the request, waits, and when woken escalates at the deadline or follows the decision. */
  async function execute(c: StepContext, step: ApprovalStep): Promise<StepResult> {
    if (c.dry) return settle(step, c, { status: 'approved', slots: step.approvers.map((a) => ({ approver: a as Approver, status: 'approved' })) } as ApprovalRequest);
    let r = (await requests.findOne({ _id: idOf(c.key) })) ?? (await open(c, step));
    if (r.status === 'pending') {
      const settled = outcome(r);
      if (settled) r = (await requests.findOneAndUpdate({ _id: r._id, status: 'pending', rev: r.rev }, { $set: { status: settled, decidedAt: new Date() }, $inc: { rev: 1 } }, { returnDocument: 'after' })) ?? r;
    }
    if (r.status !== 'pending') return settle(step, c, r);
    if (r.deadline && r.deadline.getTime() <= Date.now() && !r.escalated) {
      const slots: Slot[] = r.slots.map((s) => (s.status === 'pending' || s.status === 'waiting' ? { ...s, status: 'escalated' } : s));
      if (r.escalateTo) slots.push({ approver: r.escalateTo, status: 'pending' });
      await requests.updateOne({ _id: r._id, status: 'pending', rev: r.rev }, { $set: { slots, escalated: true, deadline: null }, $inc: { rev: 1 } });
      return execute(c, step);
    }
    return { kind: 'wait', until: r.deadline ?? FAR_FUTURE };
  }

  async function find(id: string): Promise<ApprovalRequest> {
    const r = /^[0-9a-f]{24}$/.test(id) ? await requests.findOne({ _id: new ObjectId(id) }) : null;
    if (!r) throw workflowProblems.approvalNotFound.create({ detail: `There is no approval request ${id}` });
    return r;
  }

  /** One decision or delegation, as a compare-and-set on the request as read; a lost race is retried. */
  async function decide(id: string, actor: Actor, change: (r: ApprovalRequest, slot: Slot) => void): Promise<ApprovalRequest> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await find(id);
      const slot = r.status === 'pending' ? r.slots.find((s) => mayDecide(s, actor)) : undefined;
      if (!slot) throw workflowProblems.notYourApproval.create({ detail: r.status === 'pending' ? 'You are not asked to decide this request' : `This request is already ${r.status}` });
      change(r, slot);
      openNext(r);
      const settled = outcome(r);
      const res = await requests.updateOne({ _id: r._id, status: 'pending', rev: r.rev }, { $set: { slots: r.slots, ...(settled ? { status: settled, decidedAt: new Date() } : {}) }, $inc: { rev: 1 } });
      if (res.modifiedCount === 1) {
        if (settled) await deps.runs.wake(r.run);
        return (await requests.findOne({ _id: r._id }))!;
      }
    }
    throw workflowProblems.approvalBusy.create();
  }

  return {
    init: () => requests.createIndex({ 'record.id': 1, status: 1 }),
    execute,
    /** Whether a pending request holds the record locked. */
    async locked(recordId: ObjectId): Promise<boolean> {
      return (await requests.countDocuments({ 'record.id': recordId, status: 'pending', lockRecord: true }, { limit: 1 })) > 0;
    },
    async mine(actor: Actor) {
      const roles = deps.people.rolesOf(actor.id) ?? [];
      return requests.find({ status: 'pending', slots: { $elemMatch: { status: 'pending', $or: [{ delegatedTo: actor.id }, { delegatedTo: { $exists: false }, 'approver.user': actor.id }, { delegatedTo: { $exists: false }, 'approver.role': { $in: roles } }] } } }).sort({ createdAt: 1 }).limit(200).toArray();
    },
    get: find,
    nameOf: (userId: string): string | undefined => deps.people.nameOf?.(userId),
    /** The people an approver of this request (or an administrator) may hand it to: every active user but themselves. */
    async delegates(id: string, actor: Actor) {
      const r = await find(id);
      if (!actor.admin && !r.slots.some((s) => mayDecide(s, actor))) throw workflowProblems.notYourApproval.create({ detail: 'You are not asked to decide this request' });
      return (deps.people.active?.() ?? []).filter((p) => p.id !== actor.id);
    },
    approve: (id: string, actor: Actor, comment?: string) => decide(id, actor, (_r, s) => Object.assign(s, { status: 'approved', decidedBy: actor.id, at: new Date(), ...(comment ? { comment } : {}) })),
    reject: (id: string, actor: Actor, comment?: string) => decide(id, actor, (_r, s) => Object.assign(s, { status: 'rejected', decidedBy: actor.id, at: new Date(), ...(comment ? { comment } : {}) })),
    delegate(id: string, actor: Actor, to: string, comment?: string) {
      if (!deps.people.rolesOf(to)) throw workflowProblems.invalidRequest.create({ detail: 'Delegate to an active user', errors: [{ pointer: '/to', detail: 'must be the id of an active user' }] });
      return decide(id, actor, (_r, s) => Object.assign(s, { delegatedTo: to, ...(comment ? { comment } : {}) }));
    },
  };
}

export type Approvals = ReturnType<typeof createApprovals>;
