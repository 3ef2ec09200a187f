import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Db } from 'mongodb';
import type { Logger } from './shared/logger.ts';
import { healthRoutes } from './http/health.routes.ts';
import { notFoundHandler, problemHandler } from './http/problem-handler.ts';
import { requestLogging } from './http/request-logging.ts';
import { requireJsonBody } from './http/require-json.ts';
import { openApiRoutes } from './http/openapi.routes.ts';
import { studioRoutes } from './http/studio.routes.ts';
import { createMetadataArchive, createMetadataRegistry, createMetadataService, createMetadataStore, metadataRoutes, reconcileIndexes } from './metadata/index.ts';
import { createConversions, createFieldRename, createRecycleBin, fieldChangesRoutes, lifecycleRoutes } from './lifecycle/index.ts';
import { createBulk, createRecordsQuery, createRecordsService, readAccess, filesRoutes, filterProblems, recordsRoutes, retitle, cancelRetitles } from './records/index.ts';
import { createOutboxDispatcher } from './audit/index.ts';
import { adminRoutes, authRoutes, createAuth, type Auth, DEFAULT_AUTH_OPTIONS, PUBLIC_AUTH_PATHS, type AuthOptions } from './auth/index.ts';
import { requireAdmin, requireSignIn, resolveActor } from './http/authenticate.ts';
import { createPlugins, pluginActionsRoutes, pluginEndpointsRoutes, pluginsRoutes, type FetchOptions } from './plugins/index.ts';
import type { RecordsService, WriteContext } from './records/index.ts';
import { fileURLToPath } from 'node:url';
import { importRoutes } from './imports/index.ts';
import { createDuplicateGuard, duplicatesRoutes, ruleStoreOf } from './duplicates/index.ts';
import { approvalsRoutes, chainHooks, createWorkflows, webhookRoutes, workflowsRoutes, type WorkflowsOptions } from './workflows/index.ts';
import { actorOf, SYSTEM_ACTOR } from './shared/actor.ts';
import { createNotifications, notificationsRoutes } from './notifications/index.ts';
import { createTemplates, templatesRoutes, type TemplateLimits } from './templates/index.ts';
import { createMail, mailRoutes, recordMailRoutes, unsubscribeRoutes, type DeliveryOptions } from './email/index.ts';
import { createUi } from './ui/index.ts';
import { searchRoutes } from './search/index.ts';
import { createPacksService, packsRoutes, PACKS_DIR, uiPortOf, type PacksService } from './packs/index.ts';

const RECOVERY_MS = 60_000;

/** `pluginsDir`: where plugins are installed from (default: the repository's plugins/). */
/** `retentionDays`: how long deleted records and archived fields and entities are kept (default 30). */
export type AppDeps = { db: Db; logger: Logger; metadataPollMs?: number; retentionDays?: number; workflows?: WorkflowsOptions; auth?: Partial<AuthOptions>; pluginsDir?: string; pluginFetch?: FetchOptions } & MailAppDeps;
/** `smtpUrl`: unset keeps mail in the outbox (the mail catcher); `mailFrom`: the default sender; `mail`, `templates`: delivery and render limits (tests shorten them). */
export type MailAppDeps = { smtpUrl?: string; mailFrom?: string; mail?: Partial<DeliveryOptions>; templates?: Partial<TemplateLimits> };

const PLUGINS_DIR = fileURLToPath(new URL('../plugins/', import.meta.url));

/** What start() found: on a first run with no administrator configured, the one-time setup token. */
export type StartInfo = { setupToken?: string };

/** The HTTP app and the background work it needs (metadata polling, event delivery). */
export type Rapport = {
  app: Express;
  /** Loads metadata and users, starts background work; call before serving. */
  start(): Promise<StartInfo>;
  /** Finishes interrupted deletes and purges what outlived the retention period (runs every minute; tests call it). */
  housekeeping(): Promise<void>;
  /** Stops background work and waits for pending events to be delivered. */
  stop(): Promise<void>;
  /** For the CLI (issue 9): solution packs and metadata export/import, and users (`rapport admin create`). */
  packs: PacksService;
  users: Auth['users'];
};

