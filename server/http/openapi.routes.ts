/**
 * GET /api/openapi.json: the document for the metadata live right now. It is rebuilt only when
 * the metadataVersion moves, so repeated calls cost a string send, and a metadata change shows
 * on the next call.
 */
import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { MetadataRegistry } from '../metadata/index.ts';
import { buildOpenApiDocument } from './openapi.ts';

type Cached = { generation: number; body: string; etag: string };

export function openApiRoutes(deps: { registry: MetadataRegistry }): Router {
  const { registry } = deps;
  let cached: Cached | undefined;

  function current(): Cached {
    const generation = registry.generation();
    if (cached?.generation !== generation) {
      const document = buildOpenApiDocument({ entities: registry.all(), metadataVersion: registry.version() });
      const body = JSON.stringify(document);
      // A hash of the content, so a server upgrade at the same metadataVersion is a new ETag too.
      cached = { generation, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return cached;
  }

  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    const { body, etag } = current();
    // With the ETag set, Express answers a matching If-None-Match with 304 on its own.
    res.set({ ETag: etag, 'Cache-Control': 'no-cache' }).type('application/json').send(body);
  });
  return router;
}
