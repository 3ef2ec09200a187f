import { Router } from 'express';
import type { Db } from 'mongodb';
import { sharedProblems } from '../shared/errors.ts';

export type HealthDeps = { db: Db; readinessTimeoutMs?: number };

/** /healthz: the process is up. /readyz: the database answers a ping. */
export function healthRoutes({ db, readinessTimeoutMs = 2000 }: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res, next) => {
    try {
      await db.command({ ping: 1 }, { timeoutMS: readinessTimeoutMs });
      res.json({ status: 'ready' });
    } catch (cause) {
      next(sharedProblems.unavailable.create({ detail: 'The database is not reachable', cause }));
    }
  });
  return router;
}
