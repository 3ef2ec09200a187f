/**
 * `q=` search that answers the same on the embedded engine and on MongoDB: instead of a text index
 * (whose scoring and stemming differ between engines, and which the embedded engine lacks), each
 * record stores the normalised words of its search fields in `_search`, and a query asks for
 * records that have, for every word typed, a stored word starting with it.
 */
import type { Document } from 'mongodb';
import { escapeRegex } from './query/index.ts';
import type { Field } from '../metadata/index.ts';

const MAX_QUERY_WORDS = 8;
const MAX_STORED_WORDS = 200;

/** Lower case, accents removed, split on anything that is not a letter or digit. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export function searchWords(values: unknown[]): string[] {
  const all = new Set<string>();
  for (const value of values) {
    for (const text of flattenText(value)) for (const w of words(text)) all.add(w.slice(0, 64));
  }
  return [...all].slice(0, MAX_STORED_WORDS);
}

function flattenText(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(flattenText);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).flatMap(flattenText);
  return [];
}

const queryWords = (q: string): string[] => [...new Set(words(q.slice(0, 200)))].slice(0, MAX_QUERY_WORDS);

/** The filter for `q`; null when q has no words. Each word must prefix some stored word. */
export function searchFilter(q: string): Document | null {
  const wanted = queryWords(q);
  if (!wanted.length) return null;
  return { $and: wanted.map((w) => ({ _search: { $regex: `^${escapeRegex(w)}` } })) };
}

/**
 * `q` over some fields only, for an actor from whom other search fields are hidden (`_search`
 * mixes the words of all of them): each word must appear in one of these fields' text
 * (case-insensitive, anywhere in the text; accents are not folded on this path).
 */
export function searchFilterOnFields(q: string, fields: Field[]): Document | null {
  const wanted = queryWords(q);
  if (!wanted.length) return null;
  const paths = fields.flatMap((f) => (f.type === 'fullName' ? [`${f.name}.display`] : f.type === 'address' ? ['line1', 'line2', 'city', 'region', 'postalCode', 'country'].map((p) => `${f.name}.${p}`) : [f.name]));
  if (!paths.length) return { _id: { $in: [] } };
  return { $and: wanted.map((w) => ({ $or: paths.map((p) => ({ [p]: { $regex: escapeRegex(w), $options: 'i' } })) })) };
}
