/**
 * Step 4 of the write pipeline, as the records capability sees it: duplicate rules (issue 5). The
 * duplicates capability provides the guard; the pipeline calls it for every create, and for every
 * update, once the values are valid. The guard keeps the record's match keys (`_dupkeys`) up to
 * date, refuses a write that a `block` rule matches and returns what `warn` rules matched.
 */
import type { Document, ObjectId } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import type { Actor } from '../shared/actor.ts';

/** Records a rule matched: `ids` those the actor can read, `unseen` how many others. */
export type DuplicateMatch = { rule: string; action: 'warn' | 'block'; fields: string[]; ids: string[]; unseen: number };

/**
 * Match keys of the records already prepared in one batch (an import's insertMany): rows of the
 * same batch are not in the database yet, so the guard checks them here. One map per batch, or
 * per import.
 */
export type DuplicateBatch = Map<string, string>;

/** What a caller of the pipeline may say about duplicates; every member is optional. */
export type DuplicateOptions = {
  /** Told what `warn` rules matched (the write goes ahead). */
  onWarning?: (matches: DuplicateMatch[]) => void;
  /** Records that do not count as duplicates of this one (a merge's losers, about to be deleted). */
  ignore?: readonly ObjectId[];
  batch?: DuplicateBatch;
};

export type DuplicateCheck = {
  entity: CompiledEntity;
  /** The record as it will be written; the guard sets its `_dupkeys`. */
  doc: Document;
  /** The stored record for an update, null for a create: rules whose key did not change are not checked again. */
  before: Document | null;
  actor: Actor;
  pointerBase?: string;
  options?: DuplicateOptions;
};

export type DuplicateGuard = {
  /** Throws duplicate-record (409) when a `block` rule matches; returns the `warn` matches. */
  check(input: DuplicateCheck): Promise<DuplicateMatch[]>;
  /** True when it is known without waiting that `check` has nothing to do: the entity has no rule and the record no match keys. */
  idle?(input: DuplicateCheck): boolean;
};

/**
 * The pipeline's call: nothing to do without a guard; warnings go to whoever asked for them. A
 * promise only when there is something to wait for: an import calls this for every row.
 */
export function guardDuplicates(guard: DuplicateGuard | undefined, input: DuplicateCheck): Promise<void> | undefined {
  if (!guard || guard.idle?.(input)) return undefined;
  return guard.check(input).then((warnings) => {
    if (warnings.length) input.options?.onWarning?.(warnings);
  });
}
