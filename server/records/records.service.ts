/**
 * The records capability: reads and the write pipeline's final steps (atomic write with
 * `_version`, conflict translation). Every caller — routes, bulk, import, workflows, plugins —
 * uses these functions, never the collections directly.
 */
import { ObjectId, type Document } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import type { Actor, EntityPermissions } from '../shared/actor.ts';
import { recordProblems } from './records.problems.ts';
import { Problem, sharedProblems } from '../shared/errors.ts';
import { summary } from './validate-input.ts';
import { prepareCreate, prepareUpdate, translateWriteError, type WriteRequest } from './write-pipeline.ts';
import { toApiRecords, parseExpand, type ReadShape } from './read-enrich.ts';
import type { ApiRecord } from './record-view.ts';
import { runBeforeSave } from './save-hooks.ts';
import type { WriteContext } from './computed-values.ts';
import { deleteRecord, finishPendingDeletes } from './delete-record.ts';
import { parseFields } from './query/index.ts';
import { authorize, redactFieldErrors, scopeFilter, visibleDefinition, visibleNames, visibleOnly, withScope } from './access.ts';

export type RecordsService = ReturnType<typeof createRecordsService>;
export type UpdateRequest = WriteRequest & { id: string; expectedVersion?: number; replace?: boolean };
export type ReadOptions = { fields?: string; expand?: string };
export type Access = { entity: CompiledEntity; perms: EntityPermissions; actor: Actor };

const UPDATE_RETRIES = 5;

/** Fields a PUT must leave as they are: the actor cannot see or cannot change them. */
const hiddenOrReadOnly = ({ perms, entity }: Access): Set<string> => new Set([...Object.keys(perms.fields), ...entity.locked]);

export function parseId(id: string): ObjectId {
  if (!/^[0-9a-fA-F]{24}$/.test(id)) throw recordProblems.recordNotFound.create({ detail: `There is no record ${id}` });
  return new ObjectId(id);
}

