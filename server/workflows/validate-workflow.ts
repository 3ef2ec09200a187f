/**
 * Checks a workflow definition: the meta-schema (schemas/workflow.schema.json), then what a schema
 * cannot say — the entity and fields it names exist and fit, filters are valid filters of their
 * entity, formulas compile, cron expressions and time zones parse, step ids are unique. Every
 * problem is reported with a JSON Pointer, all at once.
 */
import { Cron } from 'croner';
import workflowSchema from '../../schemas/workflow.schema.json' with { type: 'json' };
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileFormula, createAjv, isClientWritable, type CompiledEntity, type EntityDefinition, type MetadataRegistry } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { filterProblems } from '../records/index.ts';
import type { FieldValue, StateMachineTrigger, WorkflowDefinition, WorkflowStep } from './workflow.types.ts';

let validator: ValidateFunction | undefined;
const RECORD_KINDS = new Set(['recordCreated', 'recordUpdated', 'recordDeleted', 'fieldChanged', 'conditionBecomesTrue', 'dateRelative', 'manual', 'stateMachine']);

/** The actions enabled plugins offer on an entity (a plugin step runs one). */
export type PluginActionLookup = (entity: string) => Array<{ plugin: string; action: string }>;

type Walk = { registry: MetadataRegistry; errors: FieldError[]; ids: Set<string>; pluginActions?: PluginActionLookup };

export function validateWorkflow(candidate: unknown, registry: MetadataRegistry, pluginActions?: PluginActionLookup): { ok: true; definition: WorkflowDefinition } | { ok: false; errors: FieldError[] } {
  validator ??= createAjv({ discriminator: true, useDefaults: true }).compile(workflowSchema);
  const copy = structuredClone(candidate);
  if (!validator(copy)) return { ok: false, errors: (validator.errors ?? []).map(toFieldError) };
  const definition = copy as WorkflowDefinition;
  const walk: Walk = { registry, errors: [], ids: new Set(), ...(pluginActions ? { pluginActions } : {}) };
  const at = (pointer: string, detail: string) => walk.errors.push({ pointer, detail });
  const entity = definition.entity ? registry.get(definition.entity) : undefined;
  if (definition.entity && !entity) at('/entity', `there is no entity "${definition.entity}"`);
  const t = definition.trigger;
  if (RECORD_KINDS.has(t.kind) && !definition.entity) at('/entity', `is required by a ${t.kind} trigger`);
  if (entity) {
    if (t.kind === 'fieldChanged' && !entity.fields.has(t.field)) at('/trigger/field', `is not a field of ${entity.name}`);
    if (t.kind === 'dateRelative' && !['date', 'datetime'].includes(entity.fields.get(t.field)?.type ?? '')) at('/trigger/field', `must be a date or datetime field of ${entity.name}`);
    if (t.kind === 'conditionBecomesTrue') checkFilter(walk, entity.definition, t.filter, '/trigger/filter');
    if (t.kind === 'stateMachine') checkMachine(walk, t, entity);
    if (t.kind === 'schedule' && t.filter) checkFilter(walk, entity.definition, t.filter, '/trigger/filter');
    if (definition.condition) checkFilter(walk, entity.definition, definition.condition, '/condition');
  }
  if (t.kind === 'schedule') {
    if (!validTimeZone(t.timeZone ?? 'UTC')) at('/trigger/timeZone', 'is not an IANA time zone, e.g. Europe/London');
    else if (!validCron(t.cron, t.timeZone ?? 'UTC')) at('/trigger/cron', 'is not a cron expression, e.g. "0 9 * * 1-5"');
  }
  checkSteps(walk, definition.steps, '/steps', entity);
  return walk.errors.length ? { ok: false, errors: walk.errors } : { ok: true, definition };
}

function checkMachine(walk: Walk, t: StateMachineTrigger, entity: CompiledEntity): void {
  const at = (pointer: string, detail: string): void => void walk.errors.push({ pointer, detail });
  const field = entity.fields.get(t.field);
  if (field?.type !== 'select') return at('/trigger/field', `must be a select field of ${entity.name}`);
  const values = new Set(field.options.map((o) => o.value));
  const known = (v: string, pointer: string) => values.has(v) || at(pointer, `"${v}" is not an option of ${t.field}`);
  t.initial?.forEach((v, i) => known(v, `/trigger/initial/${i}`));
  t.transitions.forEach((tr, i) => {
    tr.from.forEach((v, j) => v === '*' || known(v, `/trigger/transitions/${i}/from/${j}`));
    known(tr.to, `/trigger/transitions/${i}/to`);
    checkSteps(walk, tr.steps ?? [], `/trigger/transitions/${i}/steps`, entity);
  });
}

function checkSteps(walk: Walk, steps: WorkflowStep[], pointer: string, entity: CompiledEntity | undefined): void {
  steps.forEach((step, i) => checkStep(walk, step, `${pointer}/${i}`, entity));
}

