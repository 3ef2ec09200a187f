// Operation names of the unified format mapped to driver calls, per entity type, and the
// dispatcher that checks the arguments and runs one operation.
import type { Collection, Document } from 'mongodb';
import type { Doc, Operation } from './unified-format.types.ts';
import type { EntityKind } from './entities.ts';
import {
  checkArguments,
  resolveSession,
  takeArgs,
  type OperationContext,
  type OperationSpec,
  type OperationTable,
} from './operation-context.ts';
import { clientOperations, cursorOperations, databaseOperations, sessionOperations } from './database-operations.ts';
import { runnerOperations } from './runner-operations.ts';
import { RunnerError } from './runner-error.ts';

const COMMON = ['session', 'comment', 'timeoutMS'];
const READ = [...COMMON, 'maxTimeMS', 'readConcern', 'readPreference', 'collation', 'hint'];
const WRITE = [...COMMON, 'writeConcern', 'let', 'hint', 'collation', 'bypassDocumentValidation'];
const FIND_AND_MODIFY = [...WRITE, 'maxTimeMS', 'projection', 'sort'];

type CollectionSpec = OperationSpec<'collection'>;

function returnDocumentOption(options: Doc): Doc {
  if (options.returnDocument === undefined) return options;
  const value = String(options.returnDocument).toLowerCase();
  if (value !== 'before' && value !== 'after') throw new RunnerError(`invalid returnDocument ${String(options.returnDocument)}`);
  return { ...options, returnDocument: value };
}

function findOptions(options: Doc): Doc {
  const { cursorType, ...rest } = options;
  if (cursorType === 'tailable') return { ...rest, tailable: true };
  if (cursorType === 'tailableAwait') return { ...rest, tailable: true, awaitData: true };
  return rest;
}

/** countDocuments and count accept the same options. */
const COUNT_OPTIONS = [...READ, 'skip', 'limit'];

const FIND_OPTIONS = [
  ...READ, 'allowDiskUse', 'allowPartialResults', 'batchSize', 'cursorType', 'let', 'limit', 'max',
  'maxAwaitTimeMS', 'min', 'noCursorTimeout', 'projection', 'returnKey', 'showRecordId', 'skip', 'sort', 'timeoutMode',
];

const collectionOperations: OperationTable<'collection'> = {
  aggregate: {
    required: ['pipeline'],
    optional: [...READ, 'allowDiskUse', 'batchSize', 'bypassDocumentValidation', 'let', 'maxAwaitTimeMS', 'writeConcern', 'timeoutMode'],
    returnsDocuments: true,
    run: ({ collection }, args) => {
      const [{ pipeline }, options] = takeArgs(args, ['pipeline']);
      return collection.aggregate(pipeline as Document[], options).toArray();
    },
  },
  bulkWrite: {
    required: ['requests'],
    optional: [...WRITE, 'ordered'],
    run: ({ collection }, args) => {
      const [{ requests }, options] = takeArgs(args, ['requests']);
      return collection.bulkWrite(requests as never, options);
    },
  },
  countDocuments: {
    required: ['filter'],
    optional: COUNT_OPTIONS,
    run: ({ collection }, args) => {
      const [{ filter }, options] = takeArgs(args, ['filter']);
      return collection.countDocuments(filter as Doc, options);
    },
  },
  count: {
    optional: ['filter', ...COUNT_OPTIONS],
    run: ({ collection }, args) => runCount(collection, args),
  },
  estimatedDocumentCount: {
    optional: ['session', 'comment', 'timeoutMS', 'maxTimeMS', 'readConcern', 'readPreference'],
    run: ({ collection }, args) => collection.estimatedDocumentCount(takeArgs(args, [])[1]),
  },
  deleteMany: deleteSpec('deleteMany'),
  deleteOne: deleteSpec('deleteOne'),
  distinct: {
    required: ['fieldName', 'filter'],
    optional: READ,
    run: ({ collection }, args) => {
      const [{ fieldName, filter }, options] = takeArgs(args, ['fieldName', 'filter']);
      return collection.distinct(String(fieldName), filter as Doc, options);
    },
  },
  find: {
    required: ['filter'],
    optional: FIND_OPTIONS,
    returnsDocuments: true,
    run: ({ collection }, args) => {
      const [{ filter }, options] = takeArgs(args, ['filter']);
      return collection.find(filter as Doc, findOptions(options)).toArray();
    },
  },
  createFindCursor: {
    required: ['filter'],
    optional: FIND_OPTIONS,
    run: async ({ collection }, args) => {
      const [{ filter }, options] = takeArgs(args, ['filter']);
      const cursor = collection.find(filter as Doc, findOptions(options));
      await cursor.hasNext(); // the find command must run now, without moving the cursor on
      return cursor;
    },
  },
  findOneAndDelete: {
    required: ['filter'],
    optional: FIND_AND_MODIFY,
    run: ({ collection }, args) => {
      const [{ filter }, options] = takeArgs(args, ['filter']);
      return collection.findOneAndDelete(filter as Doc, options);
    },
  },
  findOneAndReplace: {
    required: ['filter', 'replacement'],
    optional: [...FIND_AND_MODIFY, 'returnDocument', 'upsert'],
    run: ({ collection }, args) => {
      const [{ filter, replacement }, options] = takeArgs(args, ['filter', 'replacement']);
      return collection.findOneAndReplace(filter as Doc, replacement as Doc, returnDocumentOption(options));
    },
  },
  findOneAndUpdate: {
    required: ['filter', 'update'],
    optional: [...FIND_AND_MODIFY, 'returnDocument', 'upsert', 'arrayFilters'],
    run: ({ collection }, args) => {
      const [{ filter, update }, options] = takeArgs(args, ['filter', 'update']);
      return collection.findOneAndUpdate(filter as Doc, update as Doc, returnDocumentOption(options));
    },
  },
  insertMany: {
    required: ['documents'],
    optional: [...COMMON, 'writeConcern', 'bypassDocumentValidation', 'ordered'],
    run: ({ collection }, args) => {
      const [{ documents }, options] = takeArgs(args, ['documents']);
      return collection.insertMany(documents as Doc[], options);
    },
  },
  insertOne: {
    required: ['document'],
    optional: [...COMMON, 'writeConcern', 'bypassDocumentValidation'],
    run: ({ collection }, args) => {
      const [{ document }, options] = takeArgs(args, ['document']);
      return collection.insertOne(document as Doc, options);
    },
  },
  replaceOne: {
    required: ['filter', 'replacement'],
    optional: [...WRITE, 'upsert', 'sort'],
    run: ({ collection }, args) => {
      const [{ filter, replacement }, options] = takeArgs(args, ['filter', 'replacement']);
      return collection.replaceOne(filter as Doc, replacement as Doc, options);
    },
  },
  updateMany: updateSpec('updateMany', []),
  updateOne: updateSpec('updateOne', ['sort']),
  ...indexOperations(),
};