export function createRecordsService(ctx: WriteContext) {
  const entityOf = (name: string): CompiledEntity => ctx.registry.require(name);
  const access = (name: string, actor: Actor, op: Parameters<typeof authorize>[2]): Access => {
    const entity = entityOf(name);
    return { entity, perms: authorize(actor, entity, op), actor };
  };
  const shapeOf = ({ entity, perms, actor }: Access, o: ReadOptions): ReadShape => {
    const fields = parseFields(visibleDefinition(entity, perms), o.fields);
    return { only: visibleOnly(fields ? new Set(fields) : null, visibleNames(entity, perms)), expand: parseExpand(ctx, entity, o.expand, actor), actor };
  };

  /** The record if it is in the actor's read scope; a record outside it is as absent as a missing one (404). */
  async function load({ entity, perms }: Access, id: string): Promise<Document> {
    // A record claimed by a delete is already gone for everyone else.
    const filter = withScope({ _id: parseId(id), _deleting: { $exists: false } }, scopeFilter(entity, perms.read));
    const doc = await ctx.db.collection(entity.collection).findOne(filter, { projection: { _search: 0, _outbox: 0 } });
    if (!doc) throw recordProblems.recordNotFound.create({ detail: `There is no ${entity.name} record ${id}` });
    return doc;
  }

  /** 403 when the actor can see the record but its edit scope does not cover it. */
  async function checkEditable({ entity, perms }: Access, doc: Document): Promise<Document | null> {
    const scope = scopeFilter(entity, perms.edit);
    if (!scope) return null;
    const inScope = await ctx.db.collection(entity.collection).countDocuments(withScope({ _id: doc._id }, scope), { limit: 1 });
    if (!inScope) throw sharedProblems.forbidden.create({ detail: `You may read this ${entity.name} record but not change it` });
    return scope;
  }

  async function view(a: Access, doc: Document, shape: ReadShape = { only: visibleNames(a.entity, a.perms), expand: [], actor: a.actor }): Promise<ApiRecord> {
    const [record] = await toApiRecords(ctx, a.entity, [doc], shape);
    return record!;
  }

  /** The pipeline, whose problems on fields hidden from the actor are not shown to them. */
  async function guarded<T>(a: Access, pointerBase: string | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const errors = err instanceof Problem ? redactFieldErrors(err.errors, a.entity, a.perms, pointerBase) : undefined;
      if (err instanceof Problem && errors !== err.errors) throw new Problem(err, { detail: errors?.length ? summary(errors) : err.title, errors });
      throw err;
    }
  }

  /** Step 5: plugin hooks see the client's values and may change them or refuse; what they return is validated as input. */
  async function beforeSave(a: Access, operation: 'create' | 'update', body: unknown, req: WriteRequest, record: () => Promise<ApiRecord | null>): Promise<unknown> {
    if (!ctx.hooks || !body || typeof body !== 'object' || Array.isArray(body)) return body;
    return runBeforeSave(ctx.hooks, { entity: a.entity, actor: a.actor, depth: req.hookDepth ?? 0, operation, values: body as Record<string, unknown>, record });
  }

  function checkVersion(existing: Document, expectedVersion: number | undefined): void {
    if (expectedVersion !== undefined && existing._version !== expectedVersion) {
      throw recordProblems.preconditionFailed.create({ detail: `The record is at version ${existing._version}, not ${expectedVersion}` });
    }
  }

  async function update(entityName: string, req: UpdateRequest & { body: unknown }): Promise<ApiRecord> {
    const a = access(entityName, req.actor, 'update');
    const { entity } = a;
    for (let attempt = 0; ; attempt++) {
      const existing = await load(a, req.id);
      const editScope = await checkEditable(a, existing);
      checkVersion(existing, req.expectedVersion);
      const body = await beforeSave(a, 'update', req.body, req, () => view(a, existing));
      const prepared = await guarded(a, req.pointerBase, () => prepareUpdate(ctx, entity, existing, body, { ...req, fields: a.perms.fields, replace: req.replace ?? false, keep: hiddenOrReadOnly(a) }));
      if (!prepared.changed) return view(a, existing);
      // The scope is part of the write's filter too: a record that left the scope meanwhile is not written.
      const res = await ctx.db.collection(entity.collection).updateOne(withScope(prepared.filter, editScope), prepared.update).catch((err: unknown) => guarded<never>(a, req.pointerBase, async () => translateWriteError(err)));
      if (res.matchedCount === 1) {
        ctx.events.notify(entity.collection, existing._id);
        return view(a, prepared.after);
      }
      // Someone wrote between our read and write. With If-Match the client asked to be told; without, re-apply.
      if (req.expectedVersion !== undefined) throw recordProblems.preconditionFailed.create({ detail: 'The record changed while this update was applied' });
      if (attempt >= UPDATE_RETRIES) throw recordProblems.preconditionFailed.create({ detail: 'The record keeps changing; try again' });
    }
  }

  /**
   * Several creates as one batch (bulk create, sample data): each body through steps 2–5 in turn
   * (so the batch's own duplicates are caught as an import catches them), then one unordered
   * insertMany: one journal commit for the batch instead of one per record. A body the pipeline
   * or the database refuses fails alone, with its own problem.
   */
  async function createMany(entityName: string, bodies: unknown[], req: (index: number) => WriteRequest): Promise<Array<{ record: ApiRecord } | { error: unknown }>> {
    const a = access(entityName, req(0).actor, 'create');
    const { entity } = a;
    const batch = new Map<string, string>();
    const results: Array<{ doc: Document } | { error: unknown }> = [];
    for (const [i, body] of bodies.entries()) {
      const r = req(i);
      try {
        const values = await beforeSave(a, 'create', body, r, async () => null);
        results.push({ doc: await guarded(a, r.pointerBase, () => prepareCreate(ctx, entity, values, { ...r, fields: a.perms.fields, duplicates: { ...r.duplicates, batch } })) });
      } catch (error) {
        results.push({ error });
      }
    }
    const docs = results.flatMap((x) => ('doc' in x ? [x.doc] : []));
    const refusals = (await ctx.events.insertRecords(entity.collection, docs)).map((r) => ({ ...r, doc: docs[r.index]! }));
    // A unique value another record took meanwhile: the same problem a single create answers.
    const refused = new Map<Document, unknown>();
    for (const r of refusals) {
      const { pointerBase } = req(results.findIndex((x) => 'doc' in x && x.doc === r.doc));
      refused.set(r.doc, await guarded(a, pointerBase, async () => translateWriteError(r, pointerBase)).catch((problem: unknown) => problem));
    }
    const written = docs.filter((d) => !refused.has(d));
    const views = new Map((await toApiRecords(ctx, entity, written, shapeOf(a, {}))).map((v, i) => [written[i]!, v]));
    return results.map((x) => ('error' in x ? x : refused.has(x.doc) ? { error: refused.get(x.doc) } : { record: views.get(x.doc)! }));
  }

  return {
    entityOf,
    shapeOf,
    createMany,
    /** Finishes deletes a crash interrupted; run at start and now and then. */
    recover: () => finishPendingDeletes(ctx),
    access,
    load,
    async create(entityName: string, body: unknown, req: WriteRequest, options: ReadOptions = {}): Promise<ApiRecord> {
      const a = access(entityName, req.actor, 'create');
      const { entity } = a;
      // Read options are checked before the write, so a bad ?fields= cannot answer 400 for a stored record.
      const shape = shapeOf(a, options);
      const values = await beforeSave(a, 'create', body, req, async () => null);
      const doc = await guarded(a, req.pointerBase, async () => {
        const prepared = await prepareCreate(ctx, entity, values, { ...req, fields: a.perms.fields });
        await ctx.db.collection(entity.collection).insertOne(prepared).catch((err) => translateWriteError(err, req.pointerBase));
        return prepared;
      });
      if (doc._outbox) ctx.events.notify(entity.collection, doc._id);
      delete doc._outbox;
      return view(a, doc, shape);
    },
    /** A stored record the caller already holds, as `actor` would read it (no second read). */
    present(entityName: string, doc: Document, actor: Actor): Promise<ApiRecord> {
      return view(access(entityName, actor, 'read'), doc);
    },
    async get(entityName: string, id: string, actor: Actor, options: ReadOptions = {}): Promise<ApiRecord> {
      const a = access(entityName, actor, 'read');
      const shape = shapeOf(a, options);
      return view(a, await load(a, id), shape);
    },
    update,
    async remove(entityName: string, req: WriteRequest & { id: string; expectedVersion?: number }): Promise<void> {
      const a = access(entityName, req.actor, 'delete');
      const existing = await load(a, req.id);
      await checkEditable(a, existing);
      checkVersion(existing, req.expectedVersion);
      await ctx.hooks?.beforeDelete({ entity: a.entity, actor: a.actor, depth: req.hookDepth ?? 0, record: () => view(a, existing) });
      await deleteRecord(ctx, a.entity, existing, req);
    },
  };
}
