export { createOutboxDispatcher, type OutboxDispatcher, type OutboxEvent } from './outbox-dispatcher.ts';
