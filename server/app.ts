import express, { type Express } from 'express';
import type { Db } from 'mongodb';
import type { Logger } from './shared/logger.ts';
import { healthRoutes } from './http/health.routes.ts';
import { notFoundHandler, problemHandler } from './http/problem-handler.ts';
import { requestLogging } from './http/request-logging.ts';

export type AppDeps = { db: Db; logger: Logger };

/** Builds the Express app from its dependencies; main.ts and the tests build it the same way. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLogging(deps.logger));
  app.use(express.json({ limit: '1mb' }));
  app.use(healthRoutes({ db: deps.db }));
  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
