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

export type SaveInput = HookInput & { operation: 'create' | 'update'; values: Record<string, unknown> };

export type SaveHooks = {
  /** The values to save: `values` as the hooks left them; throws a problem to refuse the save. */
  beforeSave(input: SaveInput): Promise<Record<string, unknown>>;
  /**
   * False when beforeSave would give the values back untouched without doing anything (no hook
   * of the entity, or none for this actor and these fields); absent, it is called every time.
   */
  acts?(input: SaveInput): boolean;
  /** Throws a problem to refuse the delete. */
  beforeDelete(input: HookInput): Promise<void>;
};

/**
 * The before-save hooks of a save, run only when one acts: otherwise the values as they are,
 * without a promise to wait for (an import runs this for every row).
 */
export function runBeforeSave(hooks: SaveHooks | undefined, input: SaveInput): Record<string, unknown> | Promise<Record<string, unknown>> {
  return hooks && (!hooks.acts || hooks.acts(input)) ? hooks.beforeSave(input) : input.values;
}
