// The entity map of one test: clients (with their observed command events), databases,
// collections, sessions, cursors and saved results. Created fresh for every test and closed after.
import {
  MongoClient,
  type ClientSession,
  type Collection,
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type Db,
  type ServerApiVersion,
} from 'mongodb';
import type { Doc, EntityDescription } from './unified-format.types.ts';
import { buildClientUri, toEntityOptions } from './driver-options.ts';
import { RunnerError } from './runner-error.ts';

export type ObservedEvent = {
  type: 'commandStartedEvent' | 'commandSucceededEvent' | 'commandFailedEvent';
  commandName: string;
  databaseName: string;
  command?: Doc;
  reply?: Doc;
};

export type ClientEntity = { kind: 'client'; client: MongoClient; events: ObservedEvent[] };
type Closeable = { close(): Promise<void> };

export type Entity =
  | ClientEntity
  | { kind: 'database'; db: Db }
  | { kind: 'collection'; collection: Collection }
  | { kind: 'session'; session: ClientSession }
  | { kind: 'cursor'; cursor: Closeable & { next(): Promise<unknown>; tryNext(): Promise<unknown> } }
  | { kind: 'value'; value: unknown };

export type EntityKind = Entity['kind'];
export type EntityOf<K extends EntityKind> = Extract<Entity, { kind: K }>;

export type EntityMap = {
  get<K extends EntityKind>(id: string, kind?: K): EntityOf<K>;
  has(id: string): boolean;
  add(id: string, entity: Entity): void;
  /** Ends sessions, closes cursors and clients; never throws. */
  close(): Promise<void>;
};

// Commands whose events are ignored unless observeSensitiveCommands is set. hello and isMaster
// are sensitive only with speculativeAuthenticate, which the driver shows as an empty (redacted) body.
const SENSITIVE = new Set([
  'authenticate', 'saslstart', 'saslcontinue', 'getnonce', 'createuser', 'updateuser',
  'copydbgetnonce', 'copydbsaslstart', 'copydb',
]);
const SOMETIMES_SENSITIVE = new Set(['hello', 'ismaster']);

function isSensitive(name: string, payload: object | undefined): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE.has(lower) || (SOMETIMES_SENSITIVE.has(lower) && Object.keys(payload ?? {}).length === 0);
}

export function createEntityMap(): EntityMap {
  const entries = new Map<string, Entity>();
  return {
    get(id, kind) {
      const entity = entries.get(id);
      if (!entity) throw new RunnerError(`undefined entity '${id}'`);
      if (kind && entity.kind !== kind) throw new RunnerError(`entity '${id}' is a ${entity.kind}, not a ${kind}`);
      return entity as never;
    },
    has: (id) => entries.has(id),
    add(id, entity) {
      if (entries.has(id)) throw new RunnerError(`entity '${id}' is already defined`);
      entries.set(id, entity);
    },
    async close() {
      const all = [...entries.values()];
      entries.clear();
      for (const kind of ['cursor', 'session', 'client'] as const) {
        await Promise.all(all.filter((e) => e.kind === kind).map((e) => closeEntity(e).catch(() => undefined)));
      }
    },
  };
}

async function closeEntity(entity: Entity): Promise<void> {
  if (entity.kind === 'cursor') await entity.cursor.close();
  if (entity.kind === 'session') await entity.session.endSession();
  if (entity.kind === 'client') await entity.client.close();
}

export type EntityContext = { uri: string };

/** Creates the entities of a createEntities list, in order, and adds them to `map`. */
export async function createEntities(map: EntityMap, descriptions: EntityDescription[], ctx: EntityContext): Promise<void> {
  for (const description of descriptions) {
    const keys = Object.keys(description);
    if (keys.length !== 1) throw new RunnerError(`an entity needs exactly one type key, got ${keys.join(', ')}`);
    const type = keys[0];
    const spec = description[type];
    map.add(spec.id, await createEntity(type, spec, map, ctx));
  }
}

async function createEntity(type: string, spec: Doc & { id: string }, map: EntityMap, ctx: EntityContext): Promise<Entity> {
  switch (type) {
    case 'client':
      return createClientEntity(spec, ctx);
    case 'database': {
      const { client } = map.get(String(spec.client), 'client');
      return { kind: 'database', db: client.db(String(spec.databaseName), toEntityOptions(spec.databaseOptions)) };
    }
    case 'collection': {
      const { db } = map.get(String(spec.database), 'database');
      const options = toEntityOptions(spec.collectionOptions);
      return { kind: 'collection', collection: db.collection(String(spec.collectionName), options) };
    }
    case 'session': {
      const { client } = map.get(String(spec.client), 'client');
      return { kind: 'session', session: client.startSession((spec.sessionOptions ?? {}) as Doc) };
    }
    default:
      throw new RunnerError(`unsupported entity type '${type}'`);
  }
}

const CLIENT_KEYS = new Set([
  'id', 'uriOptions', 'useMultipleMongoses', 'observeEvents', 'ignoreCommandMonitoringEvents',
  'observeSensitiveCommands', 'serverApi', 'observeLogMessages',
]);

async function createClientEntity(spec: Doc & { id: string }, ctx: EntityContext): Promise<ClientEntity> {
  const unsupported = Object.keys(spec).filter((key) => !CLIENT_KEYS.has(key));
  if (unsupported.length > 0) throw new RunnerError(`unsupported client option(s): ${unsupported.join(', ')}`);
  const uri = buildClientUri(ctx.uri, spec.uriOptions as Doc | undefined, { serverSelectionTimeoutMS: 10_000 });
  const serverApi = spec.serverApi as { version: ServerApiVersion; strict?: boolean; deprecationErrors?: boolean } | undefined;
  const client = new MongoClient(uri, { monitorCommands: true, ...(serverApi ? { serverApi } : {}) });
  const entity: ClientEntity = { kind: 'client', client, events: [] };
  observeCommands(entity, spec);
  await client.connect();
  return entity;
}

function observeCommands(entity: ClientEntity, spec: Doc): void {
  const observed = new Set((spec.observeEvents ?? []) as string[]);
  const ignored = new Set(((spec.ignoreCommandMonitoringEvents ?? []) as string[]).map((name) => name.toLowerCase()));
  const sensitiveToo = spec.observeSensitiveCommands === true;
  const keep = (name: string, payload: object | undefined) => {
    const lower = name.toLowerCase();
    return !ignored.has(lower) && lower !== 'configurefailpoint' && (sensitiveToo || !isSensitive(name, payload));
  };
  type Event = CommandStartedEvent | CommandSucceededEvent | CommandFailedEvent;
  const record = (type: ObservedEvent['type'], event: Event, extra: Partial<ObservedEvent>) => {
    if (!observed.has(type) || !keep(event.commandName, extra.command ?? extra.reply)) return;
    entity.events.push({ type, commandName: event.commandName, databaseName: event.databaseName, ...extra });
  };
  entity.client.on('commandStarted', (e) => record('commandStartedEvent', e, { command: e.command }));
  entity.client.on('commandSucceeded', (e) => record('commandSucceededEvent', e, { reply: e.reply as Doc }));
  entity.client.on('commandFailed', (e) => record('commandFailedEvent', e, {}));
}