function checkStep(walk: Walk, step: WorkflowStep, p: string, entity: CompiledEntity | undefined): void {
  const at = (suffix: string, detail: string): void => void walk.errors.push({ pointer: p + suffix, detail });
  if (walk.ids.has(step.id)) at('/id', `another step is already called "${step.id}"`);
  walk.ids.add(step.id);
  const needsRecord = ['update', 'email', 'forEach', 'approval', 'assign'].includes(step.type) || (step.type === 'branch' && step.switch !== undefined);
  if (needsRecord && !entity) return at('/type', 'needs the workflow to run on a record (set "entity")');
  switch (step.type) {
    case 'update':
      return checkValues(walk, step.set, `${p}/set`, entity!);
    case 'create': {
      const target = walk.registry.get(step.entity);
      if (!target) return at('/entity', `there is no entity "${step.entity}"`);
      checkValues(walk, step.values, `${p}/values`, target);
      if (step.linkField) {
        const link = target.fields.get(step.linkField);
        if (link?.type !== 'relation' || link.target !== entity?.name) at('/linkField', `must be a relation of ${step.entity} to ${entity?.name ?? 'the run\'s record'}`);
      }
      return;
    }
    case 'email':
      if (!step.to.includes('@') && entity!.fields.get(step.to)?.type !== 'email') at('/to', `must be an email field of ${entity!.name} or an address`);
      return;
    case 'plugin':
      if (!entity) return at('/type', 'needs the workflow to run on a record (set "entity")');
      if (walk.pluginActions && !walk.pluginActions(entity.name).some((a) => a.plugin === step.plugin && a.action === step.action)) {
        at('/action', `no enabled plugin "${step.plugin}" has an action "${step.action}" on ${entity.name}`);
      }
      return;
    case 'wait':
      if ([step.minutes, step.untilField, step.untilCondition].filter((v) => v !== undefined).length !== 1) at('', 'must have exactly one of minutes, untilField and untilCondition');
      if (step.untilField && !['date', 'datetime'].includes(entity?.fields.get(step.untilField)?.type ?? '')) at('/untilField', 'must be a date or datetime field of the record');
      if (step.untilCondition) checkFilter(walk, entity?.definition, step.untilCondition, `${p}/untilCondition`);
      return;
    case 'branch':
      return checkBranch(walk, step, p, entity);
    case 'forEach': {
      const child = walk.registry.get(step.entity);
      if (!child) return at('/entity', `there is no entity "${step.entity}"`);
      const via = child.fields.get(step.via);
      if (via?.type !== 'relation' || via.target !== entity!.name) at('/via', `must be a relation of ${step.entity} to ${entity!.name}`);
      if (step.filter) checkFilter(walk, child.definition, step.filter, `${p}/filter`);
      return checkSteps(walk, step.steps, `${p}/steps`, child);
    }
    case 'assign':
      if (entity!.fields.get(step.field)?.type !== 'user') at('/field', `must be a user field of ${entity!.name}`);
      if (step.openFilter) checkFilter(walk, entity!.definition, step.openFilter, `${p}/openFilter`);
      return;
    case 'approval':
      step.approvers.forEach((a, i) => {
        if (a.userField && entity!.fields.get(a.userField)?.type !== 'user') at(`/approvers/${i}/userField`, `must be a user field of ${entity!.name}`);
      });
      if (step.decide === 'quorum' && !step.quorum) at('/quorum', 'is required when decide is quorum');
      checkSteps(walk, step.onApprove ?? [], `${p}/onApprove`, entity);
      return checkSteps(walk, step.onReject ?? [], `${p}/onReject`, entity);
    default:
      return;
  }
}

function checkBranch(walk: Walk, step: Extract<WorkflowStep, { type: 'branch' }>, p: string, entity: CompiledEntity | undefined): void {
  const at = (suffix: string, detail: string): void => void walk.errors.push({ pointer: p + suffix, detail });
  if ((step.if === undefined) === (step.switch === undefined)) return at('', 'must have either "if" (with then/else) or "switch" (with cases)');
  if (step.if !== undefined) {
    checkFilter(walk, entity?.definition, step.if, `${p}/if`);
    checkSteps(walk, step.then ?? [], `${p}/then`, entity);
    return checkSteps(walk, step.else ?? [], `${p}/else`, entity);
  }
  if (!entity!.fields.has(step.switch!)) at('/switch', `is not a field of ${entity!.name}`);
  (step.cases ?? []).forEach((c, i) => checkSteps(walk, c.steps, `${p}/cases/${i}/steps`, entity));
  checkSteps(walk, step.default ?? [], `${p}/default`, entity);
}

function checkValues(walk: Walk, values: FieldValue[], p: string, entity: CompiledEntity): void {
  values.forEach((v, i) => {
    const at = (suffix: string, detail: string): void => void walk.errors.push({ pointer: `${p}/${i}${suffix}`, detail });
    const field = entity.fields.get(v.field);
    if (!field) return at('/field', `is not a field of ${entity.name}`);
    if (!isClientWritable(field)) at('/field', 'is computed or read-only');
    if ((v.value === undefined) === (v.formula === undefined)) return at('', 'must have exactly one of value and formula');
    if (v.formula !== undefined) {
      try {
        compileFormula(v.formula);
      } catch (err) {
        at('/formula', (err as Error).message);
      }
    }
  });
}

function checkFilter(walk: Walk, entity: EntityDefinition | undefined, filter: unknown, pointer: string): void {
  if (!entity) return void walk.errors.push({ pointer, detail: 'needs the workflow to run on a record (set "entity")' });
  for (const e of filterProblems(entity, filter)) walk.errors.push({ pointer: pointer + e.pointer.replace(/^\/filter/, ''), detail: e.detail });
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validCron(expression: string, timezone: string): boolean {
  try {
    new Cron(expression, { timezone, paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

function toFieldError(e: ErrorObject): FieldError {
  if (e.keyword === 'additionalProperties') return { pointer: `${e.instancePath}/${String(e.params.additionalProperty)}`, detail: 'is not allowed here' };
  if (e.keyword === 'required') return { pointer: `${e.instancePath}/${String(e.params.missingProperty)}`, detail: 'is required' };
  if (e.keyword === 'discriminator') return { pointer: `${e.instancePath}/${String(e.params.tag)}`, detail: `unknown ${String(e.params.tag)} "${String(e.params.tagValue)}"` };
  return { pointer: e.instancePath || '/', detail: e.message ?? 'is invalid' };
}
