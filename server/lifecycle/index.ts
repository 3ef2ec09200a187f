export { createRecycleBin, type RecycleBin } from './recycle-bin.ts';
export { lifecycleRoutes } from './lifecycle.routes.ts';
export { lifecycleProblems } from './lifecycle.problems.ts';
export { createConversions, type Conversions } from './conversions/conversions.ts';
export { fieldChangesRoutes } from './field-changes.routes.ts';
export { createFieldRename } from './rename-field.ts';
