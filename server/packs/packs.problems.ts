/** The problem types of the packs capability (issue 9). */
import { defineProblem } from '../shared/errors.ts';

export const packProblems = {
  packNotFound: defineProblem({ type: 'pack-not-found', status: 404, title: 'Pack not found' }),
  invalidPack: defineProblem({ type: 'invalid-pack', status: 422, title: 'The pack or configuration document is not valid' }),
  packBusy: defineProblem({ type: 'pack-busy', status: 409, title: 'This pack is being installed or uninstalled right now' }),
  notInstalled: defineProblem({ type: 'pack-not-installed', status: 409, title: 'The pack is not installed' }),
  invalidRequest: defineProblem({ type: 'invalid-pack-request', status: 400, title: 'The request is not valid' }),
};
