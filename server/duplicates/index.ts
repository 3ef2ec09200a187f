/** Duplicate rules, the check on every write, the duplicates scan and merge (issue 5). */
export { duplicatesRoutes } from './duplicates.routes.ts';
export { createDuplicateGuard } from './write-guard.ts';
export { ruleStoreOf } from './duplicate-rules.ts';
export { duplicateProblems } from './duplicates.problems.ts';
export type { DuplicateRule, DuplicateRuleField } from './duplicate-rule.types.ts';
