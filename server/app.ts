import express, { type Express } from 'express';
import type { Db } from 'mongodb';
import type { Logger } from './shared/logger.ts';
import { healthRoutes } from './http/health.routes.ts';
import { notFoundHandler, problemHandler } from './http/problem-handler.ts';
import { requestLogging } from './http/request-logging.ts';
import { requireJsonBody } from './http/require-json.ts';
import { openApiRoutes } from './http/openapi.routes.ts';
import { createMetadataRegistry, createMetadataService, createMetadataStore, metadataRoutes } from './metadata/index.ts';
import { createRecordsService, filesRoutes, filterProblems, recordsRoutes } from './records/index.ts';
import { createOutboxDispatcher } from './audit/index.ts';

const RECOVERY_MS = 60_000;

export type AppDeps = { db: Db; logger: Logger; metadataPollMs?: number };

/** The HTTP app and the background work it needs (metadata polling, event delivery). */
export type Rapport = {
  app: Express;
  /** Loads metadata and starts background work; call before serving. */
  start(): Promise<void>;
  /** Stops background work and waits for pending events to be delivered. */
  stop(): Promise<void>;
};

/** Builds the app from its dependencies; main.ts and the tests build it the same way. */
export function createApp(deps: AppDeps): Rapport {
  const { db, logger } = deps;
  const store = createMetadataStore(db);
  const registry = createMetadataRegistry({ store, logger: logger.child({ module: 'metadata' }), pollMs: deps.metadataPollMs });
  const metadata = createMetadataService({ db, store, registry, checkFilter: filterProblems });
  const outbox = createOutboxDispatcher({ db, logger: logger.child({ module: 'outbox' }), collections: () => [...registry.all().map((e) => e.collection), 'recycle_bin'] });
  const ctx = { db, registry, store, events: outbox };
  const records = createRecordsService(ctx);
  let recovery: NodeJS.Timeout | undefined;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(requestLogging(logger));
  app.use(healthRoutes({ db }));
  // Uploads stream their raw body, so they come before the JSON parser.
  app.use(filesRoutes({ ctx, records }));
  app.use('/api', requireJsonBody);
  app.use(express.json({ limit: '1mb' }));
  app.use(metadataRoutes(metadata));
  app.use(recordsRoutes({ records, ctx }));
  app.use(openApiRoutes({ registry }));
  app.use(notFoundHandler);
  app.use(problemHandler);

  return {
    app,
    async start() {
      await store.init();
      await registry.refresh();
      await records.recover();
      registry.start();
      outbox.start();
      recovery = setInterval(() => records.recover().catch((err) => logger.warn({ err }, 'finishing interrupted deletes failed')), RECOVERY_MS);
      recovery.unref();
    },
    async stop() {
      clearInterval(recovery);
      registry.stop();
      outbox.stop();
      await outbox.idle();
    },
  };
}
