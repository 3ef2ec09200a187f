/**
 * Duplicate rules, the duplicates scan, duplicate lookups and merge (issue 5). Routes validate
 * input, call the capability, respond. Changing rules is for administrators; reading them, for
 * whoever can read the entity.
 */
import { Router, type Request, type Response } from 'express';
import { actorOf } from '../shared/actor.ts';
import { requireAdmin } from '../http/authenticate.ts';
import { recordProblems, type RecordsService, type WriteContext } from '../records/index.ts';
import { ruleStoreOf } from './duplicate-rules.ts';
import { createDuplicateLookups, MAX_SCAN_PAGE } from './duplicate-lookups.ts';
import { createMerge } from './merge.ts';

const param = (req: Request, name: string): string => String(req.params[name]);
const invalidQuery = (name: string, detail: string) => recordProblems.invalidQuery.create({ detail: `${name} ${detail}`, errors: [{ pointer: `/${name}`, detail }] });

/** `?rule=&cursor=&limit=`: each once, as text; nothing else. */
function scanQuery(query: Request['query']): { rule?: string; cursor?: string; limit?: number } {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!['rule', 'cursor', 'limit'].includes(key)) throw invalidQuery(key, 'is not a query parameter');
    if (typeof value !== 'string') throw invalidQuery(key, 'must be given once, as text');
    out[key] = value;
  }
  const limit = out.limit === undefined ? undefined : Number(out.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_SCAN_PAGE)) throw invalidQuery('limit', `must be an integer from 1 to ${MAX_SCAN_PAGE}`);
  return { rule: out.rule, cursor: out.cursor, limit };
}

export function duplicatesRoutes(deps: { ctx: WriteContext; records: RecordsService }): Router {
  const { records } = deps;
  const rules = ruleStoreOf(deps.ctx);
  const lookups = createDuplicateLookups({ db: deps.ctx.db, records, rules, lookup: deps.ctx.registry.get });
  const merger = createMerge(deps);
  const router = Router();
  const base = '/api/entities/:entity';
  const readable = (req: Request, res: Response) => records.access(param(req, 'entity'), actorOf(res), 'read').entity.name;

  router.get(`${base}/duplicate-rules`, async (req, res) => {
    res.json({ data: await rules.list(readable(req, res)) });
  });
  router.get(`${base}/duplicate-rules/:name`, async (req, res) => {
    res.json(rules.view(await rules.find(readable(req, res), param(req, 'name'))));
  });
  router.put(`${base}/duplicate-rules/:name`, requireAdmin, async (req, res) => {
    const { created, rule } = await rules.put(param(req, 'entity'), param(req, 'name'), req.body, actorOf(res).id);
    res.status(created ? 201 : 200).json(rule);
  });
  router.delete(`${base}/duplicate-rules/:name`, requireAdmin, async (req, res) => {
    await rules.remove(param(req, 'entity'), param(req, 'name'));
    res.status(204).end();
  });
  router.get(`${base}/duplicates`, async (req, res) => {
    res.json(await lookups.scan({ entity: param(req, 'entity'), actor: actorOf(res), ...scanQuery(req.query) }));
  });
  router.post(`${base}/duplicates/check`, async (req, res) => {
    res.json(await lookups.ofValues(param(req, 'entity'), req.body, actorOf(res)));
  });
  router.get(`${base}/records/:id/duplicates`, async (req, res) => {
    res.json(await lookups.ofRecord(param(req, 'entity'), param(req, 'id'), actorOf(res)));
  });
  router.post(`${base}/records/:id/merge`, async (req, res) => {
    res.json(await merger.merge(param(req, 'entity'), param(req, 'id'), req.body, actorOf(res)));
  });
  return router;
}
