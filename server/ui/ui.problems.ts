/** The problem types of the studio's metadata: forms, list views and dashboards (issue 8). */
import { defineProblem } from '../shared/errors.ts';

export const uiProblems = {
  invalidForm: defineProblem({ type: 'invalid-form', status: 422, title: 'The form is not valid' }),
  formNotFound: defineProblem({ type: 'form-not-found', status: 404, title: 'Form not found' }),
  invalidView: defineProblem({ type: 'invalid-view', status: 422, title: 'The list view is not valid' }),
  viewNotFound: defineProblem({ type: 'view-not-found', status: 404, title: 'List view not found' }),
  invalidDashboard: defineProblem({ type: 'invalid-dashboard', status: 422, title: 'The dashboard is not valid' }),
  dashboardNotFound: defineProblem({ type: 'dashboard-not-found', status: 404, title: 'Dashboard not found' }),
  tooMany: defineProblem({ type: 'ui-limit-reached', status: 409, title: 'Too many of these already exist' }),
};
