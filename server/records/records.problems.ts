/** The problem types of the records capability (issue 3). */
import { defineProblem } from '../shared/errors.ts';

export const recordProblems = {
  recordNotFound: defineProblem({ type: 'record-not-found', status: 404, title: 'Record not found' }),
  invalidQuery: defineProblem({ type: 'invalid-query', status: 400, title: 'Invalid query' }),
  validationFailed: defineProblem({ type: 'validation-failed', status: 422, title: 'The record is not valid' }),
  recordConflict: defineProblem({ type: 'record-conflict', status: 409, title: 'A record with this value already exists' }),
  relationRestricted: defineProblem({ type: 'relation-restricted', status: 409, title: 'Other records still point at this record' }),
  preconditionFailed: defineProblem({ type: 'precondition-failed', status: 412, title: 'The record changed since you read it' }),
};
