/**
 * The templates capability (issue 7): Handlebars templates for emails, documents, record titles
 * and partials; defaults in templates/, administrators' versions in MongoDB with history.
 *
 * Public API for other capabilities (e.g. workflows, email):
 *
 *   const templates = createTemplates({ db, logger, registry, records: () => records });
 *   await templates.init();                                  // indexes
 *   const { subject, html, text, version } = await templates.render(name, context, {
 *     locale: 'de-DE', timeZone: 'Europe/Berlin',           // Intl formatting of the helpers
 *     record: { entity: 'contact', id },                     // optional: merge fields under record.*
 *     actor,                                                 // whose permissions read it (default: system)
 *     unsubscribeUrl,                                        // optional: {{@unsubscribeUrl}}
 *   });
 *   await templates.exists(name, 'email');
 *   ctx.titles = templates.titles;                           // record titles from title templates
 *   await templates.stop();                                  // ends the render worker
 *
 * Rendering runs in an isolated-vm isolate in a worker process with a CPU time limit, a
 * wall-clock watchdog, a memory limit, an output size cap and a partial depth cap; every failure
 * is a problem (template-render-timeout, template-output-too-large, template-partial-depth,
 * template-render-failed, template-syntax with line and column, template-not-found).
 */
import { fileURLToPath } from 'node:url';
import type { Db } from 'mongodb';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { RecordsService } from '../records/index.ts';
import type { Logger } from '../shared/logger.ts';
import { loadDefaultTemplates } from './default-templates.ts';
import { createRenderer, DEFAULT_TEMPLATE_LIMITS, type TemplateLimits } from './render-template.ts';
import { RenderSandbox } from './sandbox/render-sandbox.ts';
import { createTemplatesService } from './templates.service.ts';
import { createTemplatesStore } from './templates.store.ts';
import type { TemplateDefinition } from './template.types.ts';
import { createTitleTemplates, TITLE_CACHE_MS } from './title-templates.ts';

export { templatesRoutes } from './templates.routes.ts';
export { templateProblems } from './templates.problems.ts';
export { checkLocale, checkTimeZone, DEFAULT_TEMPLATE_LIMITS, type RenderOptions, type Rendered, type TemplateLimits } from './render-template.ts';
export type { TemplateDefinition } from './template.types.ts';
export type { TemplatesService } from './templates.service.ts';

const DEFAULTS_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

/** `titlesChanged`: these entities' title template changed, so their records' titles must be rendered again. */
export type TemplatesDeps = { db: Db; logger: Logger; registry: MetadataRegistry; records: () => RecordsService; limits?: Partial<TemplateLimits>; defaultsDir?: string; titlesChanged?: (entities: string[]) => Promise<void> };

export function createTemplates(deps: TemplatesDeps) {
  const logger = deps.logger.child({ module: 'templates' });
  const store = createTemplatesStore(deps.db, loadDefaultTemplates(deps.defaultsDir ?? DEFAULTS_DIR, logger));
  const sandbox = new RenderSandbox(logger);
  const renderer = createRenderer({ store, registry: deps.registry, records: deps.records, sandbox, limits: { ...DEFAULT_TEMPLATE_LIMITS, ...deps.limits } });
  const titles = createTitleTemplates({ store, renderer, logger, changed: deps.titlesChanged });
  const service = createTemplatesService({ store, registry: deps.registry, renderer, titles });
  return {
    service,
    render: renderer.render,
    /** The title templates in force, for the records capability's write pipeline. */
    titles: { renderFor: titles.renderFor, cachedFor: titles.cachedFor, cacheMs: TITLE_CACHE_MS },
    /** Whether `name` is a template now (of `kind`, when given). */
    async exists(name: string, kind?: TemplateDefinition['kind']): Promise<boolean> {
      const t = await store.get(name);
      return !!t && (!kind || t.definition.kind === kind);
    },
    init: () => store.init(),
    stop: () => sandbox.stop(),
  };
}

export type Templates = ReturnType<typeof createTemplates>;
