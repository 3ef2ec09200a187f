/**
 * The studio (issue 8), built by `npm run build:studio` into studio/dist: hashed assets cached for
 * a year, and index.html for every other GET that is not an API path, so /r/contact/… deep links
 * load the app. When the studio was not built, `/` says how to build it instead of a bare 404.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router, type Request } from 'express';

const DIST = fileURLToPath(new URL('../../studio/dist/', import.meta.url));
/** Paths the server answers itself: never the app's index.html. */
const SERVER_PATHS = /^\/(api|hooks|mail|healthz|readyz)(\/|$)/;

/** A browser navigating asks for text/html by name; API clients (any type, or JSON) get the 404 problem. */
const wantsPage = (req: Request) => (req.method === 'GET' || req.method === 'HEAD') && !SERVER_PATHS.test(req.path) && /\btext\/html\b/.test(req.get('accept') ?? '');

export function studioRoutes(dist = DIST): Router {
  const router = Router();
  const index = join(dist, 'index.html');
  router.use('/assets', express.static(join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  router.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The studio is not built. Run `npm run build:studio` (npm install does it), then reload.\n');
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
