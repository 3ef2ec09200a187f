export { createOutboxDispatcher, type OutboxDispatcher, type OutboxEvent } from './outbox-dispatcher.ts';
export { keyPatternOf, type InsertRefusal } from './outbox-batches.ts';
