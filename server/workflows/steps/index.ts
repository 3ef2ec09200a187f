/** The step executors by type (issue 7). */
import type { WorkflowStep } from '../workflow.types.ts';
import { assignStep, createStep, updateStep } from './record-steps.ts';
import { branchStep, forEachStep, waitStep } from './flow-steps.ts';
import { emailStep, pluginStep, webhookStep } from './outbound-steps.ts';
import type { StepContext, StepResult } from './step-context.ts';

export type ApprovalExecutor = (c: StepContext, step: Extract<WorkflowStep, { type: 'approval' }>) => Promise<StepResult>;

export function executeStep(c: StepContext, approval: ApprovalExecutor): Promise<StepResult> {
  const step = c.step;
  switch (step.type) {
    case 'update': return updateStep(c, step);
    case 'create': return createStep(c, step);
    case 'assign': return assignStep(c, step);
    case 'email': return emailStep(c, step);
    case 'webhook': return webhookStep(c, step);
    case 'plugin': return pluginStep(c, step);
    case 'wait': return waitStep(c, step);
    case 'branch': return branchStep(c, step);
    case 'forEach': return forEachStep(c, step);
    case 'approval': return approval(c, step);
  }
}

export type { StepContext, StepResult, StepDeps, WorkflowMailer, WorkflowPlugins } from './step-context.ts';
