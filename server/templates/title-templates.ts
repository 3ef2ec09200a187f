/**
 * Record titles from templates (issue 7): a template of kind `title` written for an entity (its
 * `entity`) titles that entity's records. The records capability renders it on every save and
 * stores the result (see server/records/record-title.ts); this side says which template is in
 * force for an entity, renders it, refuses a second title template for the same entity, and says
 * when an entity's titles must be rendered again.
 *
 * Which template titles which entity is read at most once a second per instance (a save on this
 * instance is seen at once), so writes to entities without a title template cost a map lookup.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logger.ts';
import type { Renderer } from './render-template.ts';
import type { TemplatesStore } from './templates.store.ts';
import { templateProblems } from './templates.problems.ts';
import type { TemplateDefinition } from './template.types.ts';
import type { TitleTemplate } from '../records/index.ts';
import { hashOf, PART_NAMES } from './template-source.ts';
import { titleUses } from './title-uses.ts';
import { ttlCache } from '../shared/ttl-cache.ts';

/** Rendered titles are one line of at most this many characters. */
export const MAX_TITLE = 300;
/** How long an instance keeps which template titles which entity. */
export const TITLE_CACHE_MS = 1_000;
/** How long a save waits for the retitle, so that the titles are new when the person looks (the rest goes on in the background). */
export const RETITLE_WAIT_MS = 2_000;

type Deps = { store: TemplatesStore; renderer: Renderer; logger: Logger; changed?: (entities: string[]) => Promise<void> };

/** The cache's one key: the templates are read all at once. */
const ALL = 'all';

type Loaded = { name: string; definition: TemplateDefinition; key: string; uses: string[] };

/** Every field any part reads; a part that does not parse reads nothing (it cannot render either). */
function usesOf(def: TemplateDefinition): string[] {
  const uses = new Set<string>();
  for (const part of PART_NAMES) {
    const source = def.parts[part];
    if (source === undefined) continue;
    try {
      for (const use of titleUses(source)) uses.add(use);
    } catch {
      // a syntax error: rendering fails and no title is stored
    }
  }
  return uses.has('*') ? ['*'] : [...uses].sort();
}

const titledEntity = (def: TemplateDefinition | undefined): string | undefined => (def?.kind === 'title' ? def.entity : undefined);

export function createTitleTemplates(deps: Deps) {
  async function load(): Promise<Map<string, Loaded>> {
    const map = new Map<string, Loaded>();
    for (const t of await deps.store.list()) {
      const entity = titledEntity(t.definition);
      if (entity && !map.has(entity)) map.set(entity, { name: t.definition.name!, definition: t.definition, key: hashOf(t.definition), uses: usesOf(t.definition) });
    }
    return map;
  }

  /** Which template titles which entity: concurrent saves share one read; a failed read is not kept. */
  const cache = ttlCache(load, TITLE_CACHE_MS);
  const byEntity = () => cache.get(ALL);

  function templateFor(loaded: Map<string, Loaded>, entity: string): TitleTemplate | null {
    const template = loaded.get(entity);
    if (!template) return null;
    const { definition, key, uses } = template;
    return {
      key,
      uses,
      async render(record: Record<string, unknown>): Promise<string | null> {
        try {
          const { text } = await deps.renderer.renderDefinition(definition, { record });
          return text?.replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE) || null;
        } catch (err) {
          deps.logger.warn({ err, template: template.name, entity }, 'title template could not be rendered; the record keeps the title it had');
          throw err;
        }
      },
    };
  }

  return {
    /**
     * The title template the records capability calls on each save; null without one. Its `key`
     * names this version of the source and `uses` the fields it reads (stored with each title);
     * `render` throws when the title cannot be rendered, so the caller keeps the title it had.
     */
    async renderFor(entity: string): Promise<TitleTemplate | null> {
      return templateFor(await byEntity(), entity);
    },
    /** renderFor's answer when it is known without waiting; undefined when the templates must be read. */
    cachedFor(entity: string): TitleTemplate | null | undefined {
      const loaded = cache.peek(ALL);
      return loaded && templateFor(loaded, entity);
    },
    /** Throws invalid-template (pointer /entity) when another title template already titles the entity. */
    async checkUnique(def: TemplateDefinition): Promise<void> {
      const entity = titledEntity(def);
      if (!entity) return;
      cache.forget();
      const other = (await byEntity()).get(entity);
      if (other && other.name !== def.name) {
        throw templateProblems.invalidTemplate.create({ detail: `/entity "${other.name}" already titles ${entity} records`, errors: [{ pointer: '/entity', detail: `"${other.name}" already titles ${entity} records: an entity has one title template; change that one` }] });
      }
    },
    /**
     * A template changed from `before` to `after` (either may be absent): retitles the entities
     * concerned, waiting for it at most RETITLE_WAIT_MS.
     */
    async saved(before: TemplateDefinition | undefined, after: TemplateDefinition | undefined): Promise<void> {
      const entities = [...new Set([titledEntity(before), titledEntity(after)].filter((e): e is string => !!e))];
      if (!entities.length || !deps.changed) return;
      cache.forget();
      await Promise.race([deps.changed(entities), sleep(RETITLE_WAIT_MS, undefined, { ref: false })]);
    },
  };
}

export type TitleTemplates = ReturnType<typeof createTitleTemplates>;