function deleteSpec(name: 'deleteMany' | 'deleteOne'): CollectionSpec {
  return {
    required: ['filter'],
    optional: WRITE,
    run: ({ collection }, args) => {
      const [{ filter }, options] = takeArgs(args, ['filter']);
      return collection[name](filter as Doc, options);
    },
  };
}

function updateSpec(name: 'updateMany' | 'updateOne', extra: string[]): CollectionSpec {
  return {
    required: ['filter', 'update'],
    optional: [...WRITE, 'upsert', 'arrayFilters', ...extra],
    run: ({ collection }, args) => {
      const [{ filter, update }, options] = takeArgs(args, ['filter', 'update']);
      return collection[name](filter as Doc, update as Doc, options);
    },
  };
}

/** `count` is deprecated; when the driver no longer offers it, the count command does the same. */
async function runCount(collection: Collection, args: Doc): Promise<number> {
  const [{ filter = {} }, options] = takeArgs(args, ['filter']);
  const legacy = collection as unknown as { count?: (filter: Doc, options: Doc) => Promise<number> };
  if (typeof legacy.count === 'function') return legacy.count.call(collection, filter as Doc, options);
  const { session, readPreference, ...fields } = options;
  const command = { count: collection.collectionName, query: filter, ...fields };
  const reply = await collection.db.command(command, { session, readPreference } as Doc);
  return Number(reply.n);
}

function indexOperations(): OperationTable<'collection'> {
  return {
    createIndex: {
      required: ['keys'],
      optional: [...COMMON, 'name', 'unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression', 'collation', 'hidden', 'maxTimeMS'],
      run: ({ collection }, args) => {
        const [{ keys }, options] = takeArgs(args, ['keys']);
        return collection.createIndex(keys as never, options);
      },
    },
    dropIndex: {
      required: ['name'],
      optional: [...COMMON, 'maxTimeMS'],
      run: ({ collection }, args) => {
        const [{ name }, options] = takeArgs(args, ['name']);
        return collection.dropIndex(String(name), options);
      },
    },
    listIndexes: {
      optional: [...COMMON, 'batchSize'],
      returnsDocuments: true,
      run: ({ collection }, args) => collection.listIndexes(takeArgs(args, [])[1]).toArray(),
    },
    drop: {
      optional: [...COMMON, 'writeConcern'],
      run: async ({ collection }, args) => {
        await collection.drop(takeArgs(args, [])[1]);
      },
    },
  };
}

const TABLES: { [K in EntityKind]?: OperationTable<K> } = {
  collection: collectionOperations,
  database: databaseOperations,
  client: clientOperations,
  session: sessionOperations,
  cursor: cursorOperations,
};

export type OperationOutput = { result: unknown; returnsDocuments: boolean };

/** Runs one operation; driver errors propagate as they are, runner problems as RunnerError. */
export async function executeOperation(operation: Operation, ctx: OperationContext): Promise<OperationOutput> {
  const args = operation.arguments ?? {};
  if (operation.object === 'testRunner') {
    const special = runnerOperations[operation.name];
    if (!special) throw new RunnerError(`unsupported special test operation '${operation.name}'`);
    await special(args, ctx);
    return { result: undefined, returnsDocuments: false };
  }
  const entity = ctx.entities.get(operation.object);
  const spec = (TABLES[entity.kind] as OperationTable<EntityKind> | undefined)?.[operation.name];
  if (!spec) throw new RunnerError(`unsupported operation '${operation.name}' on ${entity.kind} entity '${operation.object}'`);
  checkArguments(operation.name, spec, args);
  const result = await spec.run(entity as never, resolveSession(args, ctx.entities), ctx);
  return { result, returnsDocuments: spec.returnsDocuments === true };
}
