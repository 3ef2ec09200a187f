import { MongoClient, MongoServerError, MongoWriteConcernError, type Collection } from 'mongodb';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordAttempt, type Attempt, type Ledger } from './crash-ledger.ts';
import { createRandom, type Random } from './seeded-random.ts';

// Concurrent writers that record every attempt and the engine's answer, until the engine is killed.

export const CRASH_DB = 'crash';
export const CRASH_COLLECTION = 'contacts';
const MAX_OPS_PER_LANE = 20_000;
const CLOSE_TIMEOUT_MS = 5_000;
const FIRST_ACK_TIMEOUT_MS = 10_000;

export type CrashDoc = Record<string, unknown> & { _id: string; email: string; v: number };
type CrashCollection = Collection<CrashDoc>;

export type LoadOptions = {
  uri: string;
  ledger: Ledger;
  cycle: number;
  clients: number;
  lanesPerClient: number;
  seed: number;
  /** Emails of acknowledged documents, from this and earlier cycles: material for duplicates. */
  ackedEmails: string[];
  /** Counted from the first acknowledged write, so a slow machine still kills a load under way. */
  killAfterMs: number;
  kill: () => Promise<void>;
};

export type LoadReport = {
  attempted: number;
  acked: number;
  rejected: number;
  unknown: number;
  inFlightAtKill: number;
  /** Writes that should have failed with 11000 and were acknowledged. */
  duplicatesAccepted: number;
  /** Every writer had stopped on an unanswered write before the kill: the engine died by itself. */
  stoppedBeforeKill: boolean;
  /** Errors other than 11000 before the kill (the engine was up, so none is expected). */
  unexpectedErrors: number;
  firstUnexpectedError?: string;
};

type LoadContext = LoadOptions & { report: LoadReport; killed: boolean; inFlight: number; onAck: () => void };
type Lane = { id: string; random: Random; own: CrashDoc[]; n: number; contacts: CrashCollection };
type Outcome = 'acked' | 'rejected' | 'unknown';

function checksum(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619) >>> 0;
  return hash;
}

/** The fields every update rewrites together, so a half-applied update cannot look like a version. */
type VersionFields = { v: number; owner: string; payload: string; sum: number; nested: { score: number; tags: string[] } };

function versionFields(random: Random, v: number): VersionFields {
  const payload = random.text(random.between(60, 400));
  return { v, owner: `user-${random.int(20)}`, payload, sum: checksum(payload), nested: { score: random.int(1000), tags: [random.text(8), random.text(5)] } };
}

