import type { ErrorRequestHandler, RequestHandler } from 'express';
import { Problem, sharedProblems } from '../shared/errors.ts';

/** The only place that writes errors: everything becomes application/problem+json. */
export const problemHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const problem = toProblem(err);
  if (problem.status >= 500) req.log?.error({ err }, 'request failed');
  if (problem.headers) res.set(problem.headers);
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      instance: req.originalUrl,
      requestId: req.id,
      ...(problem.errors ? { errors: problem.errors } : {}),
    });
};

/** Foreign errors are translated here; anything unknown is a bare 500 with no internals. */
function toProblem(err: unknown): Problem {
  if (err instanceof Problem) return err;
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
  // body-parser and friends mark client errors with `expose`.
  if (e && e.expose && typeof e.status === 'number' && e.status < 500) {
    const known = e.status === 413 ? sharedProblems.payloadTooLarge : e.status === 415 ? sharedProblems.unsupportedMediaType : sharedProblems.badRequest;
    return known.create({ detail: e.message });
  }
  return sharedProblems.internal.create();
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(sharedProblems.notFound.create({ detail: `No route for ${req.method} ${req.path}` }));
};
