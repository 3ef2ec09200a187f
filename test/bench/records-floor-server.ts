import express from 'express';
import { ObjectId } from 'mongodb';
import { connect } from '../../server/storage/connect.ts';
import { createLogger } from '../../server/shared/logger.ts';
import { contactSeed } from './records-fixture.ts';

// The floor under `npm run bench -- records`: the same three requests served by Express and the
// official driver over the embedded engine, with none of Rapport (no authentication, metadata,
// validation, access rules, audit, logging or record shaping). What this reaches is as fast as any
// code on that stack can answer; run as a child process on PORT exactly like the Rapport server.
// Its documents are the contacts' bodies with a creation time, lighter than Rapport's records.

const contacts = Number(process.env.FLOOR_CONTACTS ?? 100_000);
const BATCH = 1_000;

const storage = await connect(
  { dataDir: process.env.RAPPORT_DATA_DIR ?? './data-floor', dbName: 'floor', embeddedPort: 0, embeddedMode: 'worker' },
  createLogger({ level: 'warn' }),
);
const records = storage.db.collection('contacts');
await records.createIndex({ city: 1, createdAt: -1, _id: -1 });
await records.createIndex({ email: 1 }, { unique: true });

let seeded = false;
const app = express();
app.use(express.json());
app.get('/ready', (_req, res) => void res.status(seeded ? 200 : 503).end());
/** Every id, for the load generator to GET. */
app.get('/ids', async (_req, res) => {
  const docs = await records.find({}, { projection: { _id: 1 } }).toArray();
  res.json(docs.map((d) => String(d._id)));
});
app.get('/records/:id', async (req, res) => {
  const doc = ObjectId.isValid(req.params.id) ? await records.findOne({ _id: new ObjectId(req.params.id) }) : null;
  if (doc) res.json(doc);
  else res.status(404).json({ title: 'not found' });
});
app.get('/records', async (req, res) => {
  const docs = await records.find({ city: String(req.query.city) }).sort({ createdAt: -1, _id: -1 }).limit(50).toArray();
  res.json({ data: docs });
});
app.post('/records', async (req, res) => {
  const doc = { ...(req.body as Record<string, unknown>), createdAt: new Date() };
  await records.insertOne(doc);
  res.status(201).json(doc);
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');

const accountIds = Array.from({ length: 1_000 }, () => new ObjectId().toHexString());
for (let from = 0; from < contacts; from += BATCH) {
  const batch = [];
  for (let i = from; i < Math.min(contacts, from + BATCH); i++) {
    const { body, createdAt } = contactSeed(i, accountIds);
    batch.push({ ...body, createdAt });
  }
  await records.insertMany(batch, { ordered: false });
}
await storage.db.admin().command({ fsync: 1 });
seeded = true;

process.on('SIGTERM', () => {
  server.close(() => void storage.close().then(() => process.exit(0)));
  server.closeAllConnections();
});
