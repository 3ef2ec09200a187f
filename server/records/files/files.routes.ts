/**
 * Uploading and downloading the files of file fields. Mounted before the JSON body parser: the
 * request body is the file itself, streamed into GridFS.
 */
import { Router, type Request } from 'express';
import { ObjectId } from 'mongodb';
import { actorOf, type Actor } from '../../shared/actor.ts';
import { sharedProblems } from '../../shared/errors.ts';
import { metadataProblems, type CompiledEntity, type MetadataRegistry } from '../../metadata/index.ts';
import type { RecordsService } from '../records.service.ts';
import type { ReadContext } from '../parents.ts';
import { fileBucket, storeUpload, type FileField } from './file-store.ts';
import { recordProblems } from '../records.problems.ts';

const param = (req: Request, name: string): string => String(req.params[name]);

function fileField(registry: MetadataRegistry, entity: string, name: string): FileField {
  const field = registry.require(entity).fields.get(name);
  if (field?.type !== 'file') throw metadataProblems.fieldNotFound.create({ detail: `${entity} has no file field "${name}"` });
  return field;
}

/** The name a client gave: `?filename=` or Content-Disposition; reduced to a safe base name. */
function uploadName(req: Request): string {
  const fromQuery = typeof req.query.filename === 'string' ? req.query.filename : undefined;
  const fromHeader = /filename="?([^";]+)"?/i.exec(req.get('content-disposition') ?? '')?.[1];
  const base = (fromQuery ?? fromHeader ?? 'upload').split(/[\\/]/).pop()!;
  const name = [...base].filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f' && c !== '"').join('').slice(0, 200);
  return name || 'upload';
}

/** An upload is only useful to someone who may write the field on a new or existing record. */
function checkUploadAllowed(entity: CompiledEntity, field: FileField, actor: Actor): void {
  const perms = actor.permissions(entity.name);
  const level = perms.fields[field.name];
  if (!perms.operations.read || level === 'hidden') throw metadataProblems.fieldNotFound.create({ detail: `${entity.name} has no file field "${field.name}"` });
  if ((!perms.operations.create && !perms.operations.update) || level === 'read') throw sharedProblems.forbidden.create({ detail: `You may not upload files to ${entity.name}.${field.name}` });
}

export function filesRoutes(deps: { ctx: ReadContext; records: RecordsService }): Router {
  const router = Router();
  router.post('/api/entities/:entity/files/:field', async (req, res) => {
    // Permission first: an entity the actor cannot read answers like one that does not exist.
    const { entity } = deps.records.access(param(req, 'entity'), actorOf(res), 'read');
    const field = fileField(deps.ctx.registry, param(req, 'entity'), param(req, 'field'));
    checkUploadAllowed(entity, field, actorOf(res));
    const name = uploadName(req);
    const stored = await storeUpload({ db: deps.ctx.db, entity: param(req, 'entity'), field, filename: name, declaredType: req.get('content-type'), actorId: actorOf(res).id, body: req }).catch((err: unknown) => {
      // Refused mid-body: the rest is never read, so this connection cannot carry another request.
      if (!req.complete) res.set('Connection', 'close');
      throw err;
    });
    res.status(201).json({ id: stored.id.toHexString(), name, size: stored.size, contentType: stored.contentType });
  });
  router.get('/api/entities/:entity/records/:id/files/:field', async (req, res) => {
    deps.records.access(param(req, 'entity'), actorOf(res), 'read');
    const field = fileField(deps.ctx.registry, param(req, 'entity'), param(req, 'field'));
    if (actorOf(res).permissions(param(req, 'entity')).fields[field.name] === 'hidden') throw metadataProblems.fieldNotFound.create({ detail: `${param(req, 'entity')} has no file field "${field.name}"` });
    const record = await deps.records.get(param(req, 'entity'), param(req, 'id'), actorOf(res), { fields: param(req, 'field') });
    const file = record[param(req, 'field')] as { id: string; name: string; size: number; contentType: string } | null;
    if (!file) throw recordProblems.recordNotFound.create({ detail: 'This record has no file in that field' });
    // Served as an attachment and never sniffed, so an uploaded HTML or SVG file cannot run as this site.
    res.set({ 'Content-Type': file.contentType, 'Content-Length': String(file.size), 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'none'; sandbox" });
    res.attachment(file.name);
    const stream = fileBucket(deps.ctx.db).openDownloadStream(new ObjectId(file.id));
    stream.on('error', (err) => res.destroy(err));
    stream.pipe(res);
  });
  return router;
}
