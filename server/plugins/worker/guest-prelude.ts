/**
 * The code run in every plugin isolate before the plugin's own: it builds the `rapport` SDK and
 * `console` from the host's SDK entry ($0, a Reference whose calls return promises) and log
 * callback ($1), both kept in this closure only, where plugin code cannot reach them,
 * and the `invoke` entry the worker calls. Values cross as JSON text: a plugin's getters, proxies
 * or cycles run (or fail) inside its own isolate, never in the host.
 */
/** What start() returns when the handler's answer is a promise. */
export const PENDING = '\u0000pending';

export const GUEST_PRELUDE = `'use strict';
const PENDING = ${JSON.stringify(PENDING)};
const hostCall = $0;
const hostLog = $1;
const module = { exports: {} };
const call = async (method, args) => JSON.parse(await hostCall.apply(undefined, [String(method), JSON.stringify(args)], { result: { promise: true, copy: true } }));
const text = (args) => args.map((a) => { try { return typeof a === 'string' ? a : JSON.stringify(a); } catch { return String(a); } }).join(' ');
const freeze = (o) => Object.freeze(o);
globalThis.module = module;
globalThis.exports = module.exports;
globalThis.console = freeze({
  log: (...a) => hostLog('log', text(a)),
  info: (...a) => hostLog('log', text(a)),
  warn: (...a) => hostLog('warn', text(a)),
  error: (...a) => hostLog('error', text(a)),
});
globalThis.rapport = freeze({
  records: freeze({
    get: (entity, id) => call('records.get', [entity, id]),
    find: (entity, query) => call('records.find', [entity, query ?? {}]),
    count: (entity, query) => call('records.count', [entity, query ?? {}]),
    create: (entity, values) => call('records.create', [entity, values]),
    update: (entity, id, values) => call('records.update', [entity, id, values]),
  }),
  http: freeze({ fetch: (url, init) => call('http.fetch', [url, init ?? {}]) }),
  email: freeze({ send: (message) => call('email.send', [message ?? {}]) }),
  settings: () => call('settings', []),
});
const out = (result) => (result === undefined ? 'null' : JSON.stringify(result));
let pending = null;
// A handler that answers at once is answered in one synchronous call; one that returns a promise
// leaves it here for finish(), which the host awaits.
const start = (handler, payload) => {
  const fn = module.exports[handler];
  if (typeof fn !== 'function') throw new Error('the plugin exports no function ' + handler);
  const result = fn(JSON.parse(payload));
  if (result === null || (typeof result !== 'object' && typeof result !== 'function') || typeof result.then !== 'function') return out(result);
  pending = Promise.resolve(result).then(out);
  return PENDING;
};
const finish = () => {
  const p = pending;
  pending = null;
  return p;
};
return { start, finish };
`;
