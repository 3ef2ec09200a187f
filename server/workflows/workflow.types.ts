/* Generated from schemas/workflow.schema.json by schemas/tools/generate-types.ts; do not edit. */

export type WorkflowTrigger =
  | RecordTrigger
  | FieldChangedTrigger
  | ConditionTrigger
  | ScheduleTrigger
  | DateRelativeTrigger
  | ManualTrigger
  | WebhookTrigger
  | InboundEmailTrigger
  | StateMachineTrigger;
export type WorkflowStep =
  | UpdateStep
  | CreateStep
  | EmailStep
  | WebhookStep
  | PluginStep
  | WaitStep
  | BranchStep
  | ForEachStep
  | ApprovalStep
  | AssignStep;
export type StepId = string;
/**
 * @maxItems 100
 */
export type Steps = WorkflowStep[];

/**
 * A process built at runtime (issue 7): when something happens (the trigger) and a condition holds, run steps. Stored in MongoDB, versioned, live without a restart.
 */
export interface WorkflowDefinition {
  /**
   * Immutable key.
   */
  name: string;
  label: string;
  description?: string;
  enabled?: boolean;
  /**
   * The entity whose records the workflow runs on. Required by record, date, schedule-with-filter and manual triggers.
   */
  entity?: string;
  trigger: WorkflowTrigger;
  condition?: Filter1;
  steps: Steps;
}
export interface RecordTrigger {
  kind: 'recordCreated' | 'recordUpdated' | 'recordDeleted';
}
/**
 * A field changed on update (or was set on create); optionally only to or from a given value.
 */
export interface FieldChangedTrigger {
  kind: 'fieldChanged';
  field: string;
  to?: unknown;
  from?: unknown;
}
/**
 * The filter did not match the record before the change and matches it after.
 */
export interface ConditionTrigger {
  kind: 'conditionBecomesTrue';
  filter: Filter;
}
/**
 * A filter in the records query language: {"and"|"or": [...]}, {"not": ...} or {"field", "op", "value"}.
 */
export interface Filter {
  [k: string]: unknown;
}
/**
 * A cron schedule in a time zone; with an entity, one run per record matching the filter.
 */
export interface ScheduleTrigger {
  kind: 'schedule';
  cron: string;
  timeZone?: string;
  filter?: Filter;
}
/**
 * A time relative to a date or datetime field of the record (negative: before). Planned again when the date changes.
 */
export interface DateRelativeTrigger {
  kind: 'dateRelative';
  field: string;
  offsetMinutes: number;
}
/**
 * A button on a record or a list selection.
 */
export interface ManualTrigger {
  kind: 'manual';
  buttonLabel?: string;
}
/**
 * An inbound HTTP call authenticated by the workflow's secret; the JSON body is the run's input.
 */
export interface WebhookTrigger {
  kind: 'webhook';
}
/**
 * An email posted (as MIME) to the inbound endpoint, routed to this workflow when it matches.
 */
export interface InboundEmailTrigger {
  kind: 'inboundEmail';
  /**
   * Case-insensitive; * matches anything, e.g. *@example.org.
   */
  fromPattern?: string;
  subjectContains?: string;
  /**
   * Higher first; the first matching workflow gets the email.
   */
  priority?: number;
}
/**
 * The allowed moves of a select field (e.g. a leave request's status): who may make each, and the steps each runs. Any other change of the field is refused.
 */
export interface StateMachineTrigger {
  kind: 'stateMachine';
  field: string;
  /**
   * Values a new record may start in (any, if left out).
   *
   * @minItems 1
   */
  initial?: string[];
  /**
   * @minItems 1
   * @maxItems 100
   */
  transitions: Transition[];
}
export interface Transition {
  /**
   * Values the move starts from; "*" for any.
   *
   * @minItems 1
   */
  from: string[];
  to: string;
  label?: string;
  /**
   * Roles allowed to make the move (anyone who may edit the record, if left out; administrators and workflows always).
   */
  roles?: string[];
  steps?: Steps;
}
export interface UpdateStep {
  id: StepId;
  label?: string;
  type: 'update';
  /**
   * @minItems 1
   */
  set: FieldValue[];
}
/**
 * A value for a field: a literal `value`, or a `formula` evaluated over the run's record (exactly one of them). A formula also reads `input` (what started the run) and `steps.<id>` (an earlier step's output, e.g. `steps.newAccount.created`: the id of the record that create step made).
 */
export interface FieldValue {
  field: string;
  value?: unknown;
  formula?: string;
}
/**
 * Creates a record; `linkField` (a relation of the new record to the run's record's entity) links it to the run's record.
 */
export interface CreateStep {
  id: StepId;
  label?: string;
  type: 'create';
  entity: string;
  linkField?: string;
  values: FieldValue[];
}
export interface EmailStep {
  id: StepId;
  label?: string;
  type: 'email';
  template: string;
  /**
   * An email field of the record, or a literal address.
   */
  to: string;
}
/**
 * POSTs the record (and the run's input) as JSON, signed with HMAC-SHA256 of the body in X-Rapport-Signature; retried with backoff.
 */
export interface WebhookStep {
  id: StepId;
  label?: string;
  type: 'webhook';
  url: string;
  secret?: string;
}
export interface PluginStep {
  id: StepId;
  label?: string;
  type: 'plugin';
  plugin: string;
  action: string;
  /**
   * The action's input, checked against the action's input schema.
   */
  input?: {
    [k: string]: unknown;
  };
}
/**
 * Waits a number of minutes, until a date field of the record, or until a condition holds (checked every minute).
 */
export interface WaitStep {
  id: StepId;
  label?: string;
  type: 'wait';
  minutes?: number;
  untilField?: string;
  untilCondition?: Filter;
  timeoutMinutes?: number;
}
/**
 * If/else on a condition, or switch on a field's value.
 */
export interface BranchStep {
  id: StepId;
  label?: string;
  type: 'branch';
  if?: Filter;
  then?: Steps;
  else?: Steps;
  switch?: string;
  cases?: {
    value: unknown;
    steps: Steps;
  }[];
  default?: Steps;
}
/**
 * Runs the steps for each related record: records of `entity` whose relation field `via` points at the run's record.
 */
export interface ForEachStep {
  id: StepId;
  label?: string;
  type: 'forEach';
  entity: string;
  via: string;
  filter?: Filter;
  steps: Steps;
}
export interface ApprovalStep {
  id: StepId;
  label?: string;
  type: 'approval';
  /**
   * @minItems 1
   * @maxItems 20
   */
  approvers: {
    user?: string;
    role?: string;
    userField?: string;
  }[];
  order?: 'parallel' | 'sequence';
  decide?: 'all' | 'any' | 'quorum';
  quorum?: number;
  deadlineMinutes?: number;
  escalateTo?: {
    user?: string;
    role?: string;
  };
  lockRecord?: boolean;
  onApprove?: Steps;
  onReject?: Steps;
}
/**
 * Sets a user field of the record: round-robin over the users, or the one with the fewest open records.
 */
export interface AssignStep {
  id: StepId;
  label?: string;
  type: 'assign';
  field: string;
  /**
   * @minItems 1
   * @maxItems 200
   */
  users: string[];
  strategy?: 'roundRobin' | 'leastLoaded';
  openFilter?: Filter;
}
/**
 * A filter in the records query language: {"and"|"or": [...]}, {"not": ...} or {"field", "op", "value"}.
 */
export interface Filter1 {
  [k: string]: unknown;
}
