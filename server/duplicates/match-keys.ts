/**
 * Match keys (issue 5): what a duplicate rule compares. Each rule field's stored value is turned
 * into a comparable text (exact: the stored value; normalised: per field type, below), and the
 * rule's texts into one key stored on the record as `_dupkeys.<rule>`, with an index, so a check
 * is one indexed equality lookup and a scan one $group. The key is a hash of the rule's field list
 * and the texts: it holds no personal data in clear, and a key made under an earlier version of
 * the rule never equals one made under the current version.
 */
import { createHash } from 'node:crypto';
import { ObjectId, type Document } from 'mongodb';
import type { CompiledEntity, Field } from '../metadata/index.ts';
import type { DuplicateRuleField } from './duplicate-rule.types.ts';

export type MatchMode = 'exact' | 'normalised';
export type RuleField = { field: string; match: MatchMode };

/** Field types a rule may compare; composite ones by one part or as a whole. */
const SUPPORTED = new Set(['text', 'longText', 'email', 'phone', 'url', 'select', 'integer', 'number', 'date', 'fullName', 'address', 'relation', 'user']);
export const PARTS: Readonly<Record<string, readonly string[]>> = {
  fullName: ['salutation', 'first', 'middle', 'last', 'suffix'],
  address: ['street', 'street2', 'city', 'region', 'postalCode', 'country'],
};

/** Accents, case, spaces and punctuation do not count: "José  García" = "jose-garcia", "SW1A 1AA" = "sw1a1aa". */
export const foldText = (text: string): string =>
  text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

const normaliseUrl = (url: string): string =>
  url.trim().toLowerCase().replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^www\./, '').replace(/\/+$/, '');

function scalarText(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (value instanceof ObjectId) return value.toHexString();
  if (value instanceof Date) return value.toISOString();
  // Decimal128 (number fields) prints its exact value; no other object is a scalar.
  if (typeof value === 'object') return '_bsontype' in value ? String(value) : null;
  return String(value);
}

/** The comparable text of one rule field of a stored record, or null when it is blank. */
export function fieldText(entity: CompiledEntity, ruleField: RuleField, doc: Document): string | null {
  const [name, part] = ruleField.field.split('.') as [string, string | undefined];
  const field = entity.fields.get(name);
  if (!field) return null;
  const stored = doc[name] as unknown;
  const raw = part !== undefined ? (stored as Record<string, unknown> | null | undefined)?.[part] : compositeText(field, stored);
  const text = scalarText(raw);
  if (text === null) return null;
  const result = ruleField.match === 'exact' ? text : normalise(field, part, text);
  return result === '' ? null : result;
}

function compositeText(field: Field, stored: unknown): unknown {
  if (!stored || typeof stored !== 'object') return stored;
  if (field.type === 'fullName') return (stored as { display?: unknown }).display;
  if (field.type === 'address') return PARTS.address!.map((p) => (stored as Record<string, unknown>)[p] ?? '').join('|').replace(/^\|+$/, '');
  return stored;
}

function normalise(field: Field, part: string | undefined, text: string): string {
  if (part === 'country') return text.toUpperCase();
  if (part !== undefined) return foldText(text);
  switch (field.type) {
    case 'email':
      return text.trim().toLowerCase();
    case 'phone':
      return text.replace(/\D/g, '');
    case 'url':
      return normaliseUrl(text);
    case 'text':
    case 'longText':
    case 'fullName':
    case 'address':
      return foldText(text);
    default:
      return text;
  }
}

/** Why a rule field cannot be used with this entity, or null. */
export function ruleFieldProblem(entity: CompiledEntity, path: string): string | null {
  const [name, part] = path.split('.') as [string, string | undefined];
  const field = entity.fields.get(name);
  if (!field) return `is not a field of ${entity.name}`;
  if (!SUPPORTED.has(field.type)) return `is a ${field.type} field; a duplicate rule compares text, e-mail, phone, URL, select, number, date, name, address, relation or user fields`;
  const parts = PARTS[field.type];
  if (part !== undefined && !parts) return `${name} has no parts`;
  if (part !== undefined && !parts!.includes(part)) return `${part} is not a part of ${name}; use one of ${parts!.join(', ')}`;
  return null;
}

export const withDefaults = (fields: DuplicateRuleField[]): RuleField[] => fields.map((f) => ({ field: f.field, match: f.match ?? 'normalised' }));

/** What the key of a rule depends on: its fields and how each is matched. */
export const signatureOf = (fields: readonly RuleField[]): string => fields.map((f) => `${f.field}:${f.match}`).join(',');

/** The rule's key for a stored record, or null when a field of the rule is blank (such a record matches nothing). */
export function matchKey(entity: CompiledEntity, fields: readonly RuleField[], doc: Document): string | null {
  const texts: string[] = [];
  for (const f of fields) {
    const text = fieldText(entity, f, doc);
    if (text === null) return null;
    texts.push(text);
  }
  return createHash('sha256').update(JSON.stringify([signatureOf(fields), texts])).digest('base64url').slice(0, 22);
}

/** The record fields a rule reads (its fields' top-level names): what a key rebuild loads. */
export const fieldsRead = (fields: readonly RuleField[]): string[] => [...new Set(fields.map((f) => f.field.split('.')[0]!))];

export const keyPath = (rule: string): string => `_dupkeys.${rule}`;
