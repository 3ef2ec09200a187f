/** Text-like field types: text, long text, rich text, email, phone, url. */
import sanitizeHtml from 'sanitize-html';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { converted, defineFieldType, rejected, type Converted } from './field-type.ts';
import { MAX_OPERAND_LENGTH, TEXT_OPERATORS } from './operators.ts';
import type { Length } from '../entity.types.ts';

const DEFAULT_MAX = { text: 255, longText: 32_000, richText: 100_000 };

function lengthSchema(field: Length, defaultMax: number): Record<string, unknown> {
  return { type: 'string', ...(field.minLength !== undefined ? { minLength: field.minLength } : {}), maxLength: field.maxLength ?? defaultMax };
}

export function stringOperand(value: unknown): Converted {
  if (typeof value !== 'string') return rejected('must be a string');
  if (value.length > MAX_OPERAND_LENGTH) return rejected(`must be at most ${MAX_OPERAND_LENGTH} characters`);
  return converted(value);
}

const asString = (stored: unknown): unknown => (typeof stored === 'string' ? stored : null);

const plain = { toApi: asString, operators: TEXT_OPERATORS, castOperand: stringOperand, sortSuffix: '', source: 'input' as const };

export const textType = defineFieldType<'text'>({
  ...plain,
  type: 'text',
  // The pattern was checked for catastrophic backtracking when the field was saved.
  inputSchema: (f) => ({ ...lengthSchema(f, DEFAULT_MAX.text), ...(f.pattern ? { pattern: f.pattern } : {}) }),
  toStored: (v) => converted(v),
  outputSchema: () => ({ type: 'string' }),
});

export const longTextType = defineFieldType<'longText'>({
  ...plain,
  type: 'longText',
  inputSchema: (f) => lengthSchema(f, DEFAULT_MAX.longText),
  toStored: (v) => converted(v),
  outputSchema: () => ({ type: 'string' }),
  sortSuffix: null,
});

/** Formatting tags only: no scripts, styles, event handlers, iframes or javascript: links. */
const RICH_TEXT_POLICY: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'blockquote', 'code', 'pre', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'a', 'span', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'title', 'target', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer' }) },
};

export const richTextType = defineFieldType<'richText'>({
  ...plain,
  type: 'richText',
  inputSchema: (f) => lengthSchema(f, DEFAULT_MAX.richText),
  toStored: (v) => converted(sanitizeHtml(v as string, RICH_TEXT_POLICY)),
  outputSchema: () => ({ type: 'string', contentMediaType: 'text/html' }),
  sortSuffix: null,
});

export const emailType = defineFieldType<'email'>({
  ...plain,
  type: 'email',
  inputSchema: () => ({ type: 'string', format: 'email', maxLength: 254 }),
  // Addresses are matched case-insensitively everywhere (duplicates, sign-in), so they are stored lower case.
  toStored: (v) => converted((v as string).trim().toLowerCase()),
  outputSchema: () => ({ type: 'string', format: 'email' }),
  castOperand: (v) => {
    const r = stringOperand(v);
    return r.ok ? converted((r.value as string).trim().toLowerCase()) : r;
  },
});

function toE164(value: string, defaultCountry?: string): string | null {
  const parsed = parsePhoneNumberFromString(value, defaultCountry as CountryCode | undefined);
  return parsed && parsed.isValid() ? parsed.number : null;
}

export const phoneType = defineFieldType<'phone'>({
  ...plain,
  type: 'phone',
  inputSchema: () => ({ type: 'string', minLength: 3, maxLength: 40 }),
  toStored: (v, f) => {
    const e164 = toE164(v as string, f.defaultCountry);
    return e164 ? converted(e164) : rejected(f.defaultCountry ? 'must be a valid phone number' : 'must be a valid phone number in international form (+country code)');
  },
  outputSchema: () => ({ type: 'string', description: 'E.164, e.g. +442071838750' }),
  castOperand: (v, f) => {
    const r = stringOperand(v);
    if (!r.ok) return r;
    return converted(toE164(r.value as string, f.defaultCountry) ?? r.value);
  },
});

export const urlType = defineFieldType<'url'>({
  ...plain,
  type: 'url',
  inputSchema: () => ({ type: 'string', minLength: 1, maxLength: 2048 }),
  toStored: (v) => {
    let url: URL;
    try {
      url = new URL((v as string).trim());
    } catch {
      return rejected('must be an absolute http or https URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return rejected('must be an absolute http or https URL');
    return converted(url.href);
  },
  outputSchema: () => ({ type: 'string', format: 'uri' }),
});
