// The canned wire server's thread (test/bench/canned-wire.ts) registers tsx itself, as the
// engine's does, before loading its TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./canned-wire-worker.ts');
