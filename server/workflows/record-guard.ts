/**
 * What workflows refuse in the write pipeline (issue 7), as before-save hooks: a change of a
 * state-machine field that is not an allowed transition (or not one this user may make), and any
 * change to a record held locked by a pending approval. Administrators and workflows themselves
 * (the system actor) pass: they are how a stuck record is moved on.
 */
import { ObjectId } from 'mongodb';
import type { SaveHooks, HookInput, SaveInput } from '../records/index.ts';
import type { Actor } from '../shared/actor.ts';
import { workflowProblems } from './workflows.problems.ts';
import type { Approvals, People } from './approvals.ts';
import type { StoredWorkflow } from './workflows.store.ts';
import type { StateMachineTrigger } from './workflow.types.ts';

export type Transition = StateMachineTrigger['transitions'][number];

/** The transition that moves `from` to `to`, if the machine has one. */
export function transitionOf(machine: StateMachineTrigger, from: string | null, to: string | null): Transition | undefined {
  return machine.transitions.find((t) => t.to === to && (t.from.includes('*') || (from !== null && t.from.includes(from))));
}

export function createRecordGuard(deps: { live: () => StoredWorkflow[]; approvals: Approvals; people: People }): SaveHooks {
  /** Per entity, its state machines and whether one of its workflows locks records: worked out once per list of live workflows (every save asks). */
  let seen: StoredWorkflow[] | undefined;
  let byEntity = new Map<string, { machines: StateMachineTrigger[]; locks: boolean }>();
  const workflowsOf = (entity: string) => {
    const live = deps.live();
    if (live !== seen) [seen, byEntity] = [live, new Map()];
    let found = byEntity.get(entity);
    if (!found) {
      const own = live.filter((w) => w.definition.entity === entity);
      const machines = own.filter((w) => w.definition.enabled !== false && w.definition.trigger.kind === 'stateMachine').map((w) => w.definition.trigger as StateMachineTrigger);
      found = { machines, locks: own.some((w) => JSON.stringify(w.definition).includes('"lockRecord":true')) };
      byEntity.set(entity, found);
    }
    return found;
  };
  const machinesOf = (entity: string) => workflowsOf(entity).machines;
  const locksUsed = (entity: string) => workflowsOf(entity).locks;
  const privileged = (actor: Actor) => actor.admin || actor.kind === 'system';
  const mayBeLocked = (input: HookInput) => !privileged(input.actor) && locksUsed(input.entity.name);

  async function refuseIfLocked(input: HookInput): Promise<void> {
    if (!mayBeLocked(input)) return;
    const record = await input.record();
    if (record && (await deps.approvals.locked(new ObjectId(String(record._id))))) throw workflowProblems.recordLocked.create();
  }

  function checkMove(machine: StateMachineTrigger, actor: Actor, from: string | null, to: string | null): void {
    if (from === to) return;
    if (from === null && machine.initial && to !== null && !machine.initial.includes(to)) {
      throw workflowProblems.illegalTransition.create({ detail: `A new record starts as ${machine.initial.join(' or ')}, not ${to}`, errors: [{ pointer: `/${machine.field}`, detail: `must be one of: ${machine.initial.join(', ')}` }] });
    }
    if (from === null) return;
    const t = transitionOf(machine, from, to);
    const allowed = machine.transitions.filter((x) => x.from.includes('*') || x.from.includes(from)).map((x) => x.to);
    if (!t) throw workflowProblems.illegalTransition.create({ detail: `${machine.field} cannot go from ${from} to ${to ?? 'empty'}`, errors: [{ pointer: `/${machine.field}`, detail: allowed.length ? `can go from ${from} to: ${allowed.join(', ')}` : `cannot change from ${from}` }] });
    if (t.roles?.length && !privileged(actor) && !(deps.people.rolesOf(actor.id) ?? []).some((r) => t.roles!.includes(r))) {
      throw workflowProblems.illegalTransition.create({ detail: `Only ${t.roles.join(' or ')} may move ${machine.field} from ${from} to ${to}`, errors: [{ pointer: `/${machine.field}`, detail: 'you may not make this change' }] });
    }
  }

  /** The state machines a save moves (the system actor moves them freely). */
  const moved = (input: SaveInput) => (input.actor.kind === 'system' ? [] : machinesOf(input.entity.name).filter((m) => Object.hasOwn(input.values, m.field)));

  return {
    acts: (input) => (input.operation === 'update' && mayBeLocked(input)) || moved(input).length > 0,
    async beforeSave(input) {
      if (input.operation === 'update') await refuseIfLocked(input);
      const machines = moved(input);
      if (!machines.length) return input.values;
      const record = input.operation === 'update' ? await input.record() : null;
      for (const m of machines) {
        const to = input.values[m.field];
        const from = record?.[m.field];
        checkMove(m, input.actor, typeof from === 'string' ? from : null, typeof to === 'string' && to !== '' ? to : null);
      }
      return input.values;
    },
    async beforeDelete(input) {
      await refuseIfLocked(input);
    },
  };
}

/** Runs hooks one after the other: each gets the values the previous one returned. */
export function chainHooks(list: Array<SaveHooks | undefined>): SaveHooks {
  const hooks = list.filter((h): h is SaveHooks => !!h);
  const acting = (h: SaveHooks, input: SaveInput) => !h.acts || h.acts(input);
  return {
    acts: (input) => hooks.some((h) => acting(h, input)),
    async beforeSave(input) {
      let values = input.values;
      for (const h of hooks) {
        const step = { ...input, values };
        if (acting(h, step)) values = await h.beforeSave(step);
      }
      return values;
    },
    async beforeDelete(input) {
      for (const h of hooks) await h.beforeDelete(input);
    },
  };
}
