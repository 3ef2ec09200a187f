/**
 * CSV import (issue 5): column mappings, streamed imports with a dry run and a report by row,
 * column and reason, progress while they run. The router comes before the JSON body parser: an
 * import's body is the CSV itself, streamed.
 */
import express, { Router, type Request, type Response } from 'express';
import { ObjectId } from 'mongodb';
import type { RecordsService, WriteContext } from '../records/index.ts';
import { actorOf } from '../shared/actor.ts';
import { sharedProblems } from '../shared/errors.ts';
import { checkMapping, createMappingStore, type Mapping } from './import-mappings.ts';
import { newJob, runImport, type ImportJob } from './import-job.ts';
import type { RowProblem } from './import-batch.ts';
import { importProblems } from './imports.problems.ts';

export { coerceText } from './coerce-text.ts';

/** The largest CSV accepted, in bytes. */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel'];
const param = (req: Request, name: string): string => String(req.params[name]);

export function importRoutes(deps: { ctx: WriteContext; records: RecordsService }): Router {
  const { ctx, records } = deps;
  const router = Router();
  const mappings = createMappingStore(ctx.db);
  const jobs = ctx.db.collection<ImportJob>('imports');
  const problems = ctx.db.collection<RowProblem & { import: ObjectId; n: number }>('import_problems');
  const json = express.json({ limit: '1mb' });
  void problems.createIndex({ import: 1, n: 1 }).catch(() => undefined);

  router.put('/api/entities/:entity/import-mappings/:name', json, async (req, res) => {
    const a = records.access(param(req, 'entity'), actorOf(res), 'create');
    const mapping = checkMapping(req.body, a.entity, a.perms, ctx.registry.get);
    await mappings.save(a.entity.name, param(req, 'name'), mapping, a.actor.id);
    res.json({ name: param(req, 'name'), ...mapping });
  });
  router.get('/api/entities/:entity/import-mappings', async (req, res) => {
    const a = records.access(param(req, 'entity'), actorOf(res), 'create');
    res.json({ data: await mappings.list(a.entity.name) });
  });

  async function mappingOf(req: Request, entity: string): Promise<unknown> {
    if (typeof req.query.mapping === 'string') {
      const saved = await mappings.get(entity, req.query.mapping);
      if (!saved) throw importProblems.mappingNotFound.create({ detail: `${entity} has no saved mapping "${req.query.mapping}"` });
      return { ...saved, ...(typeof req.query.upsertBy === 'string' ? { upsertBy: req.query.upsertBy } : {}) };
    }
    try {
      return { columns: JSON.parse(String(req.query.columns ?? 'null')) as unknown, ...(typeof req.query.upsertBy === 'string' ? { upsertBy: req.query.upsertBy } : {}) };
    } catch {
      throw importProblems.invalidImport.create({ detail: 'columns must be JSON: {"CSV column": "field"}', errors: [{ pointer: '/columns', detail: 'must be JSON' }] });
    }
  }

  router.post('/api/entities/:entity/imports', async (req: Request, res: Response) => {
    if (!req.is(CSV_TYPES)) throw sharedProblems.unsupportedMediaType.create({ detail: 'Send the file as text/csv' });
    const a = records.access(param(req, 'entity'), actorOf(res), 'create');
    const mapping: Mapping = checkMapping(await mappingOf(req, a.entity.name), a.entity, a.perms, ctx.registry.get);
    if (mapping.upsertBy) records.access(a.entity.name, a.actor, 'update');
    const id = typeof req.query.id === 'string' ? req.query.id : undefined;
    if (id !== undefined && !/^[0-9a-f]{24}$/.test(id)) throw importProblems.invalidImport.create({ detail: 'id is a 24-digit hex id you choose to follow the import', errors: [{ pointer: '/id', detail: 'must be 24 hex digits' }] });
    const job = newJob(a.entity.name, req.query.dryRun === 'true', a.actor.id, id);
    await jobs.insertOne(job).catch((err: { code?: number }) => {
      throw err.code === 11000 ? importProblems.invalidImport.create({ detail: `An import ${id} exists already`, errors: [{ pointer: '/id', detail: 'is taken' }] }) : err;
    });
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_IMPORT_BYTES) req.destroy(sharedProblems.payloadTooLarge.create({ detail: `An import is at most ${MAX_IMPORT_BYTES} bytes` }));
    });
    let n = 0;
    const relationFields = new Set(Object.values(mapping.columns).map((m) => m.field).filter((f) => a.entity.fields.get(f)?.type === 'relation'));
    const ic = { ctx, entity: a.entity, perms: a.perms, actor: a.actor, mapping, index: new Map<string, number>(), seen: new Map(), duplicates: new Map(), relationFields, dryRun: job.dryRun };
    const done = await runImport(ic, req, job, (j) => jobs.updateOne({ _id: j._id }, { $set: progressOf(j) }).then(() => undefined), async (list) => {
      await problems.insertMany(list.map((p) => ({ ...p, import: job._id, n: n++ })));
    }).catch(async (err: unknown) => {
      await jobs.updateOne({ _id: job._id }, { $set: { status: 'failed', finishedAt: new Date(), error: 'stopped' } });
      throw err;
    });
    await jobs.updateOne({ _id: job._id }, { $set: progressOf(done) });
    // A file refused part-way is still read to its end, so the client gets the report, not a reset connection.
    await drain(req);
    res.status(done.status === 'done' ? 200 : 422).json(view(done));
  });

  async function ownJob(req: Request, res: Response): Promise<ImportJob> {
    const actor = actorOf(res);
    const job = /^[0-9a-f]{24}$/.test(param(req, 'id')) ? await jobs.findOne({ _id: new ObjectId(param(req, 'id')) }) : null;
    if (!job || (!actor.admin && job.by !== actor.id)) throw importProblems.importNotFound.create({ detail: `There is no import ${param(req, 'id')}` });
    return job;
  }
  router.get('/api/imports/:id', async (req, res) => void res.json(view(await ownJob(req, res))));
  router.get('/api/imports/:id/problems', async (req, res) => {
    const job = await ownJob(req, res);
    const after = Number(req.query.after ?? -1);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 500) || 500, 1), 5000);
    const page = await problems.find({ import: job._id, n: { $gt: Number.isFinite(after) ? after : -1 } }, { projection: { _id: 0, import: 0 } }).sort({ n: 1 }).limit(limit).toArray();
    res.json({ data: page.map(({ n: _n, ...p }) => p), nextAfter: page.length === limit ? page[page.length - 1]!.n : null });
  });
  return router;
}

function drain(req: Request): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.unpipe();
    req.on('end', resolve).on('close', resolve).on('error', resolve);
    req.resume();
  });
}

const progressOf = ({ _id: _i, ...rest }: ImportJob) => rest;
const view = ({ _id, ...rest }: ImportJob) => ({ id: _id.toHexString(), ...rest });
