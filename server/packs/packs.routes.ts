/**
 * /api/packs (issue 9), for administrators: the packs with their installed state, install (with
 * sample data), uninstall (data kept unless `deleteData`) and more sample data. Routes check the
 * input, call the service and answer; the rules are in the service.
 */
import { Router, type Request } from 'express';
import { requireAdmin } from '../http/authenticate.ts';
import { actorOf } from '../shared/actor.ts';
import type { FieldError } from '../shared/errors.ts';
import { packProblems } from './packs.problems.ts';
import type { PacksService } from './packs.service.ts';
import { MAX_SAMPLE_RECORDS } from './sample/seed-sample.ts';

type Spec = Record<string, 'count' | 'seed' | 'boolean'>;

/** The body's known keys, each of the kind expected; anything else is a problem with its pointer. */
function bodyOf(req: Request, spec: Spec): Record<string, number | boolean | undefined> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  if (typeof body !== 'object' || Array.isArray(body)) errors.push({ pointer: '', detail: 'must be a JSON object' });
  for (const key of Object.keys(body)) if (!spec[key]) errors.push({ pointer: `/${key}`, detail: 'is not allowed here' });
  for (const [key, kind] of Object.entries(spec)) {
    const v = body[key];
    if (v === undefined) continue;
    if (kind === 'boolean' && typeof v !== 'boolean') errors.push({ pointer: `/${key}`, detail: 'must be true or false' });
    if (kind === 'count' && (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > MAX_SAMPLE_RECORDS)) errors.push({ pointer: `/${key}`, detail: `must be a whole number from 0 to ${MAX_SAMPLE_RECORDS}` });
    if (kind === 'seed' && (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > 2 ** 32 - 1)) errors.push({ pointer: `/${key}`, detail: 'must be a whole number from 0 to 4294967295' });
  }
  if (errors.length) throw packProblems.invalidRequest.create({ detail: `${errors[0]!.pointer || 'the body'} ${errors[0]!.detail}`, errors });
  return body as Record<string, number | boolean | undefined>;
}

const nameOf = (req: Request) => String(req.params.name);

export function packsRoutes(service: PacksService): Router {
  const router = Router();
  router.use('/api/packs', requireAdmin);
  router.get('/api/packs', async (_req, res) => void res.json({ data: await service.list() }));
  router.post('/api/packs/:name/install', async (req, res) => {
    const body = bodyOf(req, { sampleRecords: 'count', seed: 'seed' });
    res.json(await service.install(nameOf(req), { sampleRecords: body.sampleRecords as number | undefined, seed: body.seed as number | undefined }, actorOf(res)));
  });
  router.post('/api/packs/:name/uninstall', async (req, res) => {
    const body = bodyOf(req, { deleteData: 'boolean' });
    res.json(await service.uninstall(nameOf(req), { deleteData: body.deleteData === true }, actorOf(res)));
  });
  router.post('/api/packs/:name/sample', async (req, res) => {
    const body = bodyOf(req, { records: 'count', seed: 'seed' });
    if (body.records === undefined) throw packProblems.invalidRequest.create({ detail: '/records is required', errors: [{ pointer: '/records', detail: 'is required' }] });
    res.json(await service.sample(nameOf(req), { records: body.records as number, seed: body.seed as number | undefined }));
  });
  return router;
}
