/** The problem types of the templates capability (issue 7). */
import { defineProblem } from '../shared/errors.ts';

export const templateProblems = {
  invalidTemplate: defineProblem({ type: 'invalid-template', status: 422, title: 'The template is not valid' }),
  /** A syntax error: each error names the part (pointer), and carries `line` and `column`. */
  templateSyntax: defineProblem({ type: 'template-syntax', status: 422, title: 'The template has a syntax error' }),
  /** Prototype access (constructor, __proto__...), refused in the source or while rendering. */
  unsafeAccess: defineProblem({ type: 'template-unsafe-access', status: 422, title: 'The template tries to reach outside its data' }),
  templateNotFound: defineProblem({ type: 'template-not-found', status: 404, title: 'Unknown template' }),
  versionConflict: defineProblem({ type: 'template-version-conflict', status: 412, title: 'The template changed since you read it' }),
  invalidRequest: defineProblem({ type: 'invalid-request', status: 400, title: 'The request is not valid' }),
  renderFailed: defineProblem({ type: 'template-render-failed', status: 422, title: 'The template could not be rendered' }),
  renderTimeout: defineProblem({ type: 'template-render-timeout', status: 422, title: 'Rendering the template took too long' }),
  outputTooLarge: defineProblem({ type: 'template-output-too-large', status: 422, title: 'The rendered template is too large' }),
  partialDepth: defineProblem({ type: 'template-partial-depth', status: 422, title: 'Partials are nested too deeply' }),
  renderUnavailable: defineProblem({ type: 'template-render-unavailable', status: 503, title: 'Template rendering is not available' }),
};
