export { createOutboxDispatcher, type OutboxDispatcher, type OutboxEvent } from './outbox-dispatcher.ts';
export type { InsertRefusal } from './outbox-batches.ts';
