/**
 * Installed plugins (collection `plugins`) and what their calls did (`plugin_logs`). Call logs are
 * written in batches (every LOG_FLUSH_MS, or LOG_BATCH of them), not one insert per hook call: a
 * hook runs on every save, and its log must not cost the save a second journaled write. Reading
 * the logs writes what is pending first; a crash loses at most the last LOG_FLUSH_MS of logs.
 */
import type { Db } from 'mongodb';
import type { PluginManifest } from './manifest.types.ts';
import type { CallReport } from './supervisor.ts';
import type { Logger } from '../shared/logger.ts';

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

const LOG_FLUSH_MS = 200;
const LOG_BATCH = 500;
/** Logs waiting for a database that does not keep up: beyond this, the oldest are dropped (and counted). */
const MAX_PENDING = 10 * LOG_BATCH;

export function createPluginStore(db: Db, logger?: Logger) {
  const plugins = db.collection<PluginDoc>('plugins');
  const logs = db.collection<PluginLogDoc>('plugin_logs');
  let pending: PluginLogDoc[] = [];
  /** Logs handed to the database and not yet written: they count toward MAX_PENDING too. */
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<unknown> = Promise.resolve();

  /** Writes the pending logs (after any write already under way). */
  function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    inFlight += batch.length;
    writing = writing
      .then(() => (batch.length ? logs.insertMany(batch, { ordered: false }) : undefined))
      // The error carries the documents, whose console output may hold record data: only its code and message are logged.
      .catch((err: { code?: unknown; message?: string }) => logger?.warn({ code: err.code, reason: err.message?.slice(0, 200), lost: batch.length }, 'plugin call logs could not be written'))
      .finally(() => (inFlight -= batch.length));
    return writing.then(() => undefined);
  }

  return {
    init: () => logs.createIndex({ pluginId: 1, at: -1 }),
    list: () => plugins.find({}).sort({ _id: 1 }).toArray(),
    get: (id: string) => plugins.findOne({ _id: id }),
    /** The enabled plugins without their code (polled every second; the code is read when it changed). */
    enabled: () => plugins.find({ status: 'enabled' }, { projection: { code: 0 } }).toArray() as Promise<Array<Omit<PluginDoc, 'code'>>>,
    put: (doc: PluginDoc) => plugins.replaceOne({ _id: doc._id }, doc, { upsert: true }),
    set: (id: string, $set: Partial<PluginDoc>) => plugins.findOneAndUpdate({ _id: id }, { $set }, { returnDocument: 'after' }),
    remove: (id: string) => plugins.deleteOne({ _id: id }),
    /** Counts a failed call; returns the failures in a row after it. */
    async countFailure(id: string): Promise<number> {
      const doc = await plugins.findOneAndUpdate({ _id: id }, { $inc: { failures: 1 } }, { returnDocument: 'after', projection: { failures: 1 } });
      return doc?.failures ?? 0;
    },
    /** A call succeeded: the failures in a row start again from 0. */
    resetFailures: (id: string) => plugins.updateOne({ _id: id, failures: { $ne: 0 } }, { $set: { failures: 0 } }),
    log(report: CallReport): void {
      pending.push({ ...report, at: new Date() });
      if (pending.length + inFlight > MAX_PENDING) {
        const dropped = pending.splice(0, pending.length + inFlight - MAX_PENDING);
        logger?.warn({ dropped: dropped.length }, 'plugin call logs dropped: the database does not keep up');
      }
      if (pending.length >= LOG_BATCH) void flush();
      else timer ??= setTimeout(() => void flush(), LOG_FLUSH_MS).unref();
    },
    flushLogs: flush,
    logs: async (id: string, limit: number) => {
      await flush();
      return logs.find({ pluginId: id }, { projection: { _id: 0 } }).sort({ at: -1 }).limit(limit).toArray();
    },
  };
}
