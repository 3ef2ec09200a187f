// Special test operations (`object: testRunner`).
import type { Doc, EntityDescription } from './unified-format.types.ts';
import type { OperationContext } from './operation-context.ts';
import { createEntities } from './entities.ts';
import { AssertionFailure, RunnerError } from './runner-error.ts';

type RunnerOperation = (args: Doc, ctx: OperationContext) => Promise<void>;

async function collectionNames(ctx: OperationContext, databaseName: unknown): Promise<string[]> {
  const collections = await ctx.internalClient.db(String(databaseName)).listCollections({}, { nameOnly: true }).toArray();
  return collections.map((collection) => collection.name);
}

async function indexNames(ctx: OperationContext, args: Doc): Promise<string[]> {
  const collection = ctx.internalClient.db(String(args.databaseName)).collection(String(args.collectionName));
  try {
    return (await collection.listIndexes().toArray()).map((index) => String(index.name));
  } catch (error) {
    if ((error as { code?: unknown }).code === 26) return []; // NamespaceNotFound: no collection, no index
    throw error;
  }
}

export const runnerOperations: Record<string, RunnerOperation> = {
  async failPoint(args, ctx) {
    const { client } = ctx.entities.get(String(args.client), 'client');
    const command = args.failPoint as Doc;
    await client.db('admin').command(command);
    ctx.failPoints.push({ client, name: String(command.configureFailPoint) });
  },
  async targetedFailPoint() {
    throw new RunnerError('targetedFailPoint needs a session pinned to a mongos, which this runner does not track');
  },
  async wait(args) {
    await new Promise((resolve) => setTimeout(resolve, Number(args.ms)));
  },
  async createEntities(args, ctx) {
    await createEntities(ctx.entities, args.entities as EntityDescription[], { uri: ctx.uri });
  },
  async assertCollectionExists(args, ctx) {
    const names = await collectionNames(ctx, args.databaseName);
    if (!names.includes(String(args.collectionName))) {
      throw new AssertionFailure(`expected collection ${String(args.databaseName)}.${String(args.collectionName)} to exist`);
    }
  },
  async assertCollectionNotExists(args, ctx) {
    const names = await collectionNames(ctx, args.databaseName);
    if (names.includes(String(args.collectionName))) {
      throw new AssertionFailure(`expected collection ${String(args.databaseName)}.${String(args.collectionName)} not to exist`);
    }
  },
  async assertIndexExists(args, ctx) {
    if (!(await indexNames(ctx, args)).includes(String(args.indexName))) {
      throw new AssertionFailure(`expected index ${String(args.indexName)} on ${String(args.collectionName)}`);
    }
  },
  async assertIndexNotExists(args, ctx) {
    if ((await indexNames(ctx, args)).includes(String(args.indexName))) {
      throw new AssertionFailure(`expected no index ${String(args.indexName)} on ${String(args.collectionName)}`);
    }
  },
};

/** Switches off every fail point the test switched on; errors are ignored (the client may be gone). */
export async function disableFailPoints(ctx: OperationContext): Promise<void> {
  for (const { client, name } of ctx.failPoints.splice(0)) {
    await client.db('admin').command({ configureFailPoint: name, mode: 'off' }).catch(() => undefined);
  }
}
