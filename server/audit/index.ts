export { createOutboxDispatcher, type OutboxDispatcher, type OutboxEvent } from './outbox-dispatcher.ts';
export type { InsertRefusal, StagedInsert } from './outbox-batches.ts';
export { entryOf, renameInAuditBatches } from './audit-batches.ts';
export { changesOf } from './event-changes.ts';
