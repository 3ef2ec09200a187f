// Operations on database, client, session and cursor entities.
import type { AnyClientBulkWriteModel, Document } from 'mongodb';
import type { Doc } from './unified-format.types.ts';
import { takeArgs, type OperationTable } from './operation-context.ts';
import { toReadPreference } from './driver-options.ts';
import { RunnerError } from './runner-error.ts';

const COMMON = ['session', 'comment', 'timeoutMS'];

export const databaseOperations: OperationTable<'database'> = {
  aggregate: {
    required: ['pipeline'],
    optional: [...COMMON, 'allowDiskUse', 'batchSize', 'bypassDocumentValidation', 'collation', 'hint', 'let',
      'maxTimeMS', 'maxAwaitTimeMS', 'readConcern', 'readPreference', 'writeConcern'],
    returnsDocuments: true,
    run: ({ db }, args) => {
      const [{ pipeline }, options] = takeArgs(args, ['pipeline']);
      return db.aggregate(pipeline as Document[], options).toArray();
    },
  },
  createCollection: {
    required: ['collection'],
    optional: [...COMMON, 'capped', 'size', 'max', 'viewOn', 'pipeline', 'collation', 'validator', 'validationLevel',
      'validationAction', 'timeseries', 'expireAfterSeconds', 'clusteredIndex', 'changeStreamPreAndPostImages',
      'encryptedFields', 'writeConcern', 'storageEngine', 'indexOptionDefaults'],
    run: async ({ db }, args) => {
      const [{ collection }, options] = takeArgs(args, ['collection']);
      await db.createCollection(String(collection), options);
    },
  },
  dropCollection: {
    required: ['collection'],
    optional: [...COMMON, 'writeConcern', 'encryptedFields'],
    run: async ({ db }, args) => {
      const [{ collection }, options] = takeArgs(args, ['collection']);
      await db.dropCollection(String(collection), options);
    },
  },
  listCollections: {
    optional: [...COMMON, 'filter', 'batchSize', 'nameOnly', 'authorizedCollections'],
    returnsDocuments: true,
    run: ({ db }, args) => {
      const [{ filter = {} }, options] = takeArgs(args, ['filter']);
      return db.listCollections(filter as Doc, options).toArray();
    },
  },
  listCollectionNames: {
    optional: [...COMMON, 'filter', 'batchSize', 'authorizedCollections'],
    run: async ({ db }, args) => {
      const [{ filter = {} }, options] = takeArgs(args, ['filter']);
      const collections = await db.listCollections(filter as Doc, { ...options, nameOnly: true }).toArray();
      return collections.map((collection) => collection.name);
    },
  },
  runCommand: {
    required: ['command', 'commandName'],
    optional: ['session', 'readPreference'],
    run: ({ db }, args) => {
      const options: Doc = {};
      if (args.session !== undefined) options.session = args.session;
      if (args.readPreference !== undefined) options.readPreference = toReadPreference(args.readPreference);
      return db.command(args.command as Doc, options);
    },
  },
};

const NAMESPACED_MODELS = new Set(['insertOne', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany']);

/** `{ insertOne: { namespace, document } }` → `{ name: 'insertOne', namespace, document }`. */
function toClientBulkWriteModel(model: unknown): AnyClientBulkWriteModel<Document> {
  const keys = Object.keys((model ?? {}) as Doc);
  if (keys.length !== 1 || !NAMESPACED_MODELS.has(keys[0])) {
    throw new RunnerError(`invalid clientBulkWrite model ${JSON.stringify(model)}`);
  }
  const name = keys[0];
  return { name, ...((model as Doc)[name] as Doc) } as unknown as AnyClientBulkWriteModel<Document>;
}

export const clientOperations: OperationTable<'client'> = {
  clientBulkWrite: {
    required: ['models'],
    optional: [...COMMON, 'ordered', 'bypassDocumentValidation', 'let', 'verboseResults', 'writeConcern'],
    run: ({ client }, args) => {
      const [{ models }, options] = takeArgs(args, ['models']);
      if (typeof client.bulkWrite !== 'function') throw new RunnerError('this driver has no MongoClient.bulkWrite');
      return client.bulkWrite((models as unknown[]).map(toClientBulkWriteModel), options);
    },
  },
  listDatabases: {
    optional: [...COMMON, 'filter', 'nameOnly', 'authorizedDatabases'],
    returnsDocuments: true,
    run: async ({ client }, args) => (await client.db('admin').admin().listDatabases(takeArgs(args, [])[1])).databases,
  },
  listDatabaseNames: {
    optional: [...COMMON, 'filter', 'authorizedDatabases'],
    run: async ({ client }, args) => {
      const reply = await client.db('admin').admin().listDatabases({ ...takeArgs(args, [])[1], nameOnly: true });
      return reply.databases.map((database) => database.name);
    },
  },
  close: {
    run: async ({ client }) => {
      await client.close();
    },
  },
};

export const sessionOperations: OperationTable<'session'> = {
  endSession: {
    run: async ({ session }) => {
      await session.endSession();
    },
  },
};

export const cursorOperations: OperationTable<'cursor'> = {
  iterateUntilDocumentOrError: { run: ({ cursor }) => cursor.next() },
  iterateOnce: { run: ({ cursor }) => cursor.tryNext() },
  close: {
    run: async ({ cursor }) => {
      await cursor.close();
    },
  },
};
