/**
 * Text as a person types it in a spreadsheet cell → the API input value of a field (issue 5):
 * what an import reads from a CSV cell, and what a field type conversion reads from an old value.
 * Pure: no I/O, no clock, no time zone. The result still goes through the write pipeline's own
 * validation; this only reads the formats people use ("12.50 GBP", "yes", "31/03/2026",
 * "Ada Lovelace", "a; b") and refuses what it cannot read without guessing.
 *
 * Choices (documented in the import API):
 * - numbers: "." is the decimal point; "," and spaces group thousands ("1,234.5"); "1,5" is refused,
 *   never read as 15;
 * - dates: YYYY-MM-DD, or day first (DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY) unless `dateOrder: 'mdy'`;
 *   two-digit years are refused; a date-time without an offset is UTC;
 * - multi-select values are separated by ";"; select options match by value or label, any case;
 * - relations (and user, many-to-many) are left as text: the importer resolves them in batches.
 */
import type { Field } from '../metadata/index.ts';

export type Coerced = { ok: true; value: unknown } | { ok: false; detail: string };
export type DateOrder = 'dmy' | 'mdy';
export type CoerceOptions = { dateOrder?: DateOrder };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const no = (detail: string): Coerced => ({ ok: false, detail });

const YES = new Set(['true', 'yes', 'y', '1', 'on', 'x', '✓', '✔']);
const NO = new Set(['false', 'no', 'n', '0', 'off']);

/** Digits with optional thousands groups ("1,234,567" or "1 234 567") and decimals. */
const DECIMAL = /^[-+]?(?:\d{1,3}(?:([, \u00a0\u202f])\d{3})(?:\1\d{3})*|\d+)?(?:\.\d+)?(?:e[-+]?\d+)?$/i;

/** The plain decimal text of `text`, or null. */
function decimalText(text: string): string | null {
  if (!/\d/.test(text) || !DECIMAL.test(text)) return null;
  // "-.5" → "-0.5": amounts are exact decimal text, which needs a whole part.
  return text.replace(/[, \u00a0\u202f]/g, '').replace(/^\+/, '').replace(/^(-?)\./, '$10.');
}

function number(text: string, percent = false): Coerced {
  const clean = decimalText(percent ? text.replace(/\s*%$/, '') : text);
  return clean === null ? no(`"${text}" is not a number`) : ok(Number(clean));
}

/** Whole stars ("★★★") are a rating too. */
function rating(text: string): Coerced {
  return /^★+$/.test(text) ? ok([...text].length) : number(text);
}

const SYMBOLS: Record<string, string> = { '£': 'GBP', '€': 'EUR', '¥': 'JPY', '₹': 'INR', $: 'USD' };
const DOLLARS = new Set(['USD', 'AUD', 'CAD', 'NZD', 'HKD', 'SGD', 'MXN']);

/** "12.50", "12.50 GBP", "GBP 12.50", "£12.50", "-1,234.00 EUR": amount as exact text, code if given. */
function currency(field: Extract<Field, { type: 'currency' }>, text: string): Coerced {
  const m = /^([A-Za-z]{3})?\s*([-+]?)\s*([£€¥₹$])?\s*([-+]?[\d., \u00a0\u202f]*\d)\s*([A-Za-z]{3})?$/.exec(text);
  const amount = m ? decimalText(`${m[2]}${m[4]}`) : null;
  if (!m || amount === null || (m[1] && m[5])) return no(`"${text}" is not an amount (e.g. 12.50 or 12.50 GBP)`);
  // "$" is the field's own currency when that is a dollar; a symbol never overrides a written code.
  const symbol = m[3] ? (m[3] === '$' && field.currency && DOLLARS.has(field.currency) ? field.currency : SYMBOLS[m[3]]) : undefined;
  const code = (m[1] ?? m[5])?.toUpperCase();
  if (code && symbol && code !== symbol && !(m[3] === '$' && DOLLARS.has(code))) return no(`"${text}" names two currencies`);
  const currencyCode = code ?? symbol;
  return ok({ amount, ...(currencyCode ? { currency: currencyCode } : {}) });
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return d <= days;
}

const pad = (n: string): string => n.padStart(2, '0');

/** The YYYY-MM-DD of the date at the start of `text`, and what follows it; null if it is not a date. */
function readDate(text: string, order: DateOrder): { date: string; rest: string } | null {
  let y: string, mo: string, d: string;
  const iso = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(.*)$/.exec(text);
  const local = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(.*)$/.exec(text);
  let rest: string;
  if (iso) [, y, mo, d, rest] = iso as unknown as [string, string, string, string, string];
  else if (local) {
    const [, a, b, year, tail] = local as unknown as [string, string, string, string, string];
    [y, mo, d, rest] = order === 'mdy' ? [year, a, b, tail] : [year, b, a, tail];
  } else return null;
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) return null;
  return { date: `${y}-${pad(mo)}-${pad(d)}`, rest };
}

