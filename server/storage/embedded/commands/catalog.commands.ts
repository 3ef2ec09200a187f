/** Collections, databases and indexes: create, drop, list, rename, stats. */
import { BSON } from 'bson';
import { Query } from '../mingo.ts';
import { compareBson } from '../bson-values.ts';
import type { CollectionStore, Doc } from '../collection-store.ts';
import { ID_INDEX } from '../collection-store.ts';
import { fail } from '../engine-errors.ts';
import type { IndexSpec } from '../index-store.ts';
import type { JournalOp } from '../journal-ops.ts';
import { asDoc, checkDbName, collectionOf, commitOps, namespaceOf, writableNamespace, type CommandContext, type CommandHandler } from './command-context.ts';

const COMMAND_FIELDS = new Set(['create', '$db', 'lsid', 'writeConcern', 'comment', '$clusterTime', 'txnNumber', '$readPreference', 'apiVersion']);

const create: CommandHandler = async (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.create);
  const options = Object.fromEntries(Object.entries(cmd).filter(([k]) => !COMMAND_FIELDS.has(k)));
  if (options.viewOn !== undefined) {
    if (typeof options.viewOn !== 'string' || !options.viewOn) fail('TypeMismatch', "'viewOn' must be a collection name");
    if (options.pipeline !== undefined && !Array.isArray(options.pipeline)) fail('TypeMismatch', "'pipeline' must be an array");
    options.pipeline ??= [];
  }
  await commitOps(ctx, [{ op: 'createColl', ns, options }]);
  return { ok: 1 };
};

const drop: CommandHandler = async (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.drop);
  const store = ctx.engine.store(ns);
  if (store) await commitOps(ctx, [{ op: 'dropColl', ns }]);
  return { ns, nIndexesWas: store?.indexes.size ?? 0, ok: 1 };
};

const dropDatabase: CommandHandler = async (_cmd, ctx) => {
  const db = checkDbName(ctx.db);
  await commitOps(ctx, ctx.engine.namespaces(db).map((ns) => ({ op: 'dropColl' as const, ns })));
  return { dropped: db, ok: 1 };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const db = checkDbName(ctx.db);
  const infos = ctx.engine.namespaces(db).map((ns) => {
    const store = ctx.engine.store(ns)!;
    if (store.options.viewOn) return { name: collectionOf(ns), type: 'view', options: store.options, info: { readOnly: true } };
    return { name: collectionOf(ns), type: 'collection', options: store.options, info: { readOnly: false }, idIndex: ID_INDEX };
  });
  const filter = asDoc(cmd.filter, 'filter');
  const selected = filter ? new Query(filter, {}).find<Doc>(infos).all() : infos;
  const docs = cmd.nameOnly === true ? selected.map((c) => ({ name: c.name, type: c.type })) : selected;
  const batchSize = (asDoc(cmd.cursor, 'cursor')?.batchSize as number | undefined) ?? undefined;
  return { cursor: ctx.cursors.start(`${db}.$cmd.listCollections`, docs, batchSize), ok: 1 };
};

const listDatabases: CommandHandler = (cmd, ctx) => {
  const names = [...new Set(ctx.engine.namespaces().map((ns) => ns.slice(0, ns.indexOf('.'))))];
  const all = names.map((name) => ({ name, sizeOnDisk: dataSize(ctx, name), empty: false }));
  const filter = asDoc(cmd.filter, 'filter');
  const databases = filter ? new Query(filter, {}).find<Doc>(all).all() : all;
  if (cmd.nameOnly === true) return { databases: databases.map((d) => ({ name: d.name })), ok: 1 };
  return { databases, totalSize: all.reduce((sum, d) => sum + d.sizeOnDisk, 0), ok: 1 };
};

/** A `db.collection` argument, each part validated like any namespace. */
function fullNamespace(ctx: CommandContext, value: unknown): string {
  const text = String(value);
  const dot = text.indexOf('.');
  if (dot <= 0) fail('InvalidNamespace', `Invalid namespace specified '${text}'`);
  return namespaceOf({ ...ctx, db: text.slice(0, dot) }, text.slice(dot + 1));
}

const renameCollection: CommandHandler = async (cmd, ctx) => {
  const from = fullNamespace(ctx, cmd.renameCollection);
  const to = fullNamespace(ctx, cmd.to);
  if (!ctx.engine.store(from)) fail('NamespaceNotFound', `Source collection ${from} does not exist`);
  if (from === to) fail('IllegalOperation', "Can't rename a collection to itself");
  const ops: JournalOp[] = [];
  if (ctx.engine.store(to)) {
    if (cmd.dropTarget !== true) fail('NamespaceExists', 'target namespace exists');
    ops.push({ op: 'dropColl', ns: to });
  }
  ops.push({ op: 'rename', from, to });
  await commitOps(ctx, ops);
  return { ok: 1 };
};

