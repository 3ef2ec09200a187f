/**
 * Field type conversions on live data (issue 5). A plan previews the outcome; applying it runs a
 * job in the background:
 *
 *  1. the field is locked (writes that would change it are refused, on every instance);
 *  2. in batches, each value's conversion is written beside the record (`_conv`) and the original
 *     kept in `field_conversion_values`, with progress on the job document;
 *  3. the field takes its new definition (and is unlocked), and one update per outcome swaps the
 *     converted values in. A value that did not convert leaves the record's field empty and stays
 *     in `field_conversion_values`, where the admin sees it with the reason.
 *
 * Rolling back is a conversion the other way that puts back every original value no one has
 * changed since (and converts the ones they have), including the values that did not convert.
 * A job interrupted by a restart resumes from its cursor; nothing is lost on the way.
 */
import { ObjectId, type AnyBulkWriteOperation, type Document } from 'mongodb';
import { fieldTypeOf, type Field, type MetadataService } from '../../metadata/index.ts';
import type { ReadContext } from '../../records/index.ts';
import { sameValue } from '../../records/change-events.ts';
import type { Logger } from '../../shared/logger.ts';
import { lifecycleProblems } from '../lifecycle.problems.ts';
import { createConverter, refusal, type Converter, type Outcome } from './convert-value.ts';
import { checkRequest, remapPointers, type ConversionRequest } from './conversion-request.ts';

export type Job = {
  _id: ObjectId;
  kind: 'conversion' | 'rollback';
  /** For a rollback: the conversion it undoes. */
  of?: ObjectId;
  entity: string;
  field: string;
  from: Field;
  to: Field;
  match?: string;
  status: 'running' | 'done' | 'failed' | 'rolledBack';
  total: number;
  processed: number;
  converted: number;
  failed: number;
  cursor?: ObjectId;
  by: string;
  startedAt: Date;
  finishedAt?: Date;
  error?: string;
};
type Kept = { _id: string; conversion: ObjectId; recordId: ObjectId; before: unknown; after?: unknown; ok: boolean; reason?: string };

const BATCH = 500;
const SAMPLES = 10;

export type Conversions = ReturnType<typeof createConversions>;

