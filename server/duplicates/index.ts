/** Duplicate rules, scans and merge (issue 5): placeholder router, filled in by the duplicates work. */
import { Router } from 'express';
import type { RecordsService, WriteContext } from '../records/index.ts';

export function duplicatesRoutes(_deps: { ctx: WriteContext; records: RecordsService }): Router {
  return Router();
}
