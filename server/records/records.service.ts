/**
 * The records capability: reads and the write pipeline's final steps (atomic write with
 * `_version`, conflict translation). Every caller — routes, bulk, import, workflows, plugins —
 * uses these functions, never the collections directly.
 */
import { ObjectId, type Document } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import { recordProblems } from './records.problems.ts';
import { prepareCreate, prepareUpdate, translateWriteError, type WriteRequest } from './write-pipeline.ts';
import { toApiRecords, parseExpand, type ReadShape } from './read-enrich.ts';
import type { ApiRecord } from './record-view.ts';
import type { WriteContext } from './computed-values.ts';
import { deleteRecord, finishPendingDeletes } from './delete-record.ts';
import { parseFields } from './query/index.ts';

export type RecordsService = ReturnType<typeof createRecordsService>;
export type UpdateRequest = WriteRequest & { id: string; expectedVersion?: number; replace?: boolean };
export type ReadOptions = { fields?: string; expand?: string };

const UPDATE_RETRIES = 5;

export function parseId(id: string): ObjectId {
  if (!/^[0-9a-fA-F]{24}$/.test(id)) throw recordProblems.recordNotFound.create({ detail: `There is no record ${id}` });
  return new ObjectId(id);
}

export function createRecordsService(ctx: WriteContext) {
  const entityOf = (name: string): CompiledEntity => ctx.registry.require(name);
  const shapeOf = (entity: CompiledEntity, o: ReadOptions): ReadShape => {
    const fields = parseFields(entity.definition, o.fields);
    return { only: fields ? new Set(fields) : null, expand: parseExpand(ctx, entity, o.expand) };
  };

  async function load(entity: CompiledEntity, id: string): Promise<Document> {
    // A record claimed by a delete is already gone for everyone else.
    const doc = await ctx.db.collection(entity.collection).findOne({ _id: parseId(id), _deleting: { $exists: false } }, { projection: { _search: 0, _outbox: 0 } });
    if (!doc) throw recordProblems.recordNotFound.create({ detail: `There is no ${entity.name} record ${id}` });
    return doc;
  }

  async function view(entity: CompiledEntity, doc: Document, shape: ReadShape = { only: null, expand: [] }): Promise<ApiRecord> {
    const [record] = await toApiRecords(ctx, entity, [doc], shape);
    return record!;
  }

  function checkVersion(existing: Document, expectedVersion: number | undefined): void {
    if (expectedVersion !== undefined && existing._version !== expectedVersion) {
      throw recordProblems.preconditionFailed.create({ detail: `The record is at version ${existing._version}, not ${expectedVersion}` });
    }
  }

  async function update(entityName: string, req: UpdateRequest & { body: unknown }): Promise<ApiRecord> {
    const entity = entityOf(entityName);
    for (let attempt = 0; ; attempt++) {
      const existing = await load(entity, req.id);
      checkVersion(existing, req.expectedVersion);
      const prepared = await prepareUpdate(ctx, entity, existing, req.body, { ...req, replace: req.replace ?? false });
      if (!prepared.changed) return view(entity, existing);
      const res = await ctx.db.collection(entity.collection).updateOne(prepared.filter, prepared.update).catch((err) => translateWriteError(err));
      if (res.matchedCount === 1) {
        ctx.events.notify(entity.collection, existing._id);
        return view(entity, prepared.after);
      }
      // Someone wrote between our read and write. With If-Match the client asked to be told; without, re-apply.
      if (req.expectedVersion !== undefined) throw recordProblems.preconditionFailed.create({ detail: 'The record changed while this update was applied' });
      if (attempt >= UPDATE_RETRIES) throw recordProblems.preconditionFailed.create({ detail: 'The record keeps changing; try again' });
    }
  }

  return {
    entityOf,
    /** Finishes deletes a crash interrupted; run at start and now and then. */
    recover: () => finishPendingDeletes(ctx),
    async create(entityName: string, body: unknown, req: WriteRequest, options: ReadOptions = {}): Promise<ApiRecord> {
      const entity = entityOf(entityName);
      // Read options are checked before the write, so a bad ?fields= cannot answer 400 for a stored record.
      const shape = shapeOf(entity, options);
      const doc = await prepareCreate(ctx, entity, body, req);
      await ctx.db.collection(entity.collection).insertOne(doc).catch((err) => translateWriteError(err, req.pointerBase));
      if (doc._outbox) ctx.events.notify(entity.collection, doc._id);
      delete doc._outbox;
      return view(entity, doc, shape);
    },
    async get(entityName: string, id: string, options: ReadOptions = {}): Promise<ApiRecord> {
      const entity = entityOf(entityName);
      const shape = shapeOf(entity, options);
      return view(entity, await load(entity, id), shape);
    },
    update,
    async remove(entityName: string, req: WriteRequest & { id: string; expectedVersion?: number }): Promise<void> {
      const entity = entityOf(entityName);
      const existing = await load(entity, req.id);
      checkVersion(existing, req.expectedVersion);
      await deleteRecord(ctx, entity, existing, req);
    },
  };
}
