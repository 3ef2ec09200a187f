// Shapes of MongoDB's unified test format, limited to the parts the conformance runner reads.
// See ../shared/conformance/unified-test-format.md for the full description.

export type Doc = Record<string, unknown>;

export type RunOnRequirement = {
  minServerVersion?: string;
  maxServerVersion?: string;
  topologies?: string[];
  serverless?: 'require' | 'forbid' | 'allow';
  serverParameters?: Doc;
  auth?: boolean;
  authMechanism?: string;
  csfle?: boolean | Doc;
};

export type CollectionData = {
  collectionName: string;
  databaseName: string;
  createOptions?: Doc;
  documents: Doc[];
};

/** One entity description: exactly one key (client, database, collection, session, ...). */
export type EntityDescription = Record<string, Doc & { id: string }>;

export type ExpectedError = {
  isError?: boolean;
  isClientError?: boolean;
  isTimeoutError?: boolean;
  errorContains?: string;
  errorCode?: number;
  errorCodeName?: string;
  errorLabelsContain?: string[];
  errorLabelsOmit?: string[];
  writeErrors?: Record<string, Doc>;
  writeConcernErrors?: Doc[];
  errorResponse?: Doc;
  expectResult?: unknown;
};

export type Operation = {
  name: string;
  object: string;
  arguments?: Doc;
  ignoreResultAndError?: boolean;
  expectError?: ExpectedError;
  expectResult?: unknown;
  saveResultAsEntity?: string;
};

export type ExpectedEventsForClient = {
  client: string;
  eventType?: 'command' | 'cmap' | 'sdam';
  events: Doc[];
  ignoreExtraEvents?: boolean;
};

export type UnifiedTest = {
  description: string;
  runOnRequirements?: RunOnRequirement[];
  skipReason?: string;
  operations: Operation[];
  expectEvents?: ExpectedEventsForClient[];
  expectLogMessages?: unknown[];
  expectTracingMessages?: unknown;
  outcome?: CollectionData[];
};

export type UnifiedTestFile = {
  description: string;
  schemaVersion: string;
  runOnRequirements?: RunOnRequirement[];
  createEntities?: EntityDescription[];
  initialData?: CollectionData[];
  tests: UnifiedTest[];
};

export type TestStatus = 'pass' | 'fail' | 'skip';

export type TestResult = {
  file: string;
  test: string;
  status: TestStatus;
  reason?: string;
};

export type ServerInfo = {
  /** [major, minor, patch] from buildInfo.versionArray. */
  version: [number, number, number];
  topology: 'single' | 'replicaset' | 'sharded' | 'load-balanced';
  /** True when every shard of a sharded cluster is a replica set. */
  shardsAreReplicaSets: boolean;
  /** True when the connection string carries credentials. */
  auth: boolean;
};