const dateHint = (order: DateOrder) => (order === 'mdy' ? 'YYYY-MM-DD or MM/DD/YYYY' : 'YYYY-MM-DD or DD/MM/YYYY');

function date(text: string, order: DateOrder): Coerced {
  const read = readDate(text, order);
  // A date-time in a date column keeps the calendar day it was written with.
  if (!read || !(read.rest === '' || /^[T ]\d{1,2}:\d{2}/.test(read.rest))) return no(`"${text}" is not a date (use ${dateHint(order)})`);
  return ok(read.date);
}

/** Time and offset after the date: "T09:30", " 09:30:15.250+01:00", "T09:30Z". */
const TIME = /^[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function datetime(text: string, order: DateOrder): Coerced {
  const read = readDate(text, order);
  const time = read && read.rest !== '' ? TIME.exec(read.rest) : null;
  if (!read || (read.rest !== '' && !time)) return no(`"${text}" is not a date and time (use ISO 8601, e.g. 2026-03-31T09:30:00Z; without an offset it is UTC)`);
  if (!time) return ok(`${read.date}T00:00:00Z`);
  const [, h, mi, s = '00', frac = '', offset = 'Z'] = time as unknown as [string, string, string, string?, string?, string?];
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return no(`"${text}" is not a time of day`);
  const zone = offset.toUpperCase() === 'Z' ? 'Z' : offset.length === 3 ? `${offset}:00` : offset.includes(':') ? offset : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  return ok(`${read.date}T${pad(h)}:${mi}:${s}${frac}${zone}`);
}

function option(field: Extract<Field, { type: 'select' | 'multiSelect' }>, text: string): string | undefined {
  const t = text.trim().toLowerCase();
  return field.options.find((o) => o.value.toLowerCase() === t)?.value ?? field.options.find((o) => (o.label ?? '').toLowerCase() === t)?.value;
}

const optionList = (field: Extract<Field, { type: 'select' | 'multiSelect' }>): string => field.options.filter((o) => !o.retired).map((o) => o.value).join(', ');

function multiSelect(field: Extract<Field, { type: 'multiSelect' }>, text: string): Coerced {
  const parts = text.split(';').map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return ok(null);
  const values = parts.map((p) => option(field, p));
  const missing = parts.find((_, i) => values[i] === undefined);
  return missing !== undefined ? no(`"${missing}" is not one of the options (${optionList(field)})`) : ok([...new Set(values)]);
}

/** "Ada Lovelace" → first and last; one word is a last name; "Lovelace, Ada" is read the other way. */
function fullName(text: string): Coerced {
  if (text.includes(',')) {
    const [last, first] = text.split(',', 2).map((p) => p.trim());
    return ok({ ...(first ? { first } : {}), ...(last ? { last } : {}) });
  }
  const words = text.split(/\s+/);
  return ok(words.length === 1 ? { last: words[0] } : { first: words.slice(0, -1).join(' '), last: words.at(-1) });
}

/** "www.acme.com" is what people keep in spreadsheets; the field stores absolute URLs. */
function url(text: string): Coerced {
  return ok(/^[a-z][a-z0-9+.-]*:/i.test(text) || !/^[\w-]+(\.[\w-]+)+([/?#:]|$)/.test(text) ? text : `https://${text}`);
}

function json(text: string): Coerced {
  try {
    return ok(JSON.parse(text));
  } catch {
    return no(`"${text.length > 40 ? `${text.slice(0, 40)}…` : text}" is not valid JSON`);
  }
}

/** The API input value of `field` written as `raw`; an empty cell is null (no value). */
export function coerceText(field: Field, raw: string, options: CoerceOptions = {}): Coerced {
  const text = raw.trim();
  if (text === '') return ok(null);
  const order = options.dateOrder ?? 'dmy';
  switch (field.type) {
    case 'integer':
    case 'number':
      return number(text);
    case 'percent':
      return number(text, true);
    case 'rating':
      return rating(text);
    case 'currency':
      return currency(field, text);
    case 'boolean': {
      const v = text.toLowerCase();
      return YES.has(v) ? ok(true) : NO.has(v) ? ok(false) : no(`"${text}" is not yes or no`);
    }
    case 'date':
      return date(text, order);
    case 'datetime':
      return datetime(text, order);
    case 'select': {
      const value = option(field, text);
      return value !== undefined ? ok(value) : no(`"${text}" is not one of the options (${optionList(field)})`);
    }
    case 'multiSelect':
      return multiSelect(field, text);
    case 'fullName':
      return fullName(text);
    case 'url':
      return url(text);
    case 'json':
      return json(text);
    case 'address':
      return ok({ street: text });
    default:
      return ok(text);
  }
}

/** One part of a composite field (address.city, name.first) from its own column. */
export function coercePart(field: Field, part: string, raw: string): Coerced {
  const text = raw.trim();
  if (text === '') return ok(null);
  return ok(field.type === 'address' && part === 'country' ? text.toUpperCase() : text);
}
