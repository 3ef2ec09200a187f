/**
 * Step 5 of the write pipeline, as the records capability sees it: hooks that run before a save
 * or a delete (the plugins capability provides them; issue 6). A before-save hook may change the
 * values or refuse; whatever it returns goes through validation again like any client input.
 */
import type { CompiledEntity } from '../metadata/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { ApiRecord } from './record-view.ts';

export type HookInput = {
  entity: CompiledEntity;
  actor: Actor;
  /** How many hooks deep this write is: a hook's own writes run hooks again. */
  depth: number;
  /** The record before the change as the actor sees it (loaded only if some hook needs it). */
  record: () => Promise<ApiRecord | null>;
};

export type SaveHooks = {
  /** The values to save: `values` as the hooks left them; throws a problem to refuse the save. */
  beforeSave(input: HookInput & { operation: 'create' | 'update'; values: Record<string, unknown> }): Promise<Record<string, unknown>>;
  /** Throws a problem to refuse the delete. */
  beforeDelete(input: HookInput): Promise<void>;
};