function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key).map(([f, d]) => `${f}_${String(d)}`).join('_');
}

/**
 * The spec to build, or undefined when an identical index exists. `earlier` holds the specs
 * accepted before this one in the same command, which count as existing.
 */
function checkIndexSpec(raw: unknown, store: CollectionStore | undefined, earlier: IndexSpec[]): IndexSpec | undefined {
  const spec = asDoc(raw, 'indexes') ?? {};
  const key = asDoc(spec.key, 'key');
  if (!key || Object.keys(key).length === 0) fail('CannotCreateIndex', 'Index key pattern must be a non-empty object');
  // Collation-aware keys (case-insensitive uniqueness) are not implemented; refusing the spec is
  // better than accepting it and enforcing byte-for-byte.
  if (spec.collation !== undefined) fail('CannotCreateIndex', 'indexes with a collation are not supported by the embedded engine');
  const name = typeof spec.name === 'string' && spec.name ? spec.name : defaultIndexName(key);
  const full = { v: 2, ...spec, key, name } as IndexSpec;
  const existing = [...(store?.indexes.values() ?? [])].map((i) => i.spec).concat(earlier);
  const sameName = existing.find((e) => e.name === name);
  if (sameName) {
    // As MongoDB: another key or identifying option under this name is a key conflict; the same
    // index with other options (expireAfterSeconds, say) an options conflict; the same index, nothing to do.
    if (!sameSignature(sameName, full)) fail('IndexKeySpecsConflict', `An existing index has the same name as the requested index but different key or options: ${name}`);
    if (!sameOtherOptions(sameName, full)) fail('IndexOptionsConflict', `An equivalent index already exists with the same name but different options: ${name}`);
    return undefined;
  }
  const twin = existing.find((e) => sameSignature(e, full));
  if (twin) fail('IndexOptionsConflict', `Index already exists with a different name: ${twin.name}`);
  return full;
}

/**
 * What tells two indexes apart, as in MongoDB 5.0+: the key and the unique, sparse and partial
 * filter options. Two indexes on the same key may exist when these differ (a unique index next to
 * a plain one, or partial indexes with different filters); not when only their names do.
 * Partial filters are compared as written (MongoDB compares them parsed).
 */
function sameSignature(a: IndexSpec, b: IndexSpec): boolean {
  return (
    compareBson(a.key, b.key) === 0 &&
    Boolean(a.unique) === Boolean(b.unique) &&
    Boolean(a.sparse) === Boolean(b.sparse) &&
    compareBson(a.partialFilterExpression ?? null, b.partialFilterExpression ?? null) === 0
  );
}

const NOT_OTHER_OPTIONS = new Set(['v', 'name', 'key', 'unique', 'sparse', 'partialFilterExpression', 'background', 'ns']);

/** The options besides the signature (expireAfterSeconds, hidden, ...) are the same. */
function sameOtherOptions(a: IndexSpec, b: IndexSpec): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !NOT_OTHER_OPTIONS.has(k)));
  return [...names].every((k) => compareBson((a as Record<string, unknown>)[k] ?? null, (b as Record<string, unknown>)[k] ?? null) === 0);
}

const createIndexes: CommandHandler = async (cmd, ctx) => {
  const ns = writableNamespace(ctx, cmd.createIndexes);
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) fail('BadValue', 'Must specify at least one index to create');
  const store = ctx.engine.store(ns);
  const before = store?.indexes.size ?? 1;
  const specs: IndexSpec[] = [];
  for (const raw of cmd.indexes) {
    const spec = checkIndexSpec(raw, store, specs);
    if (spec) specs.push(spec);
  }
  const ops: JournalOp[] = store ? [] : [{ op: 'createColl', ns, options: {} }];
  for (const spec of specs) ops.push({ op: 'createIndex', ns, spec });
  await commitOps(ctx, ops);
  return {
    numIndexesBefore: before,
    numIndexesAfter: ctx.engine.store(ns)?.indexes.size ?? before,
    createdCollectionAutomatically: !store,
    ...(specs.length === 0 ? { note: 'all indexes already exist' } : {}),
    ok: 1,
  };
};

