import type { RequestHandler } from 'express';
import { sharedProblems } from '../shared/errors.ts';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** API writes take JSON: a body of another type gets 415 instead of being read as "no body". */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (WITH_BODY.has(req.method) && hasBody && !req.is('application/json')) {
    next(sharedProblems.unsupportedMediaType.create({ detail: 'Send the body as application/json' }));
    return;
  }
  next();
};
