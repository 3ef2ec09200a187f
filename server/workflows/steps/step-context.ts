/**
 * What a step executor gets and answers (issue 7). A step acts on the frame's record, keys its
 * side effects with `key` (unique per run, step and for-each item) so that running it again after
 * a crash does not do them twice, and in test mode (`dry`) describes what it would do instead.
 */
import type { Document, ObjectId } from 'mongodb';
import type { ReadContext, RecordsService } from '../../records/index.ts';
import type { CompiledEntity } from '../../metadata/index.ts';
import type { FetchOptions } from '../../plugins/index.ts';
import type { Frame, Run } from '../runs.store.ts';
import type { WorkflowStep } from '../workflow.types.ts';

/** The mail capability as workflows use it: enqueueing is idempotent per `dedupeKey`. */
export type WorkflowMailer = {
  enqueue(input: { to: string; template: string; record?: { entity: string; id: string }; dedupeKey: string }): Promise<unknown>;
};

/** A plugin action run for a workflow (the plugins capability). */
export type WorkflowPlugins = {
  run(input: { entity: string; recordId: string; pluginId: string; action: string; input: unknown }): Promise<unknown>;
  /** The actions enabled plugins offer on an entity: what the designer offers as plugin steps. */
  actions(entity: string): Array<{ plugin: string; action: string; label?: string }>;
};

export type StepDeps = {
  ctx: ReadContext;
  records: RecordsService;
  mail?: WorkflowMailer;
  plugins?: WorkflowPlugins;
  fetch?: FetchOptions;
};

export type StepContext = {
  run: Run;
  frame: Frame;
  step: WorkflowStep;
  /** JSON Pointer of the step in the definition. */
  path: string;
  /** Unique per run, step and for-each item: the idempotency key of the step's side effects. */
  key: string;
  dry: boolean;
  /** True when the run is woken at this step after it waited. */
  resumed: boolean;
  deps: StepDeps;
  /** The frame's record: its entity and its stored document (null when it is gone). */
  target(): Promise<{ entity: CompiledEntity; id: ObjectId; doc: Document | null } | null>;
};

export type StepResult =
  | { kind: 'next'; output?: unknown }
  | { kind: 'enter'; frame: Frame; output?: unknown }
  | { kind: 'wait'; until: Date; output?: unknown }
  | { kind: 'retry'; error: string }
  | { kind: 'fail'; error: string };

export const next = (output?: unknown): StepResult => ({ kind: 'next', ...(output === undefined ? {} : { output }) });
export const failed = (error: string): StepResult => ({ kind: 'fail', error });
