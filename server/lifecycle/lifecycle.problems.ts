/** The problem types of the data lifecycle capability (issue 5): recycle bin, archive, conversions, renames. */
import { defineProblem } from '../shared/errors.ts';

export const lifecycleProblems = {
  invalidRequest: defineProblem({ type: 'invalid-request', status: 400, title: 'The request is not valid' }),
  binEntryNotFound: defineProblem({ type: 'recycle-bin-entry-not-found', status: 404, title: 'Recycle bin entry not found' }),
  restoreBlocked: defineProblem({ type: 'restore-blocked', status: 409, title: 'This cannot be restored now' }),
  conversionNotFound: defineProblem({ type: 'conversion-not-found', status: 404, title: 'Conversion not found' }),
  conversionRefused: defineProblem({ type: 'conversion-refused', status: 422, title: 'This conversion cannot be made' }),
};
