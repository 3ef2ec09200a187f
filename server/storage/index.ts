export { connect, type Storage, type StorageConfig } from './connect.ts';
