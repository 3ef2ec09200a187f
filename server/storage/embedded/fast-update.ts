/**
 * The common updates ($set, $unset, $inc on plain object paths, and $pull of the embedded
 * documents a simple condition matches, as the outbox dispatcher sends after every delivery)
 * applied copy-on-write: only the objects along each path are copied, the rest is shared with the
 * stored (immutable) version. Anything else — arrays on the path, positional operators,
 * non-number $inc, a $pull condition or element the fast matcher cannot decide — is left to mingo
 * (returns undefined), which deep-clones and implements the full semantics.
 */
import { compareBson, isPlainObject } from './bson-values.ts';
import type { Doc } from './collection-store.ts';
import { compileFastFilter, type FastTest } from './fast-match.ts';

const FAST_OPERATORS = new Set(['$set', '$unset', '$inc', '$pull']);

type Change = { parts: string[]; apply: (current: unknown) => { value: unknown } | 'unset' | 'unchanged' | 'fallback' };

export function fastUpdate(doc: Doc, ops: Doc): Doc | undefined {
  const changes: Change[] = [];
  for (const [op, fields] of Object.entries(ops)) {
    if (!FAST_OPERATORS.has(op) || !isPlainObject(fields)) return undefined;
    for (const [path, arg] of Object.entries(fields)) {
      const parts = path.split('.');
      if (parts.some((p) => p === '' || p.startsWith('$') || /^\d+$/.test(p))) return undefined;
      changes.push({ parts, apply: changeFor(op, arg) });
    }
  }
  let next: Doc = doc;
  for (const change of changes) {
    const updated = applyAt(next, change.parts, change.apply);
    if (updated === undefined) return undefined;
    next = updated;
  }
  return next;
}

function changeFor(op: string, arg: unknown): Change['apply'] {
  if (op === '$set') return (current) => (current !== undefined && sameValue(current, arg) ? 'unchanged' : { value: arg });
  if (op === '$unset') return (current) => (current === undefined ? 'unchanged' : 'unset');
  if (op === '$pull') return pullMatching(arg);
  return (current) => {
    if (typeof arg !== 'number' || (current !== undefined && typeof current !== 'number')) return 'fallback';
    if (arg === 0 && current !== undefined) return 'unchanged';
    return { value: (current ?? 0) + arg };
  };
}

/**
 * Compiled once per condition object, not once per document: an update of many documents (the
 * outbox clearing a batch with `{id: {$in: [200 ids]}}`) hands every target the same condition.
 */
const compiledPulls = new WeakMap<object, FastTest | null>();

function pullTest(condition: unknown): FastTest | null {
  if (!isPlainObject(condition)) return null;
  let test = compiledPulls.get(condition);
  if (test === undefined) {
    const keys = Object.keys(condition);
    test = keys.length && keys.every((k) => !k.startsWith('$')) ? compileFastFilter(condition) : null;
    compiledPulls.set(condition, test);
  }
  return test;
}

/** `$pull: {path: {field: condition, ...}}` over an array of embedded documents. */
function pullMatching(condition: unknown): Change['apply'] {
  const test = pullTest(condition);
  return (current) => {
    if (!test || (current !== undefined && !Array.isArray(current))) return 'fallback';
    if (current === undefined) return 'unchanged';
    const kept: unknown[] = [];
    for (const element of current) {
      const pulled = isPlainObject(element) ? test(element as Doc) : undefined;
      if (pulled === undefined) return 'fallback';
      if (!pulled) kept.push(element);
    }
    return kept.length === current.length ? 'unchanged' : { value: kept };
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return typeof a === typeof b && compareBson(a, b) === 0 && (typeof a !== 'object' || a?.constructor === b?.constructor);
}

/** Returns the object with the change applied along `parts`, the same object if nothing changed. */
function applyAt(obj: Doc, parts: string[], apply: Change['apply']): Doc | undefined {
  const [head, ...rest] = parts as [string, ...string[]];
  const current = Object.hasOwn(obj, head) ? obj[head] : undefined;
  if (rest.length > 0) {
    if (current !== undefined && !isPlainObject(current)) return undefined;
    const child = applyAt((current as Doc | undefined) ?? {}, rest, apply);
    if (child === undefined) return undefined;
    if (child === current || (current === undefined && Object.keys(child).length === 0)) return obj;
    return { ...obj, [head]: child };
  }
  const outcome = apply(current);
  if (outcome === 'fallback') return undefined;
  if (outcome === 'unchanged') return obj;
  if (outcome === 'unset') {
    const { [head]: _removed, ...remaining } = obj;
    return remaining;
  }
  return { ...obj, [head]: outcome.value };
}
