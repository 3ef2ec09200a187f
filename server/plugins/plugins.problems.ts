/** The problem types of the plugins capability (issue 6). */
import { defineProblem } from '../shared/errors.ts';

export const pluginProblems = {
  pluginNotFound: defineProblem({ type: 'plugin-not-found', status: 404, title: 'Plugin not found' }),
  invalidPlugin: defineProblem({ type: 'invalid-plugin', status: 422, title: 'The plugin is not valid' }),
  pluginUnavailable: defineProblem({ type: 'plugin-unavailable', status: 503, title: 'A plugin this change needs is not running; nothing was saved' }),
  pluginTimeout: defineProblem({ type: 'plugin-timeout', status: 504, title: 'A plugin took too long; nothing was saved' }),
  pluginFailed: defineProblem({ type: 'plugin-failed', status: 502, title: 'A plugin failed; nothing was saved' }),
  pluginRecursion: defineProblem({ type: 'plugin-recursion', status: 508, title: 'Plugin hooks called each other too deeply' }),
  capabilityMissing: defineProblem({ type: 'capability-missing', status: 403, title: 'The plugin was not granted this capability' }),
  /** A before-save or before-delete hook, validator or computed value tried to write: the save is the unit, so they only read. */
  readOnlyCall: defineProblem({ type: 'plugin-read-only', status: 409, title: 'Before-save and before-delete handlers only read: write in an after-save hook or an action' }),
  quotaExceeded: defineProblem({ type: 'plugin-quota-exceeded', status: 429, title: 'The plugin used up its quota for this call' }),
};
