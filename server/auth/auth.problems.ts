/** The problem types of the identity and access capability (issue 4). */
import { defineProblem, sharedProblems } from '../shared/errors.ts';

export const authProblems = {
  unauthenticated: defineProblem({ type: 'unauthenticated', status: 401, title: 'Sign in to continue' }),
  invalidCredentials: defineProblem({ type: 'invalid-credentials', status: 401, title: 'Email or password is wrong' }),
  forbidden: sharedProblems.forbidden,
  csrfRejected: defineProblem({ type: 'csrf-rejected', status: 403, title: 'The request did not come from this site' }),
  rateLimited: defineProblem({ type: 'rate-limited', status: 429, title: 'Too many attempts; try again later' }),
  invalidToken: defineProblem({ type: 'invalid-token', status: 400, title: 'The link is invalid or has expired' }),
  validationFailed: defineProblem({ type: 'validation-failed', status: 422, title: 'The request is not valid' }),
  userNotFound: defineProblem({ type: 'user-not-found', status: 404, title: 'User not found' }),
  roleNotFound: defineProblem({ type: 'role-not-found', status: 404, title: 'Role not found' }),
  conflict: defineProblem({ type: 'conflict', status: 409, title: 'That already exists' }),
  setupDone: defineProblem({ type: 'setup-done', status: 409, title: 'Rapport already has an administrator' }),
};
