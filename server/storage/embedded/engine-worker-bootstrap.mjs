// Worker threads do not inherit a TypeScript loader in every runner (vitest, plain node), so the
// worker registers tsx itself before loading the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./engine-worker.ts');
