import { MongoClient, type Document } from 'mongodb';
import { performance } from 'node:perf_hooks';
import { createMetadataRegistry, createMetadataStore } from '../../server/metadata/index.ts';
import type { WriteContext } from '../../server/records/index.ts';
import { prepareCreate } from '../../server/records/write-pipeline.ts';
import { SYSTEM_ACTOR } from '../../server/shared/actor.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { ACCOUNT_COUNT, ACCOUNT_ENTITY, CONTACT_ENTITY, accountBody, contactSeed } from './records-fixture.ts';
import type { HttpClient } from './records-http.ts';

// Entities through the metadata API, accounts and the first contacts through bulk-create; the bulk
// of the contacts through the driver when bulk-create would take too long (it runs the whole
// per-record pipeline and the audit delivery behind it, one record at a time).

const BULK_MAX = 500;
const DRIVER_BATCH = 1_000;

export type SeedOptions = {
  http: HttpClient;
  /** The server's embedded engine, reachable because the benchmark chose RAPPORT_EMBEDDED_PORT. */
  engineUri: string;
  dbName: string;
  contacts: number;
  /** Contacts sent through bulk-create to measure its rate before choosing how to seed the rest. */
  probe: number;
  /** Longest the API may take for the rest; beyond it the driver seeds them. */
  apiBudgetSeconds: number;
};

export type SeedReport = {
  accountIds: string[];
  contactIds: string[];
  viaApi: number;
  apiPerSec: number;
  viaDriver: number;
  driverPerSec: number;
  seconds: number;
};

type BulkResult = { succeeded: number; failed: number; results: Array<{ status: number; record?: { _id: string }; problem?: unknown }> };

export async function defineEntities(http: HttpClient): Promise<void> {
  for (const definition of [ACCOUNT_ENTITY, CONTACT_ENTITY]) await http.json('POST', '/api/metadata/entities', definition, 201);
}

async function bulkCreate(http: HttpClient, entity: string, bodies: Record<string, unknown>[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < bodies.length; start += BULK_MAX) {
    const result = await http.json<BulkResult>('POST', `/api/entities/${entity}/records/bulk-create`, { records: bodies.slice(start, start + BULK_MAX) });
    const bad = result.results.find((r) => r.status !== 201);
    if (bad || result.failed) throw new Error(`bulk-create ${entity}: ${result.failed} failed, first: ${JSON.stringify(bad)}`);
    ids.push(...result.results.map((r) => r.record!._id));
  }
  return ids;
}

/** The documents and audit entries the pipeline and the outbox dispatcher would have written. */
async function seedThroughDriver(o: SeedOptions, accountIds: string[], from: number, to: number): Promise<string[]> {
  const client = new MongoClient(o.engineUri, { maxPoolSize: 10, directConnection: true });
  await client.connect();
  const ids: string[] = [];
  try {
    const db = client.db(o.dbName);
    const store = createMetadataStore(db);
    const registry = createMetadataRegistry({ store, logger: createLogger({ level: 'silent' }) });
    await registry.refresh();
    const entity = registry.require('contact');
    // The seed writes documents and audit entries itself, below: the pipeline only prepares them.
    const refuse = () => Promise.reject(new Error('the seed inserts its records itself'));
    const ctx: WriteContext = { db, registry, store, events: { notify: () => undefined, insertRecords: refuse, stageRecords: () => ({ insert: refuse, abandon: () => undefined }) } };
    for (let start = from; start < to; start += DRIVER_BATCH) {
      const indexes = Array.from({ length: Math.min(DRIVER_BATCH, to - start) }, (_, k) => start + k);
      const docs = await Promise.all(
        indexes.map(async (i) => {
          const { body, createdAt } = contactSeed(i, accountIds);
          const doc = await prepareCreate(ctx, entity, body, { actor: SYSTEM_ACTOR, channel: 'import' });
          Object.assign(doc, { createdAt, updatedAt: createdAt });
          return doc;
        }),
      );
      // The dispatcher moves each event to the audit log (its id becoming the entry's _id) and empties _outbox.
      const audit = docs.flatMap((doc) => (doc._outbox as Document[]).map(({ id, ...event }) => ({ _id: id, ...event, at: doc.createdAt })));
      for (const doc of docs) doc._outbox = [];
      await db.collection(entity.collection).insertMany(docs, { ordered: false });
      if (audit.length) await db.collection('audit_log').insertMany(audit, { ordered: false });
      for (const doc of docs) ids.push(String(doc._id));
    }
  } finally {
    await client.close();
  }
  return ids;
}

export async function seed(o: SeedOptions, log: (line: string) => void): Promise<SeedReport> {
  const started = performance.now();
  await defineEntities(o.http);
  const accountIds = await bulkCreate(o.http, 'account', Array.from({ length: ACCOUNT_COUNT }, (_, i) => accountBody(i)));
  const probe = Math.min(o.probe, o.contacts);
  const apiStarted = performance.now();
  const contactIds = await bulkCreate(o.http, 'contact', Array.from({ length: probe }, (_, i) => contactSeed(i, accountIds).body));
  const apiPerSec = probe / ((performance.now() - apiStarted) / 1000);
  const rest = o.contacts - probe;
  const apiSeconds = rest / apiPerSec;
  log(`bulk-create: ${probe.toLocaleString('en-US')} contacts at ${Math.round(apiPerSec)} records/s; the other ${rest.toLocaleString('en-US')} would take ${Math.round(apiSeconds)} s`);
  let viaDriver = 0;
  let driverPerSec = Number.NaN;
  if (apiSeconds <= o.apiBudgetSeconds) {
    contactIds.push(...(await bulkCreate(o.http, 'contact', Array.from({ length: rest }, (_, k) => contactSeed(probe + k, accountIds).body))));
  } else {
    const driverStarted = performance.now();
    contactIds.push(...(await seedThroughDriver(o, accountIds, probe, o.contacts)));
    viaDriver = rest;
    driverPerSec = rest / ((performance.now() - driverStarted) / 1000);
  }
  return { accountIds, contactIds, viaApi: o.contacts - viaDriver, apiPerSec, viaDriver, driverPerSec, seconds: (performance.now() - started) / 1000 };
}
