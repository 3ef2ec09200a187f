/** A problem+json answer from the server, as the studio handles it: a message and errors by field. */
export type FieldError = { pointer: string; detail: string };

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly errors: FieldError[];
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.detail ?? body.title ?? `The server answered ${status}`));
    this.status = status;
    this.type = String(body.type ?? 'about:blank');
    this.body = body;
    this.errors = Array.isArray(body.errors) ? (body.errors as FieldError[]).filter((e) => typeof e?.pointer === 'string') : [];
  }

  /** The errors by the first token of their pointer (`/name/first` → `name`), for a form. */
  byField(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.errors) {
      const field = decodeToken(e.pointer.split('/')[1] ?? '');
      out[field] ??= e.detail;
    }
    return out;
  }
}

/** JSON Pointer token decoding (RFC 6901). */
export const decodeToken = (token: string): string => token.replace(/~1/g, '/').replace(/~0/g, '~');
