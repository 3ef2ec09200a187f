/**
 * How a stored value of a field becomes a value of the field's new type (issue 5): the value is
 * read in its API form, turned into input for the new type (structurally where the types are
 * related, such as select → multi-select or number → currency; otherwise through its text, the
 * way an import reads a cell), and checked by the write pipeline's own input step against the
 * new field. So a converted value is exactly what a user could have saved; anything else fails
 * with the reason the API would have given.
 */
import { ObjectId, type Document } from 'mongodb';
import { compileEntity, fieldTypeOf, type CompiledEntity, type Field } from '../../metadata/index.ts';
import type { ReadContext } from '../../records/index.ts';
import { checkInput } from '../../records/validate-input.ts';
import { Problem } from '../../shared/errors.ts';
import { coerceText } from '../../imports/coerce-text.ts';

export type Outcome = { ok: true; value: unknown } | { ok: false; reason: string };
export type Converter = (batch: Document[]) => Promise<Outcome[]>;

/** Types a field can be converted to: those whose values users enter. */
const TARGETS = new Set(['text', 'longText', 'richText', 'email', 'phone', 'url', 'integer', 'number', 'currency', 'percent', 'boolean', 'date', 'datetime', 'select', 'multiSelect', 'rating', 'json', 'address', 'fullName', 'user', 'relation']);
const NUMERIC = new Set(['integer', 'number', 'percent', 'rating']);

/** Why this conversion cannot be made, with the pointer of the part of the request at fault; null if it can. */
export function refusal(from: Field, to: Field, match: string | undefined, target: CompiledEntity | undefined): { pointer: string; detail: string } | null {
  if (from.type === to.type) return { pointer: '/to/type', detail: `is already ${from.type}` };
  if (!TARGETS.has(from.type) || from.type === 'relation') return { pointer: '/to/type', detail: `a ${from.type} field cannot be converted` };
  if (!TARGETS.has(to.type)) return { pointer: '/to/type', detail: `fields cannot be converted to ${to.type}` };
  if (to.unique) return { pointer: '/to/unique', detail: 'add the unique constraint after the conversion, when any duplicates can be listed' };
  if (match !== undefined && to.type !== 'relation') return { pointer: '/match', detail: 'is only for conversions to a relation' };
  if (to.type === 'relation' && match !== undefined) {
    const field = target?.fields.get(match);
    if (!field || !['text', 'email', 'phone', 'url', 'autonumber', 'integer', 'select'].includes(field.type)) {
      return { pointer: '/match', detail: `must name a text-like field of ${to.type === 'relation' ? to.target : 'the target'}` };
    }
  }
  return null;
}

/** A value's API form as the text a person would type for it. */
export function textOf(api: unknown): string {
  if (typeof api === 'string') return api;
  if (typeof api === 'number' || typeof api === 'boolean') return String(api);
  if (Array.isArray(api)) return api.map(textOf).join('; ');
  if (api && typeof api === 'object') {
    const o = api as Record<string, unknown>;
    if (typeof o.amount === 'string' && typeof o.currency === 'string') return `${o.amount} ${o.currency}`;
    const parts = Object.values(o).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    return parts.length ? parts.join(o.street !== undefined || o.city !== undefined ? ', ' : ' ') : JSON.stringify(api);
  }
  return JSON.stringify(api);
}

/** Input for `to` from a value of `from`, where the two types are related; undefined to go through text. */
function structural(from: Field, to: Field, api: unknown): unknown {
  if (to.type === 'json') return api;
  if (to.type === 'multiSelect' && from.type === 'select') return [api];
  if (to.type === 'select' && Array.isArray(api)) return api.length === 1 ? api[0] : { invalid: `has ${api.length} choices; a single select takes one` };
  if (to.type === 'currency' && typeof api === 'number') return { amount: String(api) };
  if (NUMERIC.has(to.type) && from.type === 'currency' && api && typeof api === 'object') return { text: (api as { amount: string }).amount };
  return undefined;
}

export function createConverter(deps: { ctx: ReadContext; entity: CompiledEntity; from: Field; to: Field; match?: string }): Converter {
  const { ctx, entity, from, to } = deps;
  // A one-field entity holding the new field as a client could write it: checkInput on it is the pipeline's own check.
  const checker = compileEntity({ definition: { ...entity.definition, fields: [{ ...to, readOnly: false, required: false, default: undefined } as Field], searchFields: [], titleField: undefined, indexes: [] }, version: 0, metadataVersion: 0 });
  const fromHandler = fieldTypeOf(from);

  function check(input: unknown): Outcome {
    try {
      const { set } = checkInput(checker, { [to.name]: input });
      return to.name in set ? { ok: true, value: set[to.name] } : { ok: false, reason: 'becomes empty' };
    } catch (err) {
      if (err instanceof Problem) return { ok: false, reason: err.errors?.[0]?.detail ?? err.detail ?? err.title };
      throw err;
    }
  }

  function fromText(text: string): Outcome {
    const coerced = coerceText(to, text);
    return coerced.ok ? check(coerced.value) : { ok: false, reason: coerced.detail };
  }

  async function relationIds(texts: string[]): Promise<Map<string, ObjectId | 'ambiguous'>> {
    const target = to.type === 'relation' ? ctx.registry.get(to.target) : undefined;
    const found = new Map<string, ObjectId | 'ambiguous'>();
    if (!target) return found;
    const matchField = deps.match ? target.fields.get(deps.match) : undefined;
    const operands = texts.map((t) => {
      if (!matchField) return t;
      const cast = fieldTypeOf(matchField).castOperand(t, matchField);
      return cast.ok ? cast.value : t;
    });
    const key = deps.match ?? '_id';
    const filter = key === '_id' ? { _id: { $in: texts.filter((t) => /^[0-9a-f]{24}$/.test(t)).map((t) => new ObjectId(t)) } } : { [key]: { $in: operands } };
    for (const doc of await ctx.db.collection(target.collection).find({ ...filter, _deleting: { $exists: false } }, { projection: { [key]: 1 } }).toArray()) {
      const k = key === '_id' ? (doc._id as ObjectId).toHexString() : String(doc[key]);
      found.set(k, found.has(k) ? 'ambiguous' : (doc._id as ObjectId));
    }
    // Operands were cast (an email lower-cased...): look them up by the text they came from.
    return new Map(texts.map((t, i) => [t, found.get(String(key === '_id' ? t : operands[i]))!]));
  }

  return async (batch) => {
    const apis = batch.map((doc) => fromHandler.toApi(doc[from.name], from));
    if (to.type === 'relation') {
      const texts = apis.map((a) => textOf(a).trim());
      const ids = await relationIds([...new Set(texts)]);
      return texts.map((t) => {
        const id = ids.get(t);
        if (id === 'ambiguous') return { ok: false, reason: `"${t}" matches more than one ${to.target}` };
        return id ? check(id.toHexString()) : { ok: false, reason: `no ${to.target} has ${deps.match ?? 'the id'} "${t}"` };
      });
    }
    return apis.map((api) => {
      const input = structural(from, to, api);
      if (input === undefined) return fromText(textOf(api));
      if (input && typeof input === 'object' && 'invalid' in input) return { ok: false, reason: String(input.invalid) };
      if (input && typeof input === 'object' && 'text' in input) return fromText(String(input.text));
      return check(input);
    });
  };
}
