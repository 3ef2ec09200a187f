/** The problem types of the duplicates capability (issue 5). */
import { defineProblem } from '../shared/errors.ts';

export const duplicateProblems = {
  duplicateRecord: defineProblem({ type: 'duplicate-record', status: 409, title: 'This record duplicates an existing one' }),
  invalidRule: defineProblem({ type: 'invalid-duplicate-rule', status: 422, title: 'The duplicate rule is not valid' }),
  ruleNotFound: defineProblem({ type: 'duplicate-rule-not-found', status: 404, title: 'Duplicate rule not found' }),
  invalidMerge: defineProblem({ type: 'invalid-merge', status: 422, title: 'The merge request is not valid' }),
  mergeTooLarge: defineProblem({ type: 'merge-too-large', status: 409, title: 'Too many related records to move in one merge' }),
  mergeIncomplete: defineProblem({ type: 'merge-incomplete', status: 409, title: 'The merge stopped before it finished' }),
};
