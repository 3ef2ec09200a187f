// "Executing a Test": initialData, fresh entities, the operations with their expectations,
// expectEvents, outcome; then fail points off and entities closed, whatever happened.
import type { MongoClient } from 'mongodb';
import type { CollectionData, Operation, ServerInfo, TestStatus, UnifiedTest, UnifiedTestFile } from './unified-format.types.ts';
import { createEntities, createEntityMap, type Entity, type EntityMap } from './entities.ts';
import { executeOperation } from './operations.ts';
import type { OperationContext } from './operation-context.ts';
import { disableFailPoints } from './runner-operations.ts';
import { describeValue, exactMismatch } from './bson-compare.ts';
import { matchDocuments, matchResult, type MatchOptions } from './match-result.ts';
import { describeError, matchError } from './match-error.ts';
import { checkEvents } from './check-events.ts';
import { resultToDocument } from './result-documents.ts';
import { unmetRequirements, type ParameterReader } from './requirements.ts';
import { AssertionFailure, RunnerError } from './runner-error.ts';


export type RunnerContext = {
  uri: string;
  internalClient: MongoClient;
  server: ServerInfo;
  readParameter: ParameterReader;
  testTimeoutMs: number;
};

export type CaseResult = { status: TestStatus; reason?: string };


/** Why the test must be skipped (test-level requirements only), or undefined. */
export async function testSkipReason(test: UnifiedTest, ctx: RunnerContext): Promise<string | undefined> {
  if (test.skipReason) return test.skipReason;
  const unmet = await unmetRequirements(test.runOnRequirements, ctx.server, ctx.readParameter);
  if (unmet) return unmet;
  // The embedded engine offers the failCommand fail point (test commands are on in the runner);
  // targeted fail points pin a session to one mongos, which a standalone does not have.
  if (test.operations.some((op) => op.object === 'testRunner' && op.name === 'targetedFailPoint')) {
    return 'targetedFailPoint needs a sharded cluster (a session pinned to a mongos)';
  }
  return undefined;
}

export async function runTestCase(file: UnifiedTestFile, test: UnifiedTest, ctx: RunnerContext): Promise<CaseResult> {
  const entities = createEntityMap();
  const opCtx: OperationContext = { entities, uri: ctx.uri, internalClient: ctx.internalClient, failPoints: [] };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionFailure(`timed out after ${ctx.testTimeoutMs} ms`)), ctx.testTimeoutMs);
  });
  try {
    await Promise.race([runSteps(file, test, opCtx), timeout]);
    return { status: 'pass' };
  } catch (error) {
    return { status: 'fail', reason: reasonOf(error) };
  } finally {
    clearTimeout(timer);
    await disableFailPoints(opCtx);
    await entities.close();
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof AssertionFailure || error instanceof RunnerError) return error.message;
  return `unexpected error: ${describeError(error)}`;
}

async function runSteps(file: UnifiedTestFile, test: UnifiedTest, ctx: OperationContext): Promise<void> {
  if (test.expectLogMessages) throw new RunnerError('expectLogMessages is not supported by this runner');
  await setUpInitialData(file.initialData ?? [], ctx.internalClient);
  await createEntities(ctx.entities, file.createEntities ?? [], { uri: ctx.uri });
  for (const [index, operation] of test.operations.entries()) {
    try {
      await runOperation(operation, ctx);
    } catch (error) {
      const where = `operation ${index + 1} (${operation.name} on ${operation.object})`;
      if (error instanceof RunnerError) throw new RunnerError(`${where}: ${error.message}`);
      throw new AssertionFailure(`${where}: ${reasonOf(error)}`);
    }
  }
  const eventFailure = test.expectEvents ? checkEvents(test.expectEvents, ctx.entities, matchOptions(ctx.entities)) : undefined;
  if (eventFailure) throw new AssertionFailure(`expectEvents: ${eventFailure}`);
  await checkOutcome(test.outcome ?? [], ctx.internalClient);
}

/** Drops each collection (and its queryable-encryption side collections), then creates and fills it. */
export async function setUpInitialData(initialData: CollectionData[], client: MongoClient): Promise<void> {
  const majority = { writeConcern: { w: 'majority' as const } };
  for (const data of initialData) {
    const db = client.db(data.databaseName);
    const name = data.collectionName;
    for (const drop of [name, `enxcol_.${name}.esc`, `enxcol_.${name}.ecoc`]) await db.dropCollection(drop, majority);
    if (data.createOptions) await db.createCollection(name, { ...data.createOptions, ...majority });
    if (data.documents.length > 0) await db.collection(name).insertMany(data.documents, majority);
    else if (!data.createOptions) await db.createCollection(name, majority);
  }
}

async function checkOutcome(outcome: CollectionData[], client: MongoClient): Promise<void> {
  for (const data of outcome) {
    const documents = await client
      .db(data.databaseName)
      .collection(data.collectionName)
      .find({}, { sort: { _id: 1 }, readPreference: 'primary', readConcern: { level: 'local' } })
      .toArray();
    const failure = exactMismatch(data.documents, documents);
    if (failure) throw new AssertionFailure(`outcome ${data.databaseName}.${data.collectionName} ${failure}`);
  }
}

function matchOptions(entities: EntityMap): MatchOptions {
  return { lookupEntity: (name) => entityValue(entities.get(name)) };
}

function entityValue(entity: Entity): unknown {
  if (entity.kind === 'value') return entity.value;
  if (entity.kind === 'session') return entity.session;
  return entity;
}

async function runOperation(operation: Operation, ctx: OperationContext): Promise<void> {
  let output: Awaited<ReturnType<typeof executeOperation>> | undefined;
  let error: unknown;
  try {
    output = await executeOperation(operation, ctx);
  } catch (caught) {
    if (caught instanceof RunnerError || caught instanceof AssertionFailure) throw caught;
    error = caught ?? new Error('operation rejected without a reason');
  }
  if (operation.ignoreResultAndError) return;
  const options = matchOptions(ctx.entities);
  if (operation.expectError) {
    if (!error) throw new AssertionFailure(`expected an error, got ${describeValue(resultToDocument(output?.result))}`);
    const failure = matchError(operation.expectError, error, options);
    if (failure) throw new AssertionFailure(`expectError: ${failure}`);
    return;
  }
  if (error) throw error;
  if ('expectResult' in operation) {
    const actual = resultToDocument(output?.result);
    const match = output?.returnsDocuments ? matchDocuments : matchResult;
    const failure = match(operation.expectResult, actual, options);
    if (failure) throw new AssertionFailure(`expectResult ${failure}`);
  }
  if (operation.saveResultAsEntity) ctx.entities.add(operation.saveResultAsEntity, toEntity(output?.result));
}

function toEntity(result: unknown): Entity {
  const cursor = result as { next?: unknown; tryNext?: unknown; close?: unknown } | null;
  if (cursor && typeof cursor.next === 'function' && typeof cursor.tryNext === 'function' && typeof cursor.close === 'function') {
    return { kind: 'cursor', cursor: result as never };
  }
  if (result === undefined) throw new RunnerError('saveResultAsEntity: the operation returned no result');
  return { kind: 'value', value: result };
}
