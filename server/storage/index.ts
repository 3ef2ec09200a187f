export { connect, type Storage, type StorageConfig } from './connect.ts';
export { NOT_AWAITING_JOURNAL } from './write-concerns.ts';