/** `converted`: told when a field's stored values were changed by a conversion (duplicate keys are computed again). */
export function createConversions(deps: { ctx: ReadContext; metadata: MetadataService; logger: Logger; converted?: (entity: string, field: string) => Promise<void> }) {
  const { ctx, metadata, logger } = deps;
  const jobs = ctx.db.collection<Job>('field_conversions');
  const kept = ctx.db.collection<Kept>('field_conversion_values');
  const running = new Map<string, Promise<void>>();
  let stopping = false;

  async function prepare(entityName: string, fieldName: string, body: unknown) {
    const request: ConversionRequest = checkRequest(body);
    const entity = ctx.registry.require(entityName);
    const { from, to } = await metadata.checkRetype(entityName, fieldName, request.to).catch((err) => {
      throw remapPointers(err, entity.definition.fields.findIndex((f) => f.name === fieldName));
    });
    const problem = refusal(from, to, request.match, to.type === 'relation' ? ctx.registry.get(to.target) : undefined);
    if (problem) throw lifecycleProblems.conversionRefused.create({ detail: `${from.type} → ${to.type}: ${problem.detail}`, errors: [problem] });
    return { entity, from, to, match: request.match };
  }

  function view(job: Job) {
    const { _id, of, cursor: _cursor, ...rest } = job;
    return { id: _id.toHexString(), ...(of ? { of: of.toHexString() } : {}), ...rest };
  }

  async function find(id: string): Promise<Job> {
    const job = /^[0-9a-f]{24}$/.test(id) ? await jobs.findOne({ _id: new ObjectId(id) }) : null;
    if (!job) throw lifecycleProblems.conversionNotFound.create({ detail: `There is no conversion ${id}` });
    return job;
  }

  /** For a rollback: the original value where the converted one is still there, otherwise a conversion back. */
  function restoring(job: Job, convert: Converter): Converter {
    return async (batch) => {
      const originals = new Map((await kept.find({ conversion: job.of!, recordId: { $in: batch.map((d) => d._id as ObjectId) } }).toArray()).map((k) => [k.recordId.toHexString(), k]));
      const converted = await convert(batch);
      return batch.map((doc, i): Outcome => {
        const k = originals.get((doc._id as ObjectId).toHexString());
        return k?.ok && sameValue(k.after, doc[job.field]) ? { ok: true, value: k.before } : converted[i]!;
      });
    };
  }

  async function shadowBatch(job: Job, batch: Document[], outcomes: Outcome[]): Promise<void> {
    const field = job.field;
    if (job.kind === 'conversion') {
      const docs: Kept[] = batch.map((doc, i) => {
        const o = outcomes[i]!;
        return { _id: `${job._id.toHexString()}:${(doc._id as ObjectId).toHexString()}`, conversion: job._id, recordId: doc._id, before: doc[field], ...(o.ok ? { ok: true, after: o.value } : { ok: false, reason: o.reason }) };
      });
      await kept.insertMany(docs, { ordered: false }).catch((err: { writeErrors?: Array<{ code: number }>; code?: number }) => {
        if (!(err.writeErrors ?? [err]).every((e) => e.code === 11000)) throw err;
      });
    }
    const ops: AnyBulkWriteOperation[] = batch.map((doc, i) => {
      const o = outcomes[i]!;
      return { updateOne: { filter: { _id: doc._id, [field]: doc[field] }, update: { $set: { _conv: { id: job._id, ok: o.ok, ...(o.ok ? { v: o.value } : {}) } } } } };
    });
    await ctx.db.collection(ctx.registry.require(job.entity).collection).bulkWrite(ops, { ordered: false });
  }

  async function run(job: Job): Promise<void> {
    const entity = ctx.registry.require(job.entity);
    const collection = ctx.db.collection(entity.collection);
    const base = createConverter({ ctx, entity, from: job.from, to: job.to, match: job.match });
    const convert = job.kind === 'rollback' ? restoring(job, base) : base;
    let cursor = job.cursor;
    for (;;) {
      // Stopping leaves the job running at its cursor: the next start resumes it.
      if (stopping) return;
      const filter: Document = { [job.field]: { $exists: true }, ...(cursor ? { _id: { $gt: cursor } } : {}) };
      const batch = await collection.find(filter, { projection: { _id: 1, [job.field]: 1 } }).sort({ _id: 1 }).limit(BATCH).toArray();
      if (!batch.length) break;
      const outcomes = await convert(batch);
      await shadowBatch(job, batch, outcomes);
      cursor = batch[batch.length - 1]!._id as ObjectId;
      const converted = outcomes.filter((o) => o.ok).length;
      await jobs.updateOne({ _id: job._id }, { $inc: { processed: batch.length, converted, failed: batch.length - converted }, $set: { cursor } });
    }
    await metadata.retype(job.entity, job.to, { actor: job.by });
    const mine = { '_conv.id': job._id };
    await collection.updateMany({ ...mine, '_conv.ok': true, [job.field]: { $exists: true } }, [{ $set: { [job.field]: '$_conv.v', _version: { $add: ['$_version', 1] } } }, { $unset: '_conv' }]);
    await collection.updateMany({ ...mine, '_conv.ok': false }, { $unset: { [job.field]: '', _conv: '' }, $inc: { _version: 1 } });
    await collection.updateMany(mine, { $unset: { _conv: '' } });
    if (job.kind === 'rollback') {
      // Values the conversion could not make were left empty: they come back as they were, unless someone has filled the field since.
      for await (const k of kept.find({ conversion: job.of!, ok: false })) {
        await collection.updateOne({ _id: k.recordId, [job.field]: { $exists: false } }, { $set: { [job.field]: k.before }, $inc: { _version: 1 } });
      }
      await jobs.updateOne({ _id: job.of! }, { $set: { status: 'rolledBack' } });
    }
    await deps.converted?.(job.entity, job.field);
    await jobs.updateOne({ _id: job._id }, { $set: { status: 'done', finishedAt: new Date() } });
  }

  async function fail(job: Job, err: unknown): Promise<void> {
    logger.error({ err, conversion: job._id }, 'field conversion failed');
    const entity = ctx.registry.get(job.entity);
    if (entity) await ctx.db.collection(entity.collection).updateMany({ '_conv.id': job._id }, { $unset: { _conv: '' } });
    await metadata.unlockField(job.entity, job.field).catch(() => undefined);
    await jobs.updateOne({ _id: job._id }, { $set: { status: 'failed', finishedAt: new Date(), error: err instanceof Error ? err.message : String(err) } });
  }

  function launch(job: Job): void {
    const id = job._id.toHexString();
    if (running.has(id)) return;
    const done = run(job)
      .catch((err) => fail(job, err))
      .catch((err) => logger.error({ err, conversion: id }, 'recording a failed conversion failed'))
      .finally(() => running.delete(id));
    running.set(id, done);
  }

  async function begin(job: Omit<Job, '_id' | 'status' | 'total' | 'processed' | 'converted' | 'failed' | 'startedAt'>) {
    const entity = ctx.registry.require(job.entity);
    const doc: Job = { _id: new ObjectId(), ...job, status: 'running', total: 0, processed: 0, converted: 0, failed: 0, startedAt: new Date() };
    await metadata.lockField(job.entity, job.field, doc._id.toHexString());
    doc.total = await ctx.db.collection(entity.collection).countDocuments({ [job.field]: { $exists: true } });
    await jobs.insertOne(doc);
    launch(doc);
    return view(doc);
  }

  return {
    /** What a conversion would do: how many values convert, how many do not, with samples of each. */
    async plan(entityName: string, fieldName: string, body: unknown) {
      const { entity, from, to, match } = await prepare(entityName, fieldName, body);
      const convert = createConverter({ ctx, entity, from, to, match });
      const result = { from: from.type, to: to.type, total: 0, convertible: 0, notConvertible: 0, samples: { converted: [] as unknown[], notConverted: [] as unknown[] } };
      const cursor = ctx.db.collection(entity.collection).find({ [fieldName]: { $exists: true } }, { projection: { _id: 1, [fieldName]: 1 } }).sort({ _id: 1 }).batchSize(BATCH);
      let batch: Document[] = [];
      const flush = async () => {
        const outcomes = await convert(batch);
        outcomes.forEach((o, i) => {
          const recordId = (batch[i]!._id as ObjectId).toHexString();
          const before = apiView(from, batch[i]![fieldName]);
          if (o.ok) {
            result.convertible++;
            if (result.samples.converted.length < SAMPLES) result.samples.converted.push({ recordId, before, after: apiView(to, o.value) });
          } else {
            result.notConvertible++;
            if (result.samples.notConverted.length < SAMPLES) result.samples.notConverted.push({ recordId, value: before, reason: o.reason });
          }
        });
        result.total += batch.length;
        batch = [];
      };
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length === BATCH) await flush();
      }
      if (batch.length) await flush();
      return result;
    },
    async start(entityName: string, fieldName: string, body: unknown, actor: string) {
      const { from, to, match } = await prepare(entityName, fieldName, body);
      return begin({ kind: 'conversion', entity: entityName, field: fieldName, from, to, ...(match ? { match } : {}), by: actor });
    },
    async get(id: string) {
      return view(await find(id));
    },
    async list(entity?: string) {
      return (await jobs.find(entity ? { entity } : {}).sort({ _id: -1 }).limit(100).toArray()).map(view);
    },
    /** Values that did not convert, with the reason, so the admin can fix the records. */
    async leftovers(id: string, page: { cursor?: string; limit: number }) {
      const job = await find(id);
      const field = job.from;
      const filter: Document = { conversion: job._id, ok: false, ...(page.cursor ? { _id: { $gt: `${id}:${page.cursor}` } } : {}) };
      const rows = await kept.find(filter).sort({ _id: 1 }).limit(page.limit).toArray();
      const data = rows.map((k) => ({ recordId: k.recordId.toHexString(), value: apiView(field, k.before), reason: k.reason }));
      return { data, nextCursor: rows.length === page.limit ? data[data.length - 1]!.recordId : null };
    },
    async rollback(id: string, actor: string) {
      const job = await find(id);
      if (job.kind !== 'conversion' || job.status !== 'done') {
        throw lifecycleProblems.conversionRefused.create({ detail: `Only a finished conversion can be rolled back; this one is ${job.kind === 'rollback' ? 'a rollback' : job.status}` });
      }
      const live = ctx.registry.require(job.entity).fields.get(job.field);
      if (!live || live.type !== job.to.type) throw lifecycleProblems.conversionRefused.create({ detail: `${job.entity}.${job.field} has changed since the conversion` });
      return begin({ kind: 'rollback', of: job._id, entity: job.entity, field: job.field, from: live, to: job.from, by: actor });
    },
    /**
     * Picks up jobs a restart interrupted, and releases field locks nothing holds any more (a
     * rename interrupted by the restart: it had not switched the definition, so the field is as it was).
     */
    async resume(): Promise<void> {
      const active = await jobs.find({ status: 'running' }).toArray();
      const held = new Set(active.map((j) => j._id.toHexString()));
      for (const entity of ctx.registry.all()) {
        if (!entity.locked.size) continue;
        const stored = await metadata.get(entity.name);
        for (const [field, id] of Object.entries(stored.locks ?? {})) {
          if (held.has(id)) continue;
          const copy = /^rename:(.+)$/.exec(id)?.[1];
          // A rename's copies under the new name go too, or a field later given that name would show them.
          if (copy && !entity.fields.has(copy)) await ctx.db.collection(entity.collection).updateMany({ [copy]: { $exists: true } }, { $unset: { [copy]: '' } });
          await metadata.unlockField(entity.name, field);
        }
      }
      for (const job of active) launch(job);
    },
    /** Pauses the jobs between batches (they resume at the next start) and waits for them. */
    async stop(): Promise<void> {
      stopping = true;
      await this.idle();
    },
    /** Resolves when every job this process runs has finished or paused. */
    async idle(): Promise<void> {
      while (running.size) await Promise.all(running.values());
    },
  };
}

/** A stored value as the API shows it. */
const apiView = (field: Field, stored: unknown): unknown => fieldTypeOf(field).toApi(stored, field);
