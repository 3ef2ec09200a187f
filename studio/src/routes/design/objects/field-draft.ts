/** A field being edited: made from a type, cleaned into a definition, and the server's errors mapped onto its controls. */
import { ApiError } from '../../../lib/api/problem.ts';
import { typeInfo } from './field-types.ts';

export type Draft = Record<string, unknown>;
/** Errors by control key (`pattern`, `options/0/value`); `''` holds what names no control. */
export type Errors = Record<string, string>;

const COMMON = ['name', 'type', 'label', 'description', 'helpText', 'required', 'requiredWhen', 'unique', 'readOnly', 'default'];

/** "Due date" → "dueDate": the api name offered for a label. */
export function nameFrom(label: string): string {
  const words = label.normalize('NFKD').replace(/[^A-Za-z0-9 ]+/g, ' ').trim().split(/\s+/).filter(Boolean);
  const name = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[a-z]/.test(name) ? name.slice(0, 63) : name ? `f${name}`.slice(0, 63) : '';
}

export function newDraft(type: string): Draft {
  return { type, label: '', name: '', ...structuredClone(typeInfo(type).initial ?? {}) };
}

/** The same field with another type: what every type shares is kept, the new type's required settings added. */
export function withType(draft: Draft, type: string): Draft {
  const kept = Object.fromEntries(Object.entries(draft).filter(([k]) => COMMON.includes(k) && k !== 'default' && k !== 'unique'));
  const info = typeInfo(type);
  if (info.computed) delete kept.required;
  return { ...kept, ...structuredClone(info.initial ?? {}), type };
}

const empty = (v: unknown) => v === undefined || v === null || v === '' || v === false || (typeof v === 'number' && Number.isNaN(v));

/** The definition to send: only the keys the type has, with blanks left out. */
export function cleanField(draft: Draft): Draft {
  const info = typeInfo(String(draft.type));
  const allowed = new Set([...COMMON, ...info.controls.map((c) => c.key)]);
  const out: Draft = {};
  for (const [k, v] of Object.entries(draft)) if (allowed.has(k) && !empty(v)) out[k] = v;
  if (!info.unique) delete out.unique;
  if (info.computed) for (const k of ['required', 'requiredWhen', 'default']) delete out[k];
  return out;
}

/** Errors whose pointer starts with `prefix` (`/fields/3`, `/to`), by the rest of the pointer; others under `''`. */
export function errorsAt(err: unknown, prefix: string): Errors {
  if (!(err instanceof ApiError)) return { '': err instanceof Error ? err.message : String(err) };
  const out: Errors = {};
  for (const e of err.errors) {
    const key = e.pointer === prefix ? '' : e.pointer.startsWith(`${prefix}/`) ? e.pointer.slice(prefix.length + 1) : '';
    out[key] = out[key] ? `${out[key]}; ${e.detail}` : e.detail;
  }
  if (!err.errors.length) out[''] = err.message;
  return out;
}

/** The errors no shown control names (`shown`: the keys of the controls on screen), for the banner. */
export function leftover(errors: Errors, shown: string[]): string[] {
  return Object.entries(errors).filter(([k]) => !shown.some((s) => k === s || k.startsWith(`${s}/`)) || k === '').map(([k, v]) => (k ? `${k}: ${v}` : v));
}
