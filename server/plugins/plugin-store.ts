/** Installed plugins (collection `plugins`) and what their calls did (`plugin_logs`). */
import type { Db } from 'mongodb';
import type { PluginManifest } from './manifest.types.ts';
import type { CallReport } from './supervisor.ts';

export type PluginStatus = 'installed' | 'enabled' | 'disabled';

export type PluginDoc = {
  _id: string;
  manifest: PluginManifest;
  code: string;
  status: PluginStatus;
  grants: string[];
  settings: Record<string, unknown>;
  installedAt: Date;
  updatedAt: Date;
  updatedBy: string;
  /** Failed calls in a row; reset by a successful one. */
  failures: number;
  /** Why Rapport disabled it by itself, if it did. */
  disabledReason?: string;
};

export type PluginLogDoc = CallReport & { at: Date };
export type PluginStore = ReturnType<typeof createPluginStore>;

export function createPluginStore(db: Db) {
  const plugins = db.collection<PluginDoc>('plugins');
  const logs = db.collection<PluginLogDoc>('plugin_logs');
  return {
    init: () => logs.createIndex({ pluginId: 1, at: -1 }),
    list: () => plugins.find({}).sort({ _id: 1 }).toArray(),
    get: (id: string) => plugins.findOne({ _id: id }),
    /** The enabled plugins without their code (polled every second; the code is read when it changed). */
    enabled: () => plugins.find({ status: 'enabled' }, { projection: { code: 0 } }).toArray() as Promise<Array<Omit<PluginDoc, 'code'>>>,
    put: (doc: PluginDoc) => plugins.replaceOne({ _id: doc._id }, doc, { upsert: true }),
    set: (id: string, $set: Partial<PluginDoc>) => plugins.findOneAndUpdate({ _id: id }, { $set }, { returnDocument: 'after' }),
    remove: (id: string) => plugins.deleteOne({ _id: id }),
    /** Counts a call; returns the failures in a row after it. */
    async countCall(id: string, ok: boolean): Promise<number> {
      const doc = await plugins.findOneAndUpdate({ _id: id }, ok ? { $set: { failures: 0 } } : { $inc: { failures: 1 } }, { returnDocument: 'after', projection: { failures: 1 } });
      return doc?.failures ?? 0;
    },
    log: (report: CallReport) => logs.insertOne({ ...report, at: new Date() }),
    logs: (id: string, limit: number) => logs.find({ pluginId: id }, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray(),
  };
}
