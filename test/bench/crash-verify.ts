import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import { judge, settle, type Ledger, type Verdict } from './crash-ledger.ts';
import { CRASH_COLLECTION, CRASH_DB, type CrashDoc } from './crash-load.ts';

// After a restart: is every acknowledged write there, whole, and does the unique index still hold?

const MAX_PROBLEMS = 10;
const INDEX_SAMPLE = 200;

export type VerifyReport = {
  docs: number;
  verdicts: Record<Verdict, number>;
  /** Acknowledged writes whose effect is not in the recovered data. */
  lostAcks: number;
  /** Documents whose _id no write ever used. */
  phantoms: number;
  /** Emails held by more than one document. */
  duplicateEmails: number;
  uniqueIndexPresent: boolean;
  /** A fresh insert with an existing email failed with 11000 (undefined: no document to copy). */
  duplicateInsertRejected: boolean | undefined;
  /** Sampled documents that a lookup by email (the unique index) did not return. */
  indexMismatches: number;
  problems: string[];
};

function describe(verdict: Verdict, key: string, found: CrashDoc | undefined): string {
  return `${verdict}: ${key} (found ${found ? `v${found.v} email ${found.email}` : 'nothing'})`;
}

function judgeAll(ledger: Ledger, byId: Map<string, CrashDoc>, report: VerifyReport): void {
  for (const record of ledger.values()) {
    const found = byId.get(record.key);
    const { verdict, lostAcks } = judge(record, found ?? null);
    report.verdicts[verdict]++;
    report.lostAcks += lostAcks;
    if (verdict !== 'ok' && report.problems.length < MAX_PROBLEMS) report.problems.push(describe(verdict, record.key, found));
    settle(record, found ?? null);
  }
  for (const id of byId.keys()) {
    if (ledger.has(id) || id.startsWith('probe-')) continue;
    report.phantoms++;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(`phantom: ${id}`);
  }
}

function countDuplicateEmails(docs: CrashDoc[], report: VerifyReport): void {
  const holders = new Map<string, number>();
  for (const doc of docs) holders.set(doc.email, (holders.get(doc.email) ?? 0) + 1);
  for (const [email, count] of holders) {
    if (count < 2) continue;
    report.duplicateEmails++;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(`duplicate email: ${email} held by ${count} documents`);
  }
}

async function checkIndexLookups(contacts: Collection<CrashDoc>, docs: CrashDoc[], report: VerifyReport): Promise<void> {
  const step = Math.max(1, Math.floor(docs.length / INDEX_SAMPLE));
  const sample = docs.filter((_, i) => i % step === 0).slice(0, INDEX_SAMPLE);
  const found = await Promise.all(sample.map((doc) => contacts.findOne({ email: doc.email })));
  sample.forEach((doc, i) => {
    if (found[i]?._id === doc._id || report.duplicateEmails > 0) return;
    report.indexMismatches++;
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(`index lookup: email ${doc.email} returned ${found[i]?._id ?? 'nothing'}, expected ${doc._id}`);
  });
}

async function probeDuplicateInsert(contacts: Collection<CrashDoc>, docs: CrashDoc[], cycle: number): Promise<boolean | undefined> {
  if (docs.length === 0) return undefined;
  const probe: CrashDoc = { _id: `probe-${cycle}`, email: docs[0]!.email, v: 0 };
  try {
    await contacts.insertOne(probe);
  } catch (err) {
    return err instanceof MongoServerError && err.code === 11000;
  }
  await contacts.deleteOne({ _id: probe._id });
  return false;
}

/** Checks the recovered data against the ledger, then settles the ledger on what was found. */
export async function verifyRecovered({ uri, ledger, cycle }: { uri: string; ledger: Ledger; cycle: number }): Promise<VerifyReport> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000, retryWrites: false });
  try {
    const contacts = client.db(CRASH_DB).collection<CrashDoc>(CRASH_COLLECTION);
    const docs = await contacts.find({}).toArray();
    const report: VerifyReport = {
      docs: docs.length,
      verdicts: { ok: 0, lost: 0, 'rejected-applied': 0, corrupt: 0, regressed: 0 },
      lostAcks: 0,
      phantoms: 0,
      duplicateEmails: 0,
      uniqueIndexPresent: false,
      duplicateInsertRejected: undefined,
      indexMismatches: 0,
      problems: [],
    };
    judgeAll(ledger, new Map(docs.map((doc) => [doc._id, doc])), report);
    countDuplicateEmails(docs, report);
    const indexes = await contacts.listIndexes().toArray();
    report.uniqueIndexPresent = indexes.some((ix) => ix.unique === true && JSON.stringify(ix.key) === '{"email":1}');
    await checkIndexLookups(contacts, docs, report);
    report.duplicateInsertRejected = await probeDuplicateInsert(contacts, docs, cycle);
    return report;
  } finally {
    await client.close();
  }
}
