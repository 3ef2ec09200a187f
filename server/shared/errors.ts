/**
 * The one error model (RFC 9457 problem+json). Each capability declares its problem types with
 * `defineProblem`; the HTTP error handler is the only place that turns them into responses.
 */
export type FieldError = { pointer: string; detail: string };

/** One JSON Pointer reference token (RFC 6901): `~` and `/` escaped. */
export const pointerToken = (key: string | number): string => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

export type ProblemType = { type: string; status: number; title: string };

export type ProblemInit = { detail?: string; errors?: FieldError[]; cause?: unknown; headers?: Record<string, string> };

export class Problem extends Error {
  readonly type: string;
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  /** Response headers that belong to the problem, e.g. Retry-After on a 429. */
  readonly headers?: Record<string, string>;

  constructor(problemType: ProblemType, init: ProblemInit = {}) {
    super(init.detail ?? problemType.title, { cause: init.cause });
    this.name = 'Problem';
    this.type = problemType.type;
    this.status = problemType.status;
    this.title = problemType.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
  }
}

const PROBLEM_BASE = 'https://rapport.dev/problems/';

/** Declares a problem type; `type` is a short slug, expanded to a stable URI. */
export function defineProblem(def: ProblemType): ProblemType & { create: (init?: ProblemInit) => Problem } {
  const problemType = { ...def, type: def.type.includes(':') ? def.type : PROBLEM_BASE + def.type };
  return { ...problemType, create: (init?: ProblemInit) => new Problem(problemType, init) };
}

export const sharedProblems = {
  notFound: defineProblem({ type: 'not-found', status: 404, title: 'Not found' }),
  badRequest: defineProblem({ type: 'bad-request', status: 400, title: 'Bad request' }),
  forbidden: defineProblem({ type: 'forbidden', status: 403, title: 'You do not have permission to do this' }),
  payloadTooLarge: defineProblem({ type: 'payload-too-large', status: 413, title: 'Request body too large' }),
  unsupportedMediaType: defineProblem({ type: 'unsupported-media-type', status: 415, title: 'Unsupported media type' }),
  unavailable: defineProblem({ type: 'service-unavailable', status: 503, title: 'Service unavailable' }),
  internal: defineProblem({ type: 'about:blank', status: 500, title: 'Internal Server Error' }),
};