/** Builds the app from its dependencies; main.ts and the tests build it the same way. */
export function createApp(deps: AppDeps): Rapport {
  const { db, logger } = deps;
  const store = createMetadataStore(db);
  const registry = createMetadataRegistry({ store, logger: logger.child({ module: 'metadata' }), pollMs: deps.metadataPollMs });
  const retentionDays = deps.retentionDays ?? 30;
  const archive = createMetadataArchive(db, retentionDays);
  const metadata = createMetadataService({ db, store, registry, checkFilter: filterProblems, archive, fieldsChanged: (entity) => void retitleRelated(entity) });
  const outbox = createOutboxDispatcher({ db, logger: logger.child({ module: 'outbox' }), collections: () => [...registry.all().map((e) => e.collection), 'recycle_bin'] });
  const auth = createAuth({ db, logger, registry, checkFilter: filterProblems, options: { ...DEFAULT_AUTH_OPTIONS, ...deps.auth } });
  const notifications = createNotifications({ db, logger });
  // The records service runs the plugins' hooks; the plugins' SDK calls the records service.
  const plugins = createPlugins({ db, logger, ctx: { db, registry }, records: () => records, actorOf: auth.actorOf, pluginsDir: deps.pluginsDir ?? PLUGINS_DIR, fetch: deps.pluginFetch, notify: notifications.notify, mail: () => mail });
  outbox.subscribe((events) => plugins.runtime.afterSave(events));
  const people = {
    rolesOf: (id: string) => (auth.directory.user(id)?.active ? auth.directory.user(id)!.roles : undefined),
    nameOf: (id: string) => auth.directory.user(id)?.name,
    active: () => auth.directory.users().filter((u) => u.active).map((u) => ({ id: u.id, name: u.name, email: u.email })),
  };
  // Workflows run steps through the records service, and check transitions and locks in its pipeline.
  const workflows = createWorkflows({ db, ctx: { db, registry }, registry, records: () => records, logger, people, notify: notifications.notify, mail: () => mail, plugins: { run: (input) => plugins.actions.run({ ...input, actor: SYSTEM_ACTOR }), actions: (entity) => plugins.runtime.actionsFor(entity).map(({ plugin, action }) => ({ plugin: plugin._id, action: action.name, label: action.label })) }, options: { fetch: deps.pluginFetch, ...deps.workflows } });
  outbox.subscribe((events) => workflows.onEvents(events));
  const ctx: WriteContext = { db, registry, store, events: outbox, users: { exists: (id: string) => auth.directory.user(id) !== undefined }, hooks: chainHooks([plugins.hooks, workflows.guard]), duplicates: createDuplicateGuard({ db, registry }) };
  const records: RecordsService = createRecordsService(ctx);
  const templates = createTemplates({ db, logger, registry, records: () => records, limits: deps.templates, titlesChanged: retitleAll });
  // Records are titled by their entity's title template on every save (issue 7).
  ctx.titles = templates.titles;
  const retitling = new Set<Promise<unknown>>();
  /**
   * Fields of `entity` were added, removed or renamed: titles of it and of the entities relating to
   * it are rendered again (a title made from a field that is gone shows to no one until then).
   */
  async function retitleRelated(entity: string): Promise<void> {
    const names = [...new Set([entity, ...registry.inboundLinks(entity).map((l) => l.entity.name)])];
    const titled: string[] = [];
    for (const name of names) if (await templates.titles.renderFor(name).catch(() => null)) titled.push(name);
    if (titled.length) await retitleAll(titled);
  }
  /** Renders the titles of these entities' records again; done at the first pass (the follow-up goes on); failures are logged, never thrown. */
  function retitleAll(names: string[]): Promise<void> {
    const entities = names.map((name) => registry.get(name)).filter((e) => e !== undefined);
    return Promise.all(
      entities.map((e) => {
        const run = retitle(ctx, e);
        const all = run.all.catch((err: unknown) => logger.warn({ err, entity: e.name }, 'titles could not be rendered again')).finally(() => retitling.delete(all));
        retitling.add(all);
        return run.first.catch(() => undefined);
      }),
    ).then(() => undefined);
  }
  const mail = createMail({ db, logger, registry, records: () => records, templates, smtpUrl: deps.smtpUrl, from: deps.mailFrom, publicUrl: deps.auth?.publicUrl ?? DEFAULT_AUTH_OPTIONS.publicUrl, options: deps.mail });
  const bin = createRecycleBin({ ctx, retentionDays });
  const duplicateRules = ruleStoreOf({ db, registry });
  const ui = createUi({ db, registry, userLabel: (id) => auth.directory.user(id)?.name });
  // A pack installs only through the services an administrator's own changes go through (issue 9).
  const listRecords = async (entity: string, limit: number) => (await createRecordsQuery(ctx).list(readAccess(registry.require(entity), SYSTEM_ACTOR), { limit, sort: '_id' })).data;
  const packs = createPacksService({ db, packsDir: PACKS_DIR, services: { metadata, roles: auth.roles, workflows: workflows.service, templates: templates.service, duplicateRules, plugins: plugins.service, bulkCreate: createBulk(records).create, listRecords, ui: uiPortOf(ui, SYSTEM_ACTOR) } });
  const conversions = createConversions({ ctx, metadata, logger: logger.child({ module: 'conversions' }), converted: (entity, field) => duplicateRules.fieldChanged(entity, field) });
  let recovery: NodeJS.Timeout | undefined;
  /** Finishes deletes a crash interrupted, and purges what outlived the retention period. */
  async function housekeeping(): Promise<void> {
    await records.recover();
    await bin.purgeExpired();
    await metadata.purgeExpired();
  }

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet());
  app.use(requestLogging(logger));
  app.use(healthRoutes({ db }));
  app.use(studioRoutes());
  // Inbound webhooks are authenticated by their workflow's secret, not by a user.
  app.use(webhookRoutes(workflows.service, workflows.inbound));
  // Unsubscribe links are authenticated by their signed token, not by a user.
  app.use(unsubscribeRoutes(mail));
  app.use('/api', resolveActor(auth, PUBLIC_AUTH_PATHS));
  app.use('/api', requireSignIn(PUBLIC_AUTH_PATHS));
  // Uploads stream their raw body, so they come before the JSON parser.
  app.use(filesRoutes({ ctx, records }));
  app.use(importRoutes({ ctx, records }));
  app.use('/api', requireJsonBody);
  app.use(express.json({ limit: '1mb' }));
  app.use(authRoutes(auth));
  // A plugin's own endpoints are for every signed-in user; managing plugins is for administrators.
  app.use(pluginEndpointsRoutes(plugins.runtime));
  app.use(['/api/users', '/api/roles', '/api/access-log', '/api/openapi.json', '/api/plugins', '/api/notifications', '/api/mail'], requireAdmin);
  app.use('/api/metadata', adminUnlessReading);
  app.use(adminRoutes(auth));
  app.use(pluginsRoutes(plugins.service));
  app.use(fieldChangesRoutes({ conversions, rename: createFieldRename({ ctx, metadata, roles: auth.fieldRename, follow: (entity, from, to) => duplicateRules.fieldChanged(entity, from, to).then(() => ui.fieldRenamed(entity, from, to)) }) }));
  app.use(metadataRoutes(metadata));
  app.use(recordsRoutes({ records, ctx }));
  app.use(lifecycleRoutes({ bin }));
  app.use(workflowsRoutes({ service: workflows.service, runs: workflows.runs, records, inbound: workflows.inbound, templates: workflows.templates }));
  app.use(approvalsRoutes(workflows.approvals));
  app.use(templatesRoutes(templates.service));
  app.use(mailRoutes(mail));
  app.use(recordMailRoutes(mail, (entity, id, res) => records.get(entity, id, actorOf(res))));
  app.use(notificationsRoutes(notifications));
  app.use(duplicatesRoutes({ ctx, records }));
  app.use(ui.routes);
  app.use(packsRoutes(packs));
  app.use(searchRoutes(ctx));
  app.use(pluginActionsRoutes(plugins.actions));
  app.use(openApiRoutes({ registry }));
  app.use(notFoundHandler);
  app.use(problemHandler);

  return {
    app,
    housekeeping,
    packs,
    users: auth.users,
    async start() {
      await store.init();
      await archive.init();
      await notifications.init();
      await outbox.init();
      await registry.refresh();
      // Each entity's indexes follow the current rules (e.g. the list order) without a save of its definition.
      for (const entity of registry.all()) await reconcileIndexes(db, entity.definition, async () => (await store.get(entity.name))?.version === entity.version).catch((err: unknown) => logger.warn({ err, entity: entity.name }, 'indexes could not be brought up to date'));
      const info = await auth.start();
      await plugins.start();
      await records.recover();
      await conversions.resume();
      await workflows.start();
      await templates.init();
      await ui.init();
      await mail.start();
      registry.start();
      outbox.start();
      recovery = setInterval(() => housekeeping().catch((err) => logger.warn({ err }, 'housekeeping failed')), RECOVERY_MS);
      recovery.unref();
      return info;
    },
    async stop() {
      clearInterval(recovery);
      auth.stop();
      await plugins.stop();
      registry.stop();
      outbox.stop();
      await conversions.stop();
      await workflows.stop();
      await mail.stop();
      cancelRetitles(ctx);
      await Promise.allSettled(retitling);
      await templates.stop();
      await outbox.idle();
    },
  };
}

/** Everyone signed in reads the definitions of the entities they can read; changing them, and their history, is for administrators. */
const adminUnlessReading: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' && !req.path.endsWith('/history') && !req.path.startsWith('/archive') && !req.path.startsWith('/conversions')) return next();
  requireAdmin(req, res, next);
};
