/** /api/approvals: the requests waiting for the signed-in user, and their decisions (issue 7). */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import type { ApprovalRequest, Approvals } from './approvals.ts';
import { workflowProblems } from './workflows.problems.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

/** A request as the API shows it; `requestedBy` named, so the inbox can say who asked. */
function viewOf(approvals: Approvals) {
  return ({ _id, record, rev: _rev, requestedBy, ...rest }: ApprovalRequest) => ({
    id: _id.toHexString(), ...rest, record: record ? { entity: record.entity, id: record.id.toHexString() } : null,
    requestedBy: requestedBy ? { id: requestedBy, name: approvals.nameOf(requestedBy) ?? 'a former user' } : null,
  });
}

function commentOf(req: Request): string | undefined {
  const comment = (req.body as { comment?: unknown } | undefined)?.comment;
  if (comment === undefined) return undefined;
  if (typeof comment !== 'string' || comment.length > 2000) throw workflowProblems.invalidRequest.create({ detail: 'comment is text of at most 2000 characters', errors: [{ pointer: '/comment', detail: 'must be text of at most 2000 characters' }] });
  return comment;
}

export function approvalsRoutes(approvals: Approvals): Router {
  const router = Router();
  const view = viewOf(approvals);
  router.get('/api/approvals', async (_req, res) => void res.json({ data: (await approvals.mine(actorOf(res))).map(view) }));
  router.get('/api/approvals/:id', async (req, res) => {
    const r = await approvals.get(param(req, 'id'));
    const actor = actorOf(res);
    // Approvers see the requests they are (or were) part of; administrators see all.
    const involved = actor.admin || r.slots.some((s) => s.approver.user === actor.id || s.delegatedTo === actor.id || s.decidedBy === actor.id) || (await approvals.mine(actor)).some((m) => m._id.equals(r._id));
    if (!involved) throw workflowProblems.approvalNotFound.create({ detail: `There is no approval request ${param(req, 'id')}` });
    res.json(view(r));
  });
  router.get('/api/approvals/:id/delegates', async (req, res) => void res.json({ data: await approvals.delegates(param(req, 'id'), actorOf(res)) }));
  router.post('/api/approvals/:id/approve', async (req, res) => void res.json(view(await approvals.approve(param(req, 'id'), actorOf(res), commentOf(req)))));
  router.post('/api/approvals/:id/reject', async (req, res) => void res.json(view(await approvals.reject(param(req, 'id'), actorOf(res), commentOf(req)))));
  router.post('/api/approvals/:id/delegate', async (req, res) => {
    const to = (req.body as { to?: unknown } | undefined)?.to;
    if (typeof to !== 'string') throw workflowProblems.invalidRequest.create({ detail: 'to is the id of the user to delegate to', errors: [{ pointer: '/to', detail: 'must be a user id' }] });
    res.json(view(await approvals.delegate(param(req, 'id'), actorOf(res), to, commentOf(req))));
  });
  return router;
}
