/** The problem types of the workflows capability (issue 7). */
import { defineProblem } from '../shared/errors.ts';

export const workflowProblems = {
  invalidWorkflow: defineProblem({ type: 'invalid-workflow', status: 422, title: 'The workflow is not valid' }),
  invalidRequest: defineProblem({ type: 'invalid-request', status: 400, title: 'The request is not valid' }),
  workflowNotFound: defineProblem({ type: 'workflow-not-found', status: 404, title: 'Unknown workflow' }),
  workflowExists: defineProblem({ type: 'workflow-exists', status: 409, title: 'A workflow with this name already exists' }),
  versionConflict: defineProblem({ type: 'workflow-version-conflict', status: 412, title: 'The workflow changed since you read it' }),
  notManual: defineProblem({ type: 'workflow-not-manual', status: 409, title: 'This workflow is not started by hand' }),
  webhookRefused: defineProblem({ type: 'webhook-refused', status: 401, title: 'Unknown workflow or wrong secret' }),
  approvalNotFound: defineProblem({ type: 'approval-not-found', status: 404, title: 'Unknown approval request' }),
  notYourApproval: defineProblem({ type: 'approval-not-yours', status: 403, title: 'You cannot decide this approval request' }),
  approvalBusy: defineProblem({ type: 'approval-busy', status: 409, title: 'The request keeps changing; try again' }),
  recordLocked: defineProblem({ type: 'record-locked', status: 423, title: 'The record is locked while its approval is pending' }),
  illegalTransition: defineProblem({ type: 'illegal-transition', status: 422, title: 'This change of state is not allowed' }),
  runNotFound: defineProblem({ type: 'run-not-found', status: 404, title: 'Unknown workflow run' }),
};
