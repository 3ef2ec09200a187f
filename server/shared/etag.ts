/** Optimistic concurrency over HTTP: versions travel as strong ETags `"<n>"`. */
import type { Request } from 'express';
import { sharedProblems } from './errors.ts';

export const etagOf = (version: number): string => `"${version}"`;

/** The version an If-Match header names, undefined when absent; `*` means any. */
export function ifMatchVersion(req: Request): number | undefined {
  const header = req.get('if-match');
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match) throw sharedProblems.badRequest.create({ detail: 'If-Match must be an ETag such as "3"', errors: [{ pointer: '/headers/if-match', detail: 'must be an ETag such as "3"' }] });
  return Number(match[1]);
}
