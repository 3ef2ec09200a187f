/**
 * Merging records (issue 5): everything is checked first (merge-plan.ts), then every write goes
 * through the records service, so each is validated, authorised, hooked and audited like any
 * other, on the `merge` channel:
 * 1. the survivor takes the winning values (its history shows each value it took, channel merge);
 *    a refusal here leaves everything as it was;
 * 2. every record pointing at a loser is moved to the survivor;
 * 3. the losers are deleted last, through the normal delete: to the recycle bin, restorable.
 * A crash or a refusal halfway loses nothing: until step 3 the losers are intact, and sending the
 * merge again finishes it (values already taken and records already moved are no-ops).
 */
import type { ObjectId } from 'mongodb';
import type { InboundLink } from '../metadata/index.ts';
import type { ApiRecord, RecordsService, WriteContext } from '../records/index.ts';
import type { DuplicateMatch } from '../records/duplicate-guard.ts';
import type { WriteRequest } from '../records/write-pipeline.ts';
import { Problem } from '../shared/errors.ts';
import type { Actor } from '../shared/actor.ts';
import { duplicateProblems } from './duplicates.problems.ts';
import { createMergePlanner, type MergePlan } from './merge-plan.ts';

export type MergeResult = { record: ApiRecord; merged: string[]; moved: Array<{ entity: string; field: string; count: number }>; warnings: DuplicateMatch[] };

const VERSION_RETRIES = 3;
const hex = (id: unknown): string => (id as ObjectId).toHexString();
const statusOf = (err: unknown): number | undefined => (err instanceof Problem ? err.status : undefined);

/** The links with every loser replaced by the survivor (once), or null when none points at a loser. */
function relinked(stored: unknown, losers: Set<string>, survivor: string): Array<Record<string, unknown>> | null {
  const links = Array.isArray(stored) ? (stored as Array<{ _id: ObjectId } & Record<string, unknown>>) : [];
  if (!links.some((l) => losers.has(hex(l._id)))) return null;
  const out: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  // The survivor's own link keeps its attributes; a loser's link becomes the survivor's if it had none.
  const ordered = [...links.filter((l) => hex(l._id) === survivor), ...links.filter((l) => hex(l._id) !== survivor)];
  for (const { _id, ...attributes } of ordered) {
    const id = losers.has(hex(_id)) ? survivor : hex(_id);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, ...attributes });
  }
  return out;
}

export function createMerge(deps: { ctx: WriteContext; records: RecordsService }) {
  const { ctx, records } = deps;
  const planner = createMergePlanner(deps);

  async function moveChild(link: InboundLink, id: ObjectId, plan: MergePlan, req: WriteRequest): Promise<void> {
    const survivor = hex(plan.survivor._id);
    if (link.field.type === 'relation') {
      await records.update(link.entity.name, { ...req, id: hex(id), body: { [link.field.name]: survivor } });
      return;
    }
    const losers = new Set(plan.losers.map((l) => hex(l._id)));
    // Links are a list: rewrite it from the stored one, and only if nobody changed it meanwhile.
    for (let attempt = 0; ; attempt++) {
      const fresh = await ctx.db.collection(link.entity.collection).findOne({ _id: id, _deleting: { $exists: false } });
      const links = fresh && relinked(fresh[link.field.name], losers, survivor);
      if (!links) return;
      try {
        await records.update(link.entity.name, { ...req, id: hex(id), body: { [link.field.name]: links }, expectedVersion: fresh._version as number });
        return;
      } catch (err) {
        if (statusOf(err) !== 412 || attempt >= VERSION_RETRIES) throw err;
      }
    }
  }

  async function moveAll(plan: MergePlan, req: WriteRequest): Promise<MergeResult['moved']> {
    const moved: MergeResult['moved'] = [];
    for (const { link, children } of plan.moves) {
      for (const child of children) {
        try {
          await moveChild(link, child._id as ObjectId, plan, req);
        } catch (err) {
          // A record deleted since the plan has nothing left to move.
          if (statusOf(err) === 404) continue;
          throw incomplete(err, `moving ${link.entity.name} ${hex(child._id)} to the surviving record`, []);
        }
      }
      moved.push({ entity: link.entity.name, field: link.field.name, count: children.length });
    }
    return moved;
  }

  return {
    async merge(entityName: string, survivorId: string, body: unknown, actor: Actor): Promise<MergeResult> {
      const plan = await planner.plan(entityName, survivorId, body, actor);
      const { entity } = plan;
      const warnings: DuplicateMatch[] = [];
      const loserIds = plan.losers.map((l) => l._id as ObjectId);
      const req: WriteRequest = { actor, channel: 'merge', duplicates: { ignore: loserIds, onWarning: (m) => warnings.push(...m) } };
      if (Object.keys(plan.body).length) await records.update(entity.name, { ...req, id: hex(plan.survivor._id), body: plan.body, pointerBase: '/values' });
      const moved = await moveAll(plan, req);
      const deleted: string[] = [];
      for (const loser of plan.losers) {
        try {
          await records.remove(entity.name, { actor, channel: 'merge', id: hex(loser._id) });
        } catch (err) {
          throw incomplete(err, `deleting ${entity.name} ${hex(loser._id)}`, deleted);
        }
        deleted.push(hex(loser._id));
      }
      return { record: await records.get(entity.name, hex(plan.survivor._id), actor), merged: deleted, moved, warnings };
    },
  };
}

/** A refusal after the first write: say what is done and how to finish; anything unexpected stays a 500. */
function incomplete(err: unknown, step: string, deleted: string[]): unknown {
  if (!(err instanceof Problem)) return err;
  const done = deleted.length ? ` Already merged and in the recycle bin: ${deleted.join(', ')}; leave them out when you send the merge again.` : ' No merged record was deleted; send the merge again once this is fixed.';
  return duplicateProblems.mergeIncomplete.create({
    detail: `The surviving record has its new values, but ${step} was refused (${err.title}: ${err.detail ?? ''}).${done}`,
    errors: [{ pointer: '/merge', detail: `${step}: ${err.detail ?? err.title}` }, ...(err.errors ?? []).map((e) => ({ pointer: '/merge', detail: `${e.pointer} ${e.detail}` }))],
  });
}
