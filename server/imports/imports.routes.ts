/**
 * The import API (issue 5). The router is mounted before the JSON body parser: an import's body is
 * the CSV itself, streamed; the mapping routes parse their own JSON.
 *
 *   PUT    /api/entities/:entity/import-mappings/:name   {columns, mode?, upsertBy?, dateOrder?, delimiter?}
 *   GET    /api/entities/:entity/import-mappings[/:name]
 *   DELETE /api/entities/:entity/import-mappings/:name
 *   POST   /api/entities/:entity/imports?mapping=|columns=&upsertBy=&mode=&dryRun=true&dateOrder=&delimiter=&id=
 *          body text/csv → 201 + Location: /api/imports/:id, the finished job (its report inline)
 *   GET    /api/imports?entity=&status=&limit=      the actor's imports (every import for administrators)
 *   GET    /api/imports/:id                          progress while it runs, the report when done
 *   GET    /api/imports/:id/problems?after=&limit=   the whole report, page by page
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { actorOf } from '../shared/actor.ts';
import { sharedProblems } from '../shared/errors.ts';
import { jobView } from './import-job.ts';
import { MAPPING_NAME } from './import-mappings.ts';
import { importProblems } from './imports.problems.ts';
import type { ImportRequest, ImportsService } from './imports.service.ts';
import type { Stop } from './run-import.ts';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'text/tab-separated-values', 'application/vnd.ms-excel'];
const HEX_ID = /^[0-9a-f]{24}$/;

const param = (req: Request, name: string): string => String(req.params[name]);
const query = (req: Request, name: string): string | undefined => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);

const invalid = (pointer: string, detail: string) => importProblems.invalidImport.create({ detail: `${pointer.slice(1)} ${detail}`, errors: [{ pointer, detail }] });

/** JSON bodies for the mapping routes only (the app's parser comes after this router). */
const jsonBody: RequestHandler[] = [
  (req, _res, next) => next(req.is('application/json') ? undefined : sharedProblems.unsupportedMediaType.create({ detail: 'Send the mapping as application/json' })),
  express.json({ limit: '1mb' }),
];

function mappingName(req: Request): string {
  const name = param(req, 'name');
  if (!MAPPING_NAME.test(name)) throw invalid('/name', 'must be 1 to 64 letters, digits, "_", "-" or "." (starting with a letter or digit)');
  return name;
}

function importRequest(req: Request): ImportRequest {
  const r: ImportRequest = { dryRun: query(req, 'dryRun') === 'true', mapping: query(req, 'mapping'), upsertBy: query(req, 'upsertBy'), mode: query(req, 'mode'), dateOrder: query(req, 'dateOrder'), delimiter: query(req, 'delimiter'), id: query(req, 'id') };
  if (query(req, 'dryRun') !== undefined && !['true', 'false'].includes(query(req, 'dryRun')!)) throw invalid('/dryRun', 'must be true or false');
  if (r.id !== undefined && !HEX_ID.test(r.id)) throw invalid('/id', 'must be 24 hex digits (an id you choose to follow the import while it runs)');
  if (r.mapping !== undefined && query(req, 'columns') !== undefined) throw invalid('/columns', 'is given by the saved mapping already');
  const columns = query(req, 'columns');
  if (columns !== undefined) {
    try {
      r.columns = JSON.parse(columns) as unknown;
    } catch {
      throw invalid('/columns', 'must be JSON: {"CSV column": "field"}');
    }
  }
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as ImportRequest;
}

/** Reads and discards what is left of an upload cut short, so the client can read the answer (up to `max` bytes). */
function discardRest(req: IncomingMessage, max: number): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > max) req.destroy();
    });
    req.on('end', resolve).on('close', resolve).on('error', resolve);
    req.resume();
  });
}

function stopProblem(stop: Stop, location: string) {
  const headers = { location };
  switch (stop.kind) {
    case 'columns': return importProblems.columnsMissing.create({ detail: stop.detail, errors: stop.errors, headers });
    case 'tooLarge': return sharedProblems.payloadTooLarge.create({ detail: stop.detail, headers: { ...headers, connection: 'close' } });
    case 'interrupted': return importProblems.uploadInterrupted.create({ detail: stop.detail, headers });
    default: return importProblems.malformedCsv.create({ detail: stop.detail, headers });
  }
}

export function importRoutes(imports: ImportsService): Router {
  const router = Router();
  const mappings = '/api/entities/:entity/import-mappings';

  router.put(`${mappings}/:name`, ...jsonBody, async (req: Request, res: Response) => {
    const saved = await imports.saveMapping(param(req, 'entity'), mappingName(req), req.body, actorOf(res));
    res.status(saved.created ? 201 : 200).json(saved.mapping);
  });
  router.get(mappings, async (req, res) => void res.json({ data: await imports.listMappings(param(req, 'entity'), actorOf(res)) }));
  router.get(`${mappings}/:name`, async (req, res) => void res.json(await imports.getMapping(param(req, 'entity'), mappingName(req), actorOf(res))));
  router.delete(`${mappings}/:name`, async (req, res) => {
    await imports.removeMapping(param(req, 'entity'), mappingName(req), actorOf(res));
    res.status(204).end();
  });

  router.post('/api/entities/:entity/imports', async (req: Request, res: Response) => {
    if (!req.is(CSV_TYPES)) throw sharedProblems.unsupportedMediaType.create({ detail: 'Send the file as text/csv' });
    // A declared size over the limit is refused before a byte is read; a streamed one when it gets there.
    if (Number(req.headers['content-length'] ?? 0) > imports.maxBytes) {
      res.set('connection', 'close');
      throw sharedProblems.payloadTooLarge.create({ detail: `An import file is at most ${imports.maxBytes} bytes` });
    }
    const { job, stop } = await imports.run(param(req, 'entity'), importRequest(req), actorOf(res), req);
    const location = `/api/imports/${job._id.toHexString()}`;
    if (stop?.kind !== 'tooLarge') await discardRest(req, imports.maxBytes);
    if (stop) throw stopProblem(stop, location);
    res.status(201).location(location).json(jobView(job));
  });

  router.get('/api/imports', async (req, res) => {
    const status = query(req, 'status');
    if (status !== undefined && !['running', 'done', 'failed'].includes(status)) throw invalid('/status', 'must be running, done or failed');
    const limit = Math.min(Math.max(Number(query(req, 'limit') ?? 50) || 50, 1), 200);
    const list = await imports.list(actorOf(res), { entity: query(req, 'entity'), status, limit });
    res.json({ data: list.map(jobView) });
  });
  router.get('/api/imports/:id', async (req, res) => void res.json(jobView(await imports.get(param(req, 'id'), actorOf(res)))));
  router.get('/api/imports/:id/problems', async (req, res) => {
    const after = Number(query(req, 'after') ?? -1);
    const limit = Number(query(req, 'limit') ?? 500);
    if (!Number.isInteger(after) || after < -1) throw invalid('/after', 'must be the nextAfter of the previous page');
    if (!Number.isInteger(limit) || limit < 1) throw invalid('/limit', 'must be a positive integer');
    res.json(await imports.problems(param(req, 'id'), actorOf(res), { after, limit }));
  });
  return router;
}
