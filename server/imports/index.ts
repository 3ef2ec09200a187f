/**
 * CSV import (issue 5): saved column mappings, streamed imports through the records write
 * pipeline, a dry run, a report by row, column and reason, progress while an import runs.
 */
import type { Router } from 'express';
import type { RecordsService, WriteContext } from '../records/index.ts';
import { importRoutes as routesOf } from './imports.routes.ts';
import { createImports } from './imports.service.ts';

export { coerceText, coercePart, type Coerced, type CoerceOptions, type DateOrder } from './coerce-text.ts';
export { MAX_IMPORT_BYTES, createImports, type ImportsService } from './imports.service.ts';
export { importProblems } from './imports.problems.ts';

/** The import routes; `maxBytes` overrides MAX_IMPORT_BYTES (the largest file accepted). */
export function importRoutes(deps: { ctx: WriteContext; records: RecordsService; maxBytes?: number }): Router {
  return routesOf(createImports(deps));
}
