/**
 * The live metadata: every entity compiled for its current version. A change made here is live
 * for the next request; a change made by another instance is picked up by polling the highest
 * metadataVersion (issue 3: "a second server instance sees the change within one second").
 */
import type { Logger } from '../shared/logger.ts';
import type { EntityDefinition, Field } from './entity.types.ts';
import type { MetadataStore } from './metadata.store.ts';
import { compileEntity, type CompiledEntity } from './compile-entity.ts';
import { metadataProblems } from './metadata.problems.ts';

export type InboundLink = { entity: CompiledEntity; field: Extract<Field, { type: 'relation' | 'manyToMany' }> };

export type MetadataRegistry = ReturnType<typeof createMetadataRegistry>;

export function createMetadataRegistry(deps: { store: MetadataStore; logger: Logger; pollMs?: number }) {
  const { store, logger } = deps;
  let metadataVersion = 0;
  const live = new Map<string, CompiledEntity>();
  let inbound: Map<string, InboundLink[]> | null = null;
  let pending: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const seen = new Map<string, number>();
  let generation = 0;

  async function load(): Promise<void> {
    const stale = (await store.versions()).filter((v) => seen.get(v._id) !== v.metadataVersion).map((v) => v._id);
    const changed = stale.length ? await store.getMany(stale) : [];
    for (const doc of changed) {
      if (doc.deleted) live.delete(doc._id);
      else live.set(doc._id, compileEntity({ definition: doc.definition, version: doc.version, metadataVersion: doc.metadataVersion, locks: doc.locks }));
      seen.set(doc._id, doc.metadataVersion);
      metadataVersion = Math.max(metadataVersion, doc.metadataVersion);
    }
    if (changed.length) {
      generation++;
      inbound = null;
      logger.debug({ metadataVersion }, 'metadata loaded');
    }
  }

  /** Serialised, so a poll and a local change never interleave. */
  function refresh(): Promise<void> {
    pending = pending.then(load, load);
    return pending;
  }

  function require(name: string): CompiledEntity {
    const entity = live.get(name);
    if (!entity) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${name}"` });
    return entity;
  }

  return {
    refresh,
    get: (name: string): CompiledEntity | undefined => live.get(name),
    require,
    all: (): CompiledEntity[] => [...live.values()],
    definitions: (): Map<string, EntityDefinition> => new Map([...live].map(([k, v]) => [k, v.definition])),
    version: (): number => metadataVersion,
    /** Changes whenever the loaded metadata does: a cache key for what is derived from it. */
    generation: (): number => generation,
    /** Relation and many-to-many fields of any entity that point at `name`. */
    inboundLinks(name: string): InboundLink[] {
      inbound ??= indexInbound([...live.values()]);
      return inbound.get(name) ?? [];
    },
    start(): void {
      const pollMs = deps.pollMs ?? 250;
      timer = setInterval(() => refresh().catch((err) => logger.warn({ err }, 'metadata poll failed')), pollMs);
      timer.unref();
    },
    stop(): void {
      clearInterval(timer);
    },
  };
}

function indexInbound(entities: CompiledEntity[]): Map<string, InboundLink[]> {
  const map = new Map<string, InboundLink[]>();
  for (const entity of entities) {
    for (const field of [...entity.relations, ...entity.manyToMany]) {
      const list = map.get(field.target) ?? [];
      list.push({ entity, field });
      map.set(field.target, list);
    }
  }
  return map;
}
