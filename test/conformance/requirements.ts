// runOnRequirements: what the server is (from buildInfo and hello) and whether a test may run.
import type { MongoClient } from 'mongodb';
import type { Doc, RunOnRequirement, ServerInfo } from './unified-format.types.ts';
import { isNumeric, numbersEqual } from './bson-compare.ts';

export type ParameterReader = (name: string) => Promise<{ found: boolean; value?: unknown }>;

type Version = [number, number, number];

/** "4.9.0-alpha4-271-g7d5cf02" → [4, 9, 0]; missing components are zero. */
export function parseVersion(text: string): Version {
  const parts = text.split('-')[0].split('.').map((part) => Number.parseInt(part, 10));
  return [parts[0] || 0, parts[1] || 0, parts[2] || 0];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

export async function readServerInfo(client: MongoClient, uri: string): Promise<ServerInfo> {
  const admin = client.db('admin');
  const buildInfo = await admin.command({ buildInfo: 1 });
  // Servers before 4.4.2 only know the legacy name.
  const hello = await admin.command({ hello: 1 }).catch(() => admin.command({ isMaster: 1 }));
  const array = Array.isArray(buildInfo.versionArray) ? buildInfo.versionArray.slice(0, 3).map(Number) : undefined;
  const version = array && array.length === 3 ? (array as Version) : parseVersion(String(buildInfo.version));
  const topology = topologyOf(hello);
  const shardsAreReplicaSets = topology === 'sharded' ? await allShardsAreReplicaSets(client) : false;
  return { version, topology, shardsAreReplicaSets, auth: uriHasCredentials(uri) };
}

function topologyOf(hello: Doc): ServerInfo['topology'] {
  if (hello.serviceId !== undefined) return 'load-balanced';
  if (hello.msg === 'isdbgrid') return 'sharded';
  if (typeof hello.setName === 'string') return 'replicaset';
  return 'single';
}

async function allShardsAreReplicaSets(client: MongoClient): Promise<boolean> {
  const shards = await client.db('config').collection('shards').find({}).toArray();
  return shards.length > 0 && shards.every((shard) => String(shard.host).includes('/'));
}

function uriHasCredentials(uri: string): boolean {
  const match = /^mongodb(\+srv)?:\/\/([^@/]*)@/.exec(uri);
  return match !== null && match[2].length > 0;
}

/**
 * Returns why none of `requirements` is met, or undefined when one is (or there are none).
 * `readParameter` answers serverParameters checks (getParameter on the internal client).
 */
export async function unmetRequirements(
  requirements: RunOnRequirement[] | undefined,
  server: ServerInfo,
  readParameter: ParameterReader,
): Promise<string | undefined> {
  if (!requirements || requirements.length === 0) return undefined;
  const reasons: string[] = [];
  for (const requirement of requirements) {
    const reason = unmetRequirement(requirement, server) ?? (await unmetParameters(requirement.serverParameters, readParameter));
    if (!reason) return undefined;
    reasons.push(reason);
  }
  return reasons.join('; or ');
}

/** The checks that need nothing but the server description. */
export function unmetRequirement(requirement: RunOnRequirement, server: ServerInfo): string | undefined {
  const version = server.version.join('.');
  if (requirement.minServerVersion && compareVersions(server.version, parseVersion(requirement.minServerVersion)) < 0) {
    return `requires server >= ${requirement.minServerVersion}, server is ${version}`;
  }
  if (requirement.maxServerVersion && compareVersions(server.version, parseVersion(requirement.maxServerVersion)) > 0) {
    return `requires server <= ${requirement.maxServerVersion}, server is ${version}`;
  }
  if (requirement.topologies && !requirement.topologies.some((topology) => topologyMatches(topology, server))) {
    return `requires topology ${requirement.topologies.join('|')}, server is ${server.topology}`;
  }
  if (requirement.serverless === 'require') return 'requires Atlas Serverless, server is not serverless';
  if (requirement.auth === true && !server.auth) return 'requires authentication, which is not enabled';
  if (requirement.auth === false && server.auth) return 'requires authentication to be disabled';
  if (requirement.authMechanism && !server.auth) return `requires auth mechanism ${requirement.authMechanism}, auth is not enabled`;
  if (requirement.csfle !== undefined && requirement.csfle !== false) return 'requires client-side field level encryption (libmongocrypt), not available';
  return undefined;
}

function topologyMatches(topology: string, server: ServerInfo): boolean {
  if (topology === 'sharded-replicaset') return server.topology === 'sharded' && server.shardsAreReplicaSets;
  return topology === server.topology;
}

async function unmetParameters(parameters: Doc | undefined, readParameter: ParameterReader): Promise<string | undefined> {
  for (const [name, wanted] of Object.entries(parameters ?? {})) {
    const { found, value } = await readParameter(name);
    if (!found) return `requires server parameter ${name}, which the server does not report`;
    const equal = isNumeric(wanted) && isNumeric(value) ? numbersEqual(wanted, value) : JSON.stringify(wanted) === JSON.stringify(value);
    if (!equal) return `requires server parameter ${name}=${JSON.stringify(wanted)}, server has ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** getParameter through the internal client, cached per runner. */
export function createParameterReader(client: MongoClient): ParameterReader {
  const cache = new Map<string, Promise<{ found: boolean; value?: unknown }>>();
  return (name) => {
    let pending = cache.get(name);
    if (!pending) {
      pending = client
        .db('admin')
        .command({ getParameter: 1, [name]: 1 })
        .then((reply) => ({ found: Object.hasOwn(reply, name), value: reply[name] }))
        .catch(() => ({ found: false }));
      cache.set(name, pending);
    }
    return pending;
  };
}
