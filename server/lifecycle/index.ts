export { createRecycleBin, type RecycleBin } from './recycle-bin.ts';
export { lifecycleRoutes } from './lifecycle.routes.ts';
export { lifecycleProblems } from './lifecycle.problems.ts';
