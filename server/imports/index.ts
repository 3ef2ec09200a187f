/** CSV import (issue 5): placeholder router, filled in by the import work. */
import { Router } from 'express';
import type { RecordsService, WriteContext } from '../records/index.ts';

export function importRoutes(_deps: { ctx: WriteContext; records: RecordsService }): Router {
  return Router();
}
