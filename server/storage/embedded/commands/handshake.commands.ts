/**
 * Handshake and server-information commands. The engine reports itself as a standalone
 * MongoDB 8.0 so drivers and tools (mongosh, Compass) use their normal code paths.
 */
import { hostname } from 'node:os';
import { Long } from 'bson';
import type { CommandHandler } from './command-context.ts';

export const SERVER_VERSION = '8.0.0';
export const MAX_WIRE_VERSION = 25;
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;
const startedAt = Date.now();

const hello: CommandHandler = (cmd, ctx) => ({
  ...('hello' in cmd ? { isWritablePrimary: true } : { ismaster: true }),
  helloOk: true,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  maxMessageSizeBytes: MAX_MESSAGE_SIZE,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'rapport-embedded',
  versionArray: SERVER_VERSION.split('.').map(Number).concat(0),
  modules: [],
  allocator: 'system',
  javascriptEngine: 'none',
  sysInfo: 'deprecated',
  openssl: { running: 'disabled' },
  buildEnvironment: { distmod: 'rapport-embedded', target_arch: process.arch },
  storageEngines: ['rapport-journal'],
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
  ok: 1,
});

export const handshakeCommands: Record<string, CommandHandler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  buildinfo: buildInfo,
  buildInfo,
  ping: () => ({ ok: 1 }),
  endSessions: () => ({ ok: 1 }),
  killSessions: () => ({ ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  logout: () => ({ ok: 1 }),
  whatsmyuri: (_cmd, ctx) => ({ you: `127.0.0.1:${ctx.connectionId}`, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['rapport-embedded'], parsed: {}, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  getParameter: (cmd) => ({
    ...(cmd.featureCompatibilityVersion ? { featureCompatibilityVersion: { version: '8.0' } } : {}),
    ok: 1,
  }),
  hostInfo: () => ({
    system: { currentTime: new Date(), hostname: hostname(), cpuAddrSize: 64, numCores: 1 },
    os: { type: process.platform, name: process.platform },
    extra: {},
    ok: 1,
  }),
  serverStatus: (_cmd, ctx) => ({
    host: hostname(),
    version: SERVER_VERSION,
    process: 'rapport-embedded',
    pid: Long.fromNumber(process.pid),
    uptime: (Date.now() - startedAt) / 1000,
    localTime: new Date(),
    connections: { current: ctx.connectionId },
    ok: 1,
  }),
  listCommands: () => ({ commands: {}, ok: 1 }),
};
