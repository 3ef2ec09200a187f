/** GET /api/search?q=&limit= (issue 8): validate, search, respond. */
import { Router, type Request } from 'express';
import { actorOf } from '../shared/actor.ts';
import { defineProblem } from '../shared/errors.ts';
import type { ReadContext } from '../records/index.ts';
import { createGlobalSearch } from './global-search.ts';

export const searchProblems = {
  invalidSearch: defineProblem({ type: 'invalid-search', status: 422, title: 'The search is not valid' }),
};

const MAX_LIMIT = 50;
const DEFAULT_LIMIT = 20;

const invalid = (name: string, detail: string) => searchProblems.invalidSearch.create({ detail: `${name} ${detail}`, errors: [{ pointer: `/${name}`, detail }] });

function searchParams(query: Request['query']): { q: string; limit: number } {
  for (const key of Object.keys(query)) if (key !== 'q' && key !== 'limit') throw invalid(key, 'is not a search parameter');
  const { q, limit } = query;
  if (typeof q !== 'string' || q.trim().length < 2 || q.trim().length > 200) throw invalid('q', 'must be given once, 2 to 200 characters');
  if (limit !== undefined && (typeof limit !== 'string' || !/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT)) throw invalid('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  return { q: q.trim(), limit: limit === undefined ? DEFAULT_LIMIT : Number(limit) };
}

export function searchRoutes(ctx: ReadContext): Router {
  const search = createGlobalSearch(ctx);
  const router = Router();
  router.get('/api/search', async (req, res) => {
    const { q, limit } = searchParams(req.query);
    res.json({ items: await search(actorOf(res), q, limit) });
  });
  return router;
}
