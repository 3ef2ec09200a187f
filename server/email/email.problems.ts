/** The problem types of the email capability (issue 7). */
import { defineProblem } from '../shared/errors.ts';

export const mailProblems = {
  invalidMail: defineProblem({ type: 'invalid-mail', status: 422, title: 'The mail cannot be queued' }),
  mailNotFound: defineProblem({ type: 'mail-not-found', status: 404, title: 'Unknown mail' }),
  notRetryable: defineProblem({ type: 'mail-not-retryable', status: 409, title: 'This mail cannot be sent again' }),
  invalidSettings: defineProblem({ type: 'invalid-mail-settings', status: 422, title: 'The mail settings are not valid' }),
  invalidUnsubscribe: defineProblem({ type: 'invalid-unsubscribe-link', status: 400, title: 'This unsubscribe link is not valid' }),
  invalidRequest: defineProblem({ type: 'invalid-request', status: 400, title: 'The request is not valid' }),
};
