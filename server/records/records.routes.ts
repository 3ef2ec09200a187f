/** /api/entities/:entity/records: routes validate input, call the service, respond. */
import { Router, type Request, type Response } from 'express';
import { actorOf } from '../shared/actor.ts';
import { etagOf, ifMatchVersion } from '../shared/etag.ts';
import type { RecordsService } from './records.service.ts';
import { createRecordsQuery, readAccess } from './records-query.ts';
import { createBulk } from './bulk.ts';
import { groupBy } from './group-by.ts';
import { exportFormat, exportRecords } from './export.ts';
import { recordHistory } from './record-history.ts';
import { listQuery } from './query-params.ts';
import type { ReadContext } from './parents.ts';
import type { DuplicateMatch } from './duplicate-guard.ts';

const param = (req: Request, name: string): string => String(req.params[name]);
const readOptions = (req: Request) => {
  const { fields, expand } = listQuery(pick(req.query, ['fields', 'expand']), true);
  return { fields, expand };
};
const pick = (source: object, keys: string[]) => Object.fromEntries(Object.entries(source).filter(([k]) => keys.includes(k)));
const write = (res: Response) => ({ actor: actorOf(res), channel: 'api' as const });
/**
 * A write that also collects what `warn` duplicate rules matched (issue 5): the save goes ahead
 * and the answer says, in `_duplicates`, which records look like the same one.
 */
function writeWithWarnings(res: Response) {
  const found: DuplicateMatch[] = [];
  const answer = <T extends object>(record: T) => (found.length ? { ...record, _duplicates: found.map(({ rule, fields, ids, unseen }) => ({ rule, fields, ids, unseen })) } : record);
  return { request: { ...write(res), duplicates: { onWarning: (m: DuplicateMatch[]) => found.push(...m) } }, answer };
}

export function recordsRoutes(deps: { records: RecordsService; ctx: ReadContext }): Router {
  const { records } = deps;
  const query = createRecordsQuery(deps.ctx);
  const bulk = createBulk(records);
  const router = Router();
  const base = '/api/entities/:entity/records';
  const reading = (req: Request, res: Response) => readAccess(records.entityOf(param(req, 'entity')), actorOf(res));

  router.get(base, async (req, res) => {
    res.json(await query.list(reading(req, res), listQuery(req.query, true)));
  });
  router.post(`${base}/query`, async (req, res) => {
    res.json(await query.list(reading(req, res), listQuery(req.body ?? {}, false)));
  });
  router.get(`${base}/count`, async (req, res) => {
    res.json({ count: await query.count(reading(req, res), listQuery(req.query, true)) });
  });
  router.get(`${base}/group-by`, async (req, res) => {
    res.json(await groupBy(deps.ctx, reading(req, res), listQuery(req.query, true)));
  });
  router.get(`${base}/export`, async (req, res) => {
    const { format, ...rest } = req.query;
    const a = readAccess(records.entityOf(param(req, 'entity')), actorOf(res), 'export');
    await exportRecords(deps.ctx, a, { ...listQuery(rest, true), format: exportFormat(format) }, res);
  });
  router.post(`${base}/bulk-create`, async (req, res) => {
    res.json(await bulk.create(param(req, 'entity'), req.body, actorOf(res)));
  });
  router.post(`${base}/bulk-update`, async (req, res) => {
    res.json(await bulk.update(param(req, 'entity'), req.body, actorOf(res)));
  });
  router.post(`${base}/bulk-delete`, async (req, res) => {
    res.json(await bulk.remove(param(req, 'entity'), req.body, actorOf(res)));
  });
  router.post(base, async (req, res) => {
    const w = writeWithWarnings(res);
    const record = await records.create(param(req, 'entity'), req.body, w.request, readOptions(req));
    res.status(201).location(`/api/entities/${param(req, 'entity')}/records/${record._id}`).set('ETag', etagOf(record._version)).json(w.answer(record));
  });
  router.get(`${base}/:id`, async (req, res) => {
    const record = await records.get(param(req, 'entity'), param(req, 'id'), actorOf(res), readOptions(req));
    res.set('ETag', etagOf(record._version)).json(record);
  });
  for (const [method, replace] of [['patch', false], ['put', true]] as const) {
    router[method](`${base}/:id`, async (req, res) => {
      const w = writeWithWarnings(res);
      const record = await records.update(param(req, 'entity'), { ...w.request, id: param(req, 'id'), body: req.body, expectedVersion: ifMatchVersion(req), replace });
      res.set('ETag', etagOf(record._version)).json(w.answer(record));
    });
  }
  router.delete(`${base}/:id`, async (req, res) => {
    await records.remove(param(req, 'entity'), { ...write(res), id: param(req, 'id'), expectedVersion: ifMatchVersion(req) });
    res.status(204).end();
  });
  router.get(`${base}/:id/history`, async (req, res) => {
    const { limit, cursor } = listQuery(pick(req.query, ['limit', 'cursor']), true);
    const a = reading(req, res);
    const record = await records.load(a, param(req, 'id'));
    res.json(await recordHistory(deps.ctx, a, record, { before: cursor, limit: limit ?? 50 }));
  });
  router.get(`${base}/:id/related`, async (req, res) => {
    const { limit } = listQuery(pick(req.query, ['limit']), true);
    res.json({ data: await query.related(reading(req, res), param(req, 'id'), limit ?? 5) });
  });
  return router;
}
