/** Structured values stored as sub-documents: postal address, person name and free-form JSON. */
import { pointerToken } from '../../shared/errors.ts';
import { getCountries } from 'libphonenumber-js';
import { converted, defineFieldType, rejected, type Converted, type ValueIssue } from './field-type.ts';
import { PRESENCE_OPERATORS } from './operators.ts';

type Parts = Record<string, string>;

const stringSchema = (maxLength: number): Record<string, unknown> => ({ type: 'string', maxLength });

function partsSchema(limits: Record<string, number>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(limits).map(([key, max]) => [key, stringSchema(max)]));
}

/** Trimmed non-empty strings of the known parts: a blank form input means "no value", not "". */
function pickParts(value: unknown, keys: readonly string[]): Parts {
  const source = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const parts: Parts = {};
  for (const key of keys) {
    const text = typeof source[key] === 'string' ? source[key].trim() : '';
    if (text) parts[key] = text;
  }
  return parts;
}

/** Whole composite values are not compared; parts are filtered elsewhere through their paths. */
const presenceOnly = (detail: string) => (): Converted => rejected(detail);

// ---- address ----------------------------------------------------------------------------------

const ADDRESS_LIMITS = { street: 200, street2: 200, city: 100, region: 100, postalCode: 20, country: 2 };
const ADDRESS_KEYS = Object.keys(ADDRESS_LIMITS);

/**
 * ISO 3166-1 alpha-2 codes. `i18n-iso-countries` is not a dependency; libphonenumber-js (already
 * used for phones) knows every territory with a telephone plan, which is every ISO code except the
 * seven added here (Antarctica, Bouvet, South Georgia, Heard, Pitcairn, French Southern, US Minor
 * Outlying Islands). It also knows AC and TA (ISO "exceptionally reserved" for Ascension
 * and Tristan da Cunha) and XK (the code in general use for Kosovo); they are accepted because real
 * addresses use them. Intl.DisplayNames was not used: it also names regions such as EU and UN.
 */
const COUNTRY_CODES: ReadonlySet<string> = new Set<string>([...getCountries(), 'AQ', 'BV', 'GS', 'HM', 'PN', 'TF', 'UM']);

export const isCountryCode = (code: string): boolean => COUNTRY_CODES.has(code);

const addressSchema = (): Record<string, unknown> => ({
  type: 'object',
  additionalProperties: false,
  properties: { ...partsSchema(ADDRESS_LIMITS), country: { type: 'string', pattern: '^[A-Z]{2}$' } },
});

/** An address with no non-blank part is stored as null, so isNotSet finds it. */
function addressToStored(value: unknown): Converted {
  const parts = pickParts(value, ADDRESS_KEYS);
  if (parts.country !== undefined && !isCountryCode(parts.country)) return rejected('must be an ISO 3166-1 alpha-2 country code such as FR', '/country');
  return converted(Object.keys(parts).length ? parts : null);
}

export const addressType = defineFieldType<'address'>({
  type: 'address',
  source: 'input',
  inputSchema: addressSchema,
  toStored: addressToStored,
  toApi: (stored) => {
    const parts = pickParts(stored, ADDRESS_KEYS);
    return Object.keys(parts).length ? parts : null;
  },
  outputSchema: addressSchema,
  operators: PRESENCE_OPERATORS,
  castOperand: presenceOnly('an address can only be tested with isSet / isNotSet; filter on a part such as address.city'),
  sortSuffix: null,
});

// ---- full name --------------------------------------------------------------------------------

const NAME_KEYS = ['salutation', 'first', 'middle', 'last', 'suffix'] as const;
const NAME_LIMITS = Object.fromEntries(NAME_KEYS.map((key) => [key, 100]));

/** "first middle last": what lists show and search matches; salutation and suffix stay apart. */
const displayName = (parts: Parts): string => [parts.first, parts.middle, parts.last].filter(Boolean).join(' ');

function fullNameToStored(value: unknown): Converted {
  const parts = pickParts(value, NAME_KEYS);
  if (!parts.first && !parts.last) return rejected('must have a first or a last name');
  return converted({ ...parts, display: displayName(parts) });
}

export const fullNameType = defineFieldType<'fullName'>({
  type: 'fullName',
  source: 'input',
  // "At least first or last" is left to toStored: ajv's anyOf errors would not say it plainly.
  // `display` is accepted (and recomputed) so a record read from the API can be sent back as is.
  inputSchema: () => ({ type: 'object', additionalProperties: false, properties: { ...partsSchema(NAME_LIMITS), display: { type: 'string', maxLength: 400 } } }),
  toStored: fullNameToStored,
  // display is recomputed so it always matches the parts returned beside it.
  toApi: (stored) => {
    const parts = pickParts(stored, NAME_KEYS);
    return Object.keys(parts).length ? { ...parts, display: displayName(parts) } : null;
  },
  outputSchema: () => ({ type: 'object', properties: { ...partsSchema(NAME_LIMITS), display: { type: 'string' } }, required: ['display'] }),
  operators: PRESENCE_OPERATORS,
  castOperand: presenceOnly('a full name can only be tested with isSet / isNotSet; filter on a part such as name.last'),
  // People are sorted by last name.
  sortSuffix: '.last',
  // Presence is about the whole name, not just the last name sorting uses.
  matchSuffix: '',
});

// ---- json -------------------------------------------------------------------------------------

// MongoDB allows 100 levels per document; the record and the field itself take some of them.
const MAX_JSON_DEPTH = 90;
const MAX_JSON_BYTES = 64 * 1024;

const escapePointer = pointerToken;

/** MongoDB refuses `$`-prefixed and dotted field names; `__proto__` invites prototype pollution downstream. */
function keyProblem(key: string): string | null {
  if (key.startsWith('$')) return 'keys must not start with "$"';
  if (key.includes('.')) return 'keys must not contain "."';
  return key === '__proto__' ? 'the key "__proto__" is not allowed' : null;
}

/** First forbidden key or over-deep container; recursion is bounded by MAX_JSON_DEPTH. */
function jsonProblem(value: unknown, pointer: string, depth: number): ValueIssue | null {
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_JSON_DEPTH) return { pointer, detail: `must not nest more than ${MAX_JSON_DEPTH} levels` };
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, child] of entries) {
    const childPointer = `${pointer}/${escapePointer(key)}`;
    const problem = Array.isArray(value) ? null : keyProblem(key);
    if (problem) return { pointer: childPointer, detail: problem };
    const nested = jsonProblem(child, childPointer, depth + 1);
    if (nested) return nested;
  }
  return null;
}

function jsonToStored(value: unknown): Converted {
  const problem = jsonProblem(value, '', 0);
  if (problem) return { ok: false, issues: [problem.pointer ? problem : { detail: problem.detail }] };
  // Measured after the depth check, so stringify cannot overflow the stack.
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_JSON_BYTES) return rejected(`must be at most ${MAX_JSON_BYTES / 1024} KiB as JSON`);
  return converted(value);
}

export const jsonType = defineFieldType<'json'>({
  type: 'json',
  source: 'input',
  inputSchema: () => ({ type: ['object', 'array', 'string', 'number', 'boolean'] }),
  toStored: jsonToStored,
  toApi: (stored) => (stored === undefined ? null : stored),
  outputSchema: () => ({ description: 'Any JSON value' }),
  operators: PRESENCE_OPERATORS,
  castOperand: presenceOnly('a JSON field can only be tested with isSet / isNotSet'),
  sortSuffix: null,
});