const listIndexes: CommandHandler = (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.listIndexes);
  const store = ctx.engine.store(ns);
  if (!store) fail('NamespaceNotFound', `ns does not exist: ${ns}`);
  const batchSize = asDoc(cmd.cursor, 'cursor')?.batchSize as number | undefined;
  return { cursor: ctx.cursors.start(ns, store.indexSpecs() as Doc[], batchSize), ok: 1 };
};

const dropIndexes: CommandHandler = async (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.dropIndexes ?? cmd.deleteIndexes);
  const store = ctx.engine.store(ns);
  if (!store) fail('NamespaceNotFound', `ns not found ${ns}`);
  const nIndexesWas = store.indexes.size;
  const wanted = cmd.index;
  let names: string[];
  if (wanted === '*') names = [...store.indexes.keys()].filter((n) => n !== ID_INDEX.name);
  else if (Array.isArray(wanted)) names = wanted.map(String);
  else if (typeof wanted === 'string') names = [wanted];
  else names = [...store.indexes.values()].filter((i) => compareBson(i.spec.key, wanted) === 0).map((i) => i.spec.name);
  if (names.length === 0 && wanted !== '*') fail('IndexNotFound', `can't find index with key: ${JSON.stringify(wanted)}`);
  if (names.length > 1 && !Array.isArray(wanted) && typeof wanted === 'object') {
    fail('AmbiguousIndexKeyPattern', `${names.length} indexes found for key: ${JSON.stringify(wanted)}, identify by name instead. Conflicting indexes: ${names.join(', ')}`);
  }
  for (const name of names) {
    if (name === ID_INDEX.name) fail('InvalidOptions', 'cannot drop _id index');
    if (!store.indexes.has(name)) fail('IndexNotFound', `index not found with name [${name}]`);
  }
  await commitOps(ctx, names.map((name) => ({ op: 'dropIndex' as const, ns, name })));
  return { nIndexesWas, ok: 1 };
};

function collectionSize(store: CollectionStore): number {
  let size = 0;
  for (const doc of store.docs.values()) size += BSON.calculateObjectSize(doc);
  return size;
}

function dataSize(ctx: CommandContext, db: string): number {
  return ctx.engine.namespaces(db).reduce((sum, ns) => sum + collectionSize(ctx.engine.store(ns)!), 0);
}

const collStats: CommandHandler = (cmd, ctx) => {
  const ns = namespaceOf(ctx, cmd.collStats);
  const store = ctx.engine.store(ns);
  if (!store) fail('NamespaceNotFound', `Collection [${ns}] not found.`);
  const size = collectionSize(store);
  const count = store.docs.size;
  const indexSizes = Object.fromEntries([...store.indexes.values()].map((i) => [i.spec.name, i.size * 32]));
  return {
    ns, count, size, avgObjSize: count ? Math.round(size / count) : 0, storageSize: size,
    nindexes: store.indexes.size, indexSizes,
    totalIndexSize: Object.values(indexSizes).reduce((a, b) => a + b, 0), ok: 1,
  };
};

const dbStats: CommandHandler = (_cmd, ctx) => {
  const db = checkDbName(ctx.db);
  const stores = ctx.engine.namespaces(db).map((ns) => ctx.engine.store(ns)!);
  const objects = stores.reduce((sum, s) => sum + s.docs.size, 0);
  const size = dataSize(ctx, db);
  return {
    db, collections: stores.length, views: 0, objects, avgObjSize: objects ? size / objects : 0,
    dataSize: size, storageSize: size, indexes: stores.reduce((sum, s) => sum + s.indexes.size, 0), ok: 1,
  };
};

/**
 * `fsync`: checkpoints, folding the journal into a new snapshot (what a tool or a benchmark asks
 * for before it measures); once it answers, every write is on disk, those acknowledged with
 * `j: false` included.
 * The write lock (`lock: true`) is not offered.
 */
const fsync: CommandHandler = async (cmd, ctx) => {
  if (ctx.db !== 'admin') fail('Unauthorized', 'fsync may only be run against the admin database.');
  if (cmd.lock) fail('IllegalOperation', 'fsync with lock is not supported by the embedded engine');
  await ctx.engine.checkpointAll();
  return { numFiles: 1, ok: 1 };
};

export const catalogCommands: Record<string, CommandHandler> = {
  create, drop, dropDatabase, listCollections, listDatabases, renameCollection,
  createIndexes, listIndexes, dropIndexes, deleteIndexes: dropIndexes, collStats, dbStats, fsync,
};
