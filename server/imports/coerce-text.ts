/** Cell text → API input value of a field (placeholder until the import work lands its full version). */
import type { Field } from '../metadata/index.ts';

export type Coerced = { ok: true; value: unknown } | { ok: false; detail: string };

export function coerceText(field: Field, text: string): Coerced {
  const t = text.trim();
  if (t === '') return { ok: true, value: null };
  switch (field.type) {
    case 'integer':
    case 'number':
    case 'percent':
    case 'rating': {
      const n = Number(t.replace(/,/g, ''));
      return Number.isFinite(n) && /^[-+]?[\d,]*\.?\d+(e[-+]?\d+)?$/i.test(t) ? { ok: true, value: n } : { ok: false, detail: `"${t}" is not a number` };
    }
    case 'currency': {
      const m = /^([-+]?\d+(?:\.\d+)?)\s*([A-Za-z]{3})?$/.exec(t);
      return m ? { ok: true, value: { amount: m[1], ...(m[2] ? { currency: m[2].toUpperCase() } : {}) } } : { ok: false, detail: `"${t}" is not an amount` };
    }
    case 'boolean': {
      const v = t.toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(v)) return { ok: true, value: true };
      if (['false', 'no', 'n', '0'].includes(v)) return { ok: true, value: false };
      return { ok: false, detail: `"${t}" is not yes or no` };
    }
    case 'select': {
      const o = field.options.find((x) => x.value.toLowerCase() === t.toLowerCase() || x.label?.toLowerCase() === t.toLowerCase());
      return o ? { ok: true, value: o.value } : { ok: false, detail: `"${t}" is not one of the options` };
    }
    case 'multiSelect': {
      const values = t.split(';').map((p) => p.trim()).filter(Boolean);
      const found = values.map((v) => field.options.find((x) => x.value.toLowerCase() === v.toLowerCase() || x.label?.toLowerCase() === v.toLowerCase()));
      const missing = values.find((_, i) => !found[i]);
      return missing ? { ok: false, detail: `"${missing}" is not one of the options` } : { ok: true, value: found.map((o) => o!.value) };
    }
    default:
      return { ok: true, value: t };
  }
}
