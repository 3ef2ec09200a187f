/**
 * Text as a person types it in a spreadsheet cell → the API input value of a field (issue 5):
 * what an import reads from a CSV cell and what a field type conversion reads from an old value.
 * The result still goes through the write pipeline's own validation; this only reads the
 * formats people use ("12.50 GBP", "yes", "31/03/2026", "Ada Lovelace", "a; b").
 * Relations are left as text: the importer resolves them by a field of the target, in batches.
 */
import type { Field } from '../metadata/index.ts';

export type Coerced = { ok: true; value: unknown } | { ok: false; detail: string };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const no = (detail: string): Coerced => ({ ok: false, detail });

const YES = new Set(['true', 'yes', 'y', '1', 'on', 'x', '✓']);
const NO = new Set(['false', 'no', 'n', '0', 'off']);

function number(text: string): Coerced {
  // Thousands separators and a trailing % are what spreadsheets print; anything else is refused.
  const clean = text.replace(/[,\s]/g, '').replace(/%$/, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(clean)) return no(`"${text}" is not a number`);
  return ok(Number(clean));
}

/** YYYY-MM-DD as given; DD/MM/YYYY and DD.MM.YYYY (day first, as in most of the world) turned into it. */
function date(text: string): Coerced {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return ok(text);
  const m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(text);
  if (!m) return no(`"${text}" is not a date (use YYYY-MM-DD or DD/MM/YYYY)`);
  return ok(`${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`);
}

function datetime(text: string): Coerced {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return ok(`${text}T00:00:00.000Z`);
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}[T ]/.test(text) ? no(`"${text}" is not a date and time (use ISO 8601, e.g. 2026-03-31T09:30:00Z)`) : ok(new Date(parsed).toISOString());
}

function option(field: Extract<Field, { type: 'select' | 'multiSelect' }>, text: string): string | undefined {
  const t = text.trim().toLowerCase();
  return field.options.find((o) => o.value.toLowerCase() === t || (o.label ?? '').toLowerCase() === t)?.value;
}

function currency(text: string): Coerced {
  const m = /^([A-Za-z]{3})?\s*([-+]?[\d,]*\.?\d+)\s*([A-Za-z]{3})?$/.exec(text.replace(/[£$€¥]/g, ''));
  if (!m || (m[1] && m[3])) return no(`"${text}" is not an amount (e.g. 12.50 or 12.50 GBP)`);
  const code = m[1] ?? m[3];
  return ok({ amount: m[2]!.replace(/,/g, ''), ...(code ? { currency: code.toUpperCase() } : {}) });
}

/** "Ada Lovelace" → first and last; one word is a last name; "Lovelace, Ada" is read the other way. */
function fullName(text: string): Coerced {
  if (text.includes(',')) {
    const [last, first] = text.split(',', 2).map((p) => p.trim());
    return ok({ ...(first ? { first } : {}), last });
  }
  const words = text.split(/\s+/);
  return ok(words.length === 1 ? { last: words[0] } : { first: words.slice(0, -1).join(' '), last: words.at(-1) });
}

export function coerceText(field: Field, raw: string): Coerced {
  const text = raw.trim();
  if (text === '') return ok(null);
  switch (field.type) {
    case 'integer':
    case 'number':
    case 'percent':
    case 'rating':
      return number(text);
    case 'currency':
      return currency(text);
    case 'boolean': {
      const v = text.toLowerCase();
      return YES.has(v) ? ok(true) : NO.has(v) ? ok(false) : no(`"${text}" is not yes or no`);
    }
    case 'date':
      return date(text);
    case 'datetime':
      return datetime(text);
    case 'select': {
      const value = option(field, text);
      return value !== undefined ? ok(value) : no(`"${text}" is not one of the options (${field.options.map((o) => o.value).join(', ')})`);
    }
    case 'multiSelect': {
      const parts = text.split(';').map((p) => p.trim()).filter(Boolean);
      const values = parts.map((p) => option(field, p));
      const missing = parts.find((_, i) => values[i] === undefined);
      return missing !== undefined ? no(`"${missing}" is not one of the options`) : ok(values);
    }
    case 'fullName':
      return fullName(text);
    case 'json':
      try {
        return ok(JSON.parse(text));
      } catch {
        return no('is not valid JSON');
      }
    case 'address':
      return ok({ street: text });
    default:
      return ok(text);
  }
}
