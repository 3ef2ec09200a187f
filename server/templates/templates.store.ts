/**
 * Where templates live (issue 7): the defaults from files (version 0), `templates` (an
 * administrator's current version of each name, with a version number for optimistic
 * concurrency) and `template_history` (every version saved, deletions included). Renders read
 * the current version from the database each time, so a saved template is live on every
 * instance at once; compiling is cached by source, so that read is all it costs.
 */
import type { Collection, Db } from 'mongodb';
import type { TemplateDefinition } from './template.types.ts';

export type StoredTemplate = { _id: string; definition: TemplateDefinition; version: number; deleted: boolean; updatedAt: Date; updatedBy: string };
export type HistoryEntry = { name: string; version: number; definition: TemplateDefinition; deleted: boolean; at: Date; by: string };

/** What a name means now: an administrator's version, or the default from templates/. */
export type CurrentTemplate = { definition: TemplateDefinition; version: number; source: 'custom' | 'default'; hasDefault: boolean; updatedAt?: Date; updatedBy?: string };

export type TemplatesStore = ReturnType<typeof createTemplatesStore>;

export function createTemplatesStore(db: Db, defaults: ReadonlyMap<string, TemplateDefinition>) {
  const templates: Collection<StoredTemplate> = db.collection('templates');
  const history: Collection<HistoryEntry> = db.collection('template_history');

  const current = (name: string, doc: StoredTemplate | null): CurrentTemplate | null => {
    const hasDefault = defaults.has(name);
    if (doc && !doc.deleted) return { definition: doc.definition, version: doc.version, source: 'custom', hasDefault, updatedAt: doc.updatedAt, updatedBy: doc.updatedBy };
    const fallback = defaults.get(name);
    // A default brought back by a delete keeps counting versions from where the name was.
    return fallback ? { definition: fallback, version: doc?.version ?? 0, source: 'default', hasDefault } : null;
  };

  return {
    async init(): Promise<void> {
      await history.createIndex({ name: 1, version: -1 }, { unique: true });
    },
    /** The stored version number, deleted or not (0: never saved): what the next save must name. */
    versionNow: async (name: string): Promise<number> => (await templates.findOne({ _id: name }, { projection: { version: 1 } }))?.version ?? 0,
    get: async (name: string): Promise<CurrentTemplate | null> => current(name, await templates.findOne({ _id: name })),
    async list(): Promise<CurrentTemplate[]> {
      const docs = new Map((await templates.find({}).toArray()).map((d) => [d._id, d]));
      const names = [...new Set([...defaults.keys(), ...docs.keys()])].sort();
      return names.map((n) => current(n, docs.get(n) ?? null)).filter((t): t is CurrentTemplate => t !== null);
    },
    /** Saves against the version read; null when someone else saved first. */
    async save(input: { definition: TemplateDefinition; expectedVersion: number; by: string; deleted?: boolean }): Promise<StoredTemplate | null> {
      const name = input.definition.name!;
      const doc: StoredTemplate = { _id: name, definition: input.definition, version: input.expectedVersion + 1, deleted: input.deleted ?? false, updatedAt: new Date(), updatedBy: input.by };
      try {
        const res = await templates.replaceOne({ _id: name, version: input.expectedVersion }, doc, { upsert: input.expectedVersion === 0 });
        if (res.matchedCount === 0 && res.upsertedCount === 0) return null;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return null;
        throw err;
      }
      await history.insertOne({ name, version: doc.version, definition: doc.definition, deleted: doc.deleted, at: doc.updatedAt, by: input.by });
      return doc;
    },
    historyOf: (name: string, limit: number) => history.find({ name }, { projection: { _id: 0 } }).sort({ version: -1 }).limit(limit).toArray(),
    versionOf: (name: string, version: number) => history.findOne({ name, version }, { projection: { _id: 0 } }),
  };
}
