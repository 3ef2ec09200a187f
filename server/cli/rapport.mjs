#!/usr/bin/env node
// `npx rapport ...`: the CLI is TypeScript, run through tsx like the server.
import { register } from 'tsx/esm/api';

register();
await import('./rapport-cli.ts');