/** Sends one recorded write and files the engine's answer; network trouble leaves it unknown. */
async function attempt(ctx: LoadContext, record: Attempt, write: () => Promise<boolean>): Promise<Outcome> {
  ctx.report.attempted++;
  ctx.inFlight++;
  let outcome: Outcome;
  try {
    outcome = (await write()) ? 'acked' : 'rejected';
  } catch (err) {
    // A server error is an answer (the write did not happen); anything else may or may not have.
    const answered = err instanceof MongoServerError && !(err instanceof MongoWriteConcernError);
    outcome = answered ? 'rejected' : 'unknown';
    if (!ctx.killed && !(answered && err.code === 11000)) {
      ctx.report.unexpectedErrors++;
      ctx.report.firstUnexpectedError ??= err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  } finally {
    ctx.inFlight--;
  }
  record.status = outcome;
  ctx.report[outcome]++;
  if (outcome === 'acked') ctx.onAck();
  return outcome;
}

async function insertDoc(ctx: LoadContext, lane: Lane, email: string, expectDuplicate: boolean): Promise<Outcome> {
  const key = `c${ctx.cycle}-${lane.id}-${lane.n}`;
  const doc: CrashDoc = { _id: key, email, cycle: ctx.cycle, lane: lane.id, ...versionFields(lane.random, 0) };
  const outcome = await attempt(ctx, recordAttempt(ctx.ledger, key, structuredClone(doc)), async () => (await lane.contacts.insertOne(doc)).acknowledged);
  if (outcome === 'acked') {
    lane.own.push(doc);
    ctx.ackedEmails.push(email);
    if (expectDuplicate) ctx.report.duplicatesAccepted++;
  }
  return outcome;
}

async function updateDoc(ctx: LoadContext, lane: Lane, toDuplicateEmail: boolean): Promise<Outcome> {
  const index = lane.random.int(lane.own.length);
  const current = lane.own[index]!;
  const fields: VersionFields & { email?: string } = versionFields(lane.random, current.v + 1);
  if (toDuplicateEmail) fields.email = pickOtherEmail(lane.random, ctx.ackedEmails, current.email);
  const next: CrashDoc = { ...current, ...fields };
  const record = recordAttempt(ctx.ledger, current._id, structuredClone(next));
  const outcome = await attempt(ctx, record, async () => (await lane.contacts.updateOne({ _id: current._id }, { $set: fields })).matchedCount === 1);
  if (outcome === 'acked') {
    lane.own[index] = next;
    if (toDuplicateEmail) ctx.report.duplicatesAccepted++;
  }
  return outcome;
}

function pickOtherEmail(random: Random, emails: string[], own: string): string {
  for (let tries = 0; tries < 8; tries++) {
    const email = random.pick(emails);
    if (email !== own) return email;
  }
  return emails.find((email) => email !== own)!;
}

/** 50% new documents, 30% updates, 20% writes that break (or race for) the unique email. */
function nextWrite(ctx: LoadContext, lane: Lane): Promise<Outcome> {
  const r = lane.random.next();
  const canUpdate = lane.own.length > 0 && ctx.ackedEmails.length > 1;
  if (!canUpdate || r < 0.5) return insertDoc(ctx, lane, `c${ctx.cycle}-${lane.id}-${lane.n}@crash.test`, false);
  if (r < 0.8) return updateDoc(ctx, lane, false);
  if (r < 0.87) return insertDoc(ctx, lane, lane.random.pick(ctx.ackedEmails), true);
  if (r < 0.93) return insertDoc(ctx, lane, `contested-c${ctx.cycle}-${lane.random.int(16)}@crash.test`, false);
  return updateDoc(ctx, lane, true);
}

async function runLane(ctx: LoadContext, lane: Lane): Promise<void> {
  // Bounded: the kill always comes (it is a timer), and a lane stops at its first unanswered write.
  while (!ctx.killed && lane.n < MAX_OPS_PER_LANE) {
    lane.n++;
    if ((await nextWrite(ctx, lane)) === 'unknown') return;
  }
}

async function connectClient(uri: string, poolSize: number): Promise<MongoClient> {
  const client = new MongoClient(uri, {
    maxPoolSize: poolSize,
    retryWrites: false,
    retryReads: false,
    serverSelectionTimeoutMS: 1_500,
    connectTimeoutMS: 1_500,
  });
  await client.db('admin').command({ ping: 1 });
  return client;
}

/** Runs the writers, kills the engine killAfterMs into the load, and returns once every lane stopped. */
export async function runLoadUntilKill(options: LoadOptions): Promise<LoadReport> {
  const report: LoadReport = { attempted: 0, acked: 0, rejected: 0, unknown: 0, inFlightAtKill: 0, stoppedBeforeKill: false, duplicatesAccepted: 0, unexpectedErrors: 0 };
  let onFirstAck = (): void => undefined;
  const firstAck = new Promise<void>((resolve) => (onFirstAck = resolve));
  const ctx: LoadContext = { ...options, report, killed: false, inFlight: 0, onAck: () => onFirstAck() };
  const clients = await Promise.all(Array.from({ length: options.clients }, () => connectClient(options.uri, options.lanesPerClient)));
  try {
    const lanes = clients.flatMap((client, c) =>
      Array.from({ length: options.lanesPerClient }, (_, l): Lane => ({
        id: `w${c}l${l}`,
        random: createRandom(options.seed * 7919 + c * 131 + l),
        own: [],
        n: 0,
        contacts: client.db(CRASH_DB).collection<CrashDoc>(CRASH_COLLECTION),
      })),
    );
    const running = Promise.all(lanes.map((lane) => runLane(ctx, lane)));
    await Promise.race([firstAck, sleep(FIRST_ACK_TIMEOUT_MS), running]);
    const started = performance.now();
    await Promise.race([sleep(options.killAfterMs), running]);
    report.stoppedBeforeKill = performance.now() - started < options.killAfterMs - 1;
    report.inFlightAtKill = ctx.inFlight;
    ctx.killed = true;
    await options.kill();
    await running;
  } finally {
    await Promise.race([Promise.all(clients.map((client) => client.close())), sleep(CLOSE_TIMEOUT_MS)]);
  }
  return report;
}
