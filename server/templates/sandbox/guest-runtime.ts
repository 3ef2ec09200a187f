/**
 * The code run in the render isolate after the Handlebars runtime (issue 7): the locale helpers,
 * the partial depth cap, and the two entries the worker calls, `__define` (a precompiled spec,
 * evaluated once per version) and `__render` (JSON in, JSON out). Only plain data crosses into the
 * isolate, so even a template that got past Handlebars' prototype checks would find nothing of
 * the server's there: no require, no process, no database.
 */

/** The helpers templates may call; the precompiler refuses any other (knownHelpersOnly). */
export const HELPER_NAMES = [
  'formatDate', 'formatTime', 'formatDateTime', 'formatNumber', 'formatCurrency', 'formatPercent', 'plural',
  'eq', 'ne', 'lt', 'gt', 'lte', 'gte', 'and', 'or', 'not', 'default', 'upper', 'lower',
] as const;

/** Prefix of the errors the guest raises on purpose; the worker turns `code` into a problem. */
export const GUEST_ERROR = 'RAPPORT:';

export const guestRuntime = (maxPartialDepth: number): string => `'use strict';
(function () {
const H = Handlebars;
const fail = (code, message) => { throw new Error(${JSON.stringify(GUEST_ERROR)} + code + ':' + message); };
const templates = new Map();
// Handlebars refuses prototype properties (allowProtoPropertiesByDefault and
// allowProtoMethodsByDefault are left unset, which means false) and logs each refusal: here the
// log is an error, so a template reading one fails with a clear problem instead of printing "".
// (Set explicitly to false, Handlebars would refuse silently.)
const log = H.logger.log;
H.logger.log = function (level, message) {
  const denied = /^Handlebars: Access has been denied to resolve the property "([^"]*)"/.exec(String(message));
  if (denied) fail('unsafe-access', 'the template tried to read "' + denied[1] + '", which is not a field of its data');
  return log.apply(this, arguments);
};
// The data is plain JSON: anything found but not an own property came from a prototype.
H.registerHelper('lookup', function (obj, field, options) {
  if (!obj) return obj;
  if (obj[field] !== undefined && obj[field] !== null && !Object.prototype.hasOwnProperty.call(obj, field)) {
    fail('unsafe-access', 'the template tried to look up "' + String(field) + '", which is not a field of its data');
  }
  return options.lookupProperty(obj, field);
});
let depth = 0;
const invokePartial = H.VM.invokePartial;
// Every {{> partial}} (inline ones too) passes here: recursion stops at the cap with a clear error.
H.VM.invokePartial = function (partial, context, options) {
  if (depth >= ${maxPartialDepth}) fail('partial-depth', 'partials are nested more than ${maxPartialDepth} deep (does a partial include itself?)');
  depth++;
  try { return invokePartial.call(this, partial, context, options); } finally { depth--; }
};

// {{#each}} checks its output as it grows, so a loop making far too much stops early, before
// it has used the isolate's memory (the total is checked again after each part).
let maxOutput = Infinity;
const tooLarge = () => fail('output-too-large', 'the output is larger than ' + maxOutput + ' characters');
const each = H.helpers.each;
H.registerHelper('each', function (context, options) {
  const fn = options.fn;
  let size = 0;
  const counted = function (item, o) {
    const out = fn(item, o);
    size += out.length;
    if (size > maxOutput) tooLarge();
    return out;
  };
  return each.call(this, context, Object.assign({}, options, { fn: counted }));
});

const DATE_ONLY = /^\\d{4}-\\d{2}-\\d{2}$/;
const args = (list) => { const a = Array.prototype.slice.call(list); const o = a.pop(); return { a, hash: o.hash || {}, data: o.data || {} }; };
const localeOf = (data) => data.locale || 'en';
const zoneOf = (data, value) => (typeof value === 'string' && DATE_ONLY.test(value) ? 'UTC' : data.timeZone || 'UTC');
const toDate = (v) => {
  if (v === null || v === undefined || v === '') return null;
  const d = typeof v === 'number' ? new Date(v) : new Date(String(v));
  return isNaN(d.getTime()) ? null : d;
};
const amountOf = (v) => (v !== null && typeof v === 'object' && 'amount' in v ? v.amount : v);
const numeric = (v) => { const n = amountOf(v); return n === null || n === undefined || n === '' || isNaN(Number(n)) ? null : typeof n === 'string' ? n : Number(n); };
const dateFormat = (style) => function () {
  const { a, hash, data } = args(arguments);
  const d = toDate(a[0]);
  if (!d) return '';
  const o = { timeZone: zoneOf(data, a[0]) };
  if (style.date) o.dateStyle = hash.dateStyle || (typeof a[1] === 'string' ? a[1] : style.date);
  if (style.time) o.timeStyle = hash.timeStyle || (typeof a[1] === 'string' && !style.date ? a[1] : style.time);
  if (style.time && DATE_ONLY.test(String(a[0]))) delete o.timeStyle;
  return new Intl.DateTimeFormat(localeOf(data), o).format(d);
};
const pick = (hash, names) => { const o = {}; for (const n of names) if (hash[n] !== undefined) o[n] = hash[n]; return o; };
const DIGITS = ['minimumFractionDigits', 'maximumFractionDigits', 'minimumIntegerDigits', 'useGrouping'];

const helpers = {
  formatDate: dateFormat({ date: 'medium' }),
  formatTime: dateFormat({ time: 'short' }),
  formatDateTime: dateFormat({ date: 'medium', time: 'short' }),
  formatNumber() {
    const { a, hash, data } = args(arguments);
    const n = numeric(a[0]);
    return n === null ? '' : new Intl.NumberFormat(localeOf(data), pick(hash, DIGITS.concat(['notation']))).format(n);
  },
  formatPercent() {
    const { a, hash, data } = args(arguments);
    const n = numeric(a[0]);
    return n === null ? '' : new Intl.NumberFormat(localeOf(data), Object.assign({ style: 'percent' }, pick(hash, DIGITS))).format(Number(n) / (hash.of100 ? 100 : 1));
  },
  formatCurrency() {
    const { a, hash, data } = args(arguments);
    const v = a[0];
    const n = numeric(v);
    const currency = (v && typeof v === 'object' && v.currency) || (typeof a[1] === 'string' ? a[1] : hash.currency) || data.currency;
    if (n === null) return '';
    if (!currency) fail('render', 'formatCurrency needs a currency: a money value, a second argument or currency="EUR"');
    return new Intl.NumberFormat(localeOf(data), Object.assign({ style: 'currency', currency: String(currency) }, pick(hash, DIGITS.concat(['currencyDisplay'])))).format(n);
  },
  /** {{plural count one="# item" other="# items"}}: the locale's plural category; # is the count, formatted. */
  plural() {
    const { a, hash, data } = args(arguments);
    const n = Number(amountOf(a[0])) || 0;
    const category = n === 0 && hash.zero !== undefined ? 'zero' : new Intl.PluralRules(localeOf(data)).select(n);
    const text = hash[category] !== undefined ? hash[category] : hash.other !== undefined ? hash.other : '';
    return String(text).split('#').join(new Intl.NumberFormat(localeOf(data)).format(n));
  },
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  gt: (a, b) => a > b,
  lte: (a, b) => a <= b,
  gte: (a, b) => a >= b,
  and() { const { a } = args(arguments); return a.every(Boolean); },
  or() { const { a } = args(arguments); return a.some(Boolean); },
  not: (a) => !a,
  default() { const { a } = args(arguments); return a[0] === null || a[0] === undefined || a[0] === '' ? a[1] : a[0]; },
  upper: (v) => (v === null || v === undefined ? '' : String(v).toLocaleUpperCase()),
  lower: (v) => (v === null || v === undefined ? '' : String(v).toLocaleLowerCase()),
};
for (const name of Object.keys(helpers)) H.registerHelper(name, helpers[name]);

globalThis.__define = (key, spec) => { templates.set(key, H.template(spec)); };
globalThis.__defined = (key) => templates.has(key);
/** payload: { parts: {part: key}, partials: {html|text: {name: key}}, context, data, maxOutput } → JSON {part: output}. */
globalThis.__render = (json) => {
  const p = JSON.parse(json);
  maxOutput = p.maxOutput;
  const out = {};
  let size = 0;
  for (const part of Object.keys(p.parts)) {
    const variant = part === 'html' ? 'html' : 'text';
    const partials = {};
    for (const name of Object.keys(p.partials[variant] || {})) partials[name] = templates.get(p.partials[variant][name]);
    depth = 0;
    H.resetLoggedPropertyAccesses();
    const text = templates.get(p.parts[part])(p.context, { partials, data: p.data });
    size += text.length;
    if (size > maxOutput) tooLarge();
    out[part] = text;
  }
  return JSON.stringify(out);
};
})();
`;
