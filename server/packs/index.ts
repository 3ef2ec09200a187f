/**
 * Solution packs and moving a configuration between databases (issue 9). app.ts builds the
 * service from the other capabilities' services (see ports.ts) and mounts `packsRoutes`; the CLI
 * uses the same service (`rapport pack ...`, `rapport seed`, `rapport metadata export|import`).
 */
import { fileURLToPath } from 'node:url';

export { createPacksService, type PacksService, type InstallOptions } from './packs.service.ts';
export { packsRoutes } from './packs.routes.ts';
export { packProblems } from './packs.problems.ts';
export { uiPortOf } from './ui-port.ts';
export type { PackServices, UiPort } from './ports.ts';
export type { PackDocument } from './pack.types.ts';
export type { InstallReport } from './apply-document.ts';

/** Where the shipped packs are: schemas/packs/. */
export const PACKS_DIR = fileURLToPath(new URL('../../schemas/packs/', import.meta.url));
