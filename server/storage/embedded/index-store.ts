/**
 * One secondary index: a B+ tree of (key values, _id key) entries. Unique indexes are checked
 * before any write touches memory, so a rejected write leaves no trace.
 */
import { createRequire } from 'node:module';
import type BTreeModule from 'sorted-btree';
import { Query } from './mingo.ts';
import { compareBson, hasPath, MAX_KEY, MIN_KEY, valuesAtPath } from './bson-values.ts';
import { fail } from './engine-errors.ts';
import { compileFastFilter } from './fast-match.ts';
import { compareTuples, entryOrder, type Entry, type EntryOrder } from './index-entry.ts';

// sorted-btree is CommonJS with its class on `default`; ESM interop differs between Node and
// Vite, so load it the CommonJS way in both.
const BTree = (createRequire(import.meta.url)('sorted-btree') as typeof BTreeModule).default;

export type IndexSpec = {
  v?: number;
  name: string;
  key: Record<string, number | string>;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Record<string, unknown>;
  expireAfterSeconds?: number;
  collation?: Record<string, unknown>;
  [option: string]: unknown;
};

/** The key tuples one document contributes to an index. */
export type Keys = unknown[][];

const LOW_ID = '';
const HIGH_ID = '\uffff';
const MAX_KEYS_PER_DOC = 10_000;

export class IndexStore {
  readonly fields: string[];
  readonly dirs: number[];
  /** Only plain ascending/descending indexes without filters can answer queries. */
  readonly queryable: boolean;
  /**
   * A partial index on `{field: {$exists: true}}` (how unique fields are indexed) or a sparse index
   * holds every document that has its leading field: it can answer a query that bounds that field
   * to values (which a document without the field cannot match), never a plain scan or sort.
   */
  readonly queryableWhenBounded: boolean;
  /**
   * The top-level fields a document's keys depend on (its key and its partial filter). Stored
   * documents are never mutated, so when each of these holds the same value (the same object for
   * an embedded one) before and after a write, the keys are the same. null: a partial filter this
   * cannot read through, so any change may change the keys.
   */
  readonly topFields: string[] | null;
  /** Set once a document gave more than one key; such an index cannot provide a sort order. */
  multikey = false;
  private readonly tree;
  private readonly order: EntryOrder;
  private readonly partial?: { test(doc: Record<string, unknown>): boolean };
  /** No dotted field: a document without arrays in them gives one tuple of its top-level values. */
  private readonly flat: boolean;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.dirs = this.fields.map((f) => (spec.key[f] === -1 ? -1 : 1));
    this.queryable =
      this.fields.every((f) => spec.key[f] === 1 || spec.key[f] === -1) &&
      !spec.sparse && !spec.partialFilterExpression && !spec.collation;
    this.queryableWhenBounded = !this.queryable && !spec.collation && this.fields.every((f) => spec.key[f] === 1 || spec.key[f] === -1) && holdsEveryDocWith(spec, this.fields[0]!);
    if (spec.partialFilterExpression) this.partial = partialTest(spec.partialFilterExpression);
    this.flat = this.fields.every((f) => !f.includes('.'));
    const top = new Set(this.fields.map((f) => f.split('.')[0]!));
    this.topFields = filterFields(spec.partialFilterExpression, top) ? [...top] : null;
    this.order = entryOrder(this.dirs);
    this.tree = new BTree<Entry, true>(undefined, this.order.compare);
  }

  get size(): number {
    return this.tree.size;
  }

  /**
   * The key tuples of a document, or [] when the index does not cover it (sparse/partial).
   * Throws (before anything is stored) for parallel arrays in a compound index, as MongoDB does.
   */
  keysFor(doc: Record<string, unknown>): Keys {
    if (this.partial && !this.partial.test(doc)) return [];
    // Sparse indexes skip documents missing every field; an explicit null is still indexed.
    if (this.spec.sparse && !this.fields.some((f) => hasPath(doc, f))) return [];
    if (this.flat) {
      const tuple = this.fields.map((f) => (Object.hasOwn(doc, f) ? doc[f] : undefined) ?? null);
      if (!tuple.some(Array.isArray)) return [tuple];
    }
    const perField = this.fields.map((f) => valuesAtPath(doc, f));
    if (perField.filter((values) => values.length > 1).length > 1) {
      fail('CannotIndexParallelArrays', `cannot index parallel arrays in index ${this.spec.name}`);
    }
    let tuples: unknown[][] = [[]];
    for (const values of perField) tuples = tuples.flatMap((tuple) => values.map((v) => [...tuple, v]));
    if (tuples.length > MAX_KEYS_PER_DOC) fail('CannotCreateIndex', `too many index keys for index ${this.spec.name}`);
    return tuples;
  }

  insertKeys(keys: Keys, id: string): void {
    if (keys.length > 1) this.multikey = true;
    for (const vals of keys) this.tree.set(this.order.entry(vals, id), true);
  }

  deleteKeys(keys: Keys, id: string): void {
    for (const vals of keys) this.tree.delete(this.order.entry(vals, id));
  }

  sameKeys(a: Keys, b: Keys): boolean {
    return a.length === b.length && a.every((vals, i) => compareTuples(this.dirs, vals, b[i]!) === 0);
  }

  /** For a unique index: the first of `keys` already held by another document. */
  findConflict(keys: Keys, id: string): unknown[] | undefined {
    if (!this.spec.unique) return undefined;
    for (const vals of keys) {
      for (const [key] of this.tree.entries(this.order.entry(vals, LOW_ID))) {
        if (!this.order.holds(key, vals)) break;
        if (key.id !== id) return vals;
      }
    }
    return undefined;
  }

  /**
   * The _id keys of entries whose leading value lies in `range`, in ascending value order
   * (descending when `descending`), so a sort on the leading field can stop early.
   */
  *scan(range: KeyRange, descending = false): Generator<string> {
    const treeForward = descending === (this.dirs[0] === -1);
    const leading = treeForward === (this.dirs[0] === 1) ? (range.low ?? MIN_KEY) : (range.high ?? MAX_KEY);
    const start = this.edgeKey(leading, treeForward ? 'first' : 'last');
    const iter = treeForward ? this.tree.entries(start) : this.tree.entriesReversed(start);
    for (const [key] of iter) {
      const v = key.v0;
      if (range.high !== undefined) {
        const c = compareBson(v, range.high);
        if (c > 0 || (c === 0 && !range.highInclusive)) {
          if (!descending) return;
          continue;
        }
      }
      if (range.low !== undefined) {
        const c = compareBson(v, range.low);
        if (c < 0 || (c === 0 && !range.lowInclusive)) {
          if (descending) return;
          continue;
        }
      }
      yield key.id;
    }
  }

  /** The first (or last) possible tree key whose leading value is `value`. */
  private edgeKey(value: unknown, edge: 'first' | 'last'): Entry {
    const vals = this.dirs.map((dir, i) => {
      if (i === 0) return value;
      return (edge === 'first') === (dir === 1) ? MIN_KEY : MAX_KEY;
    });
    return this.order.entry(vals, edge === 'first' ? LOW_ID : HIGH_ID);
  }
}

export type KeyRange = {
  low?: unknown;
  high?: unknown;
  lowInclusive: boolean;
  highInclusive: boolean;
};

/** Whether a sparse or partial index keeps every document that has `leading` (so bounds on it are safe). */
function holdsEveryDocWith(spec: IndexSpec, leading: string): boolean {
  const partial = spec.partialFilterExpression;
  if (!partial) return !!spec.sparse;
  const keys = Object.keys(partial);
  const condition = partial[leading] as Record<string, unknown> | undefined;
  return keys.length === 1 && keys[0] === leading && !!condition && typeof condition === 'object' && Object.keys(condition).length === 1 && (condition.$exists === true || condition.$exists === 1);
}

/**
 * Adds the top-level field names a partial filter expression reads ($and/$or/$nor lists included);
 * false when it holds an operator over the whole document (such as $expr) whose fields are unknown.
 */
function filterFields(filter: unknown, into: Set<string>): boolean {
  if (!filter || typeof filter !== 'object') return true;
  for (const [key, value] of Object.entries(filter)) {
    if (!key.startsWith('$')) into.add(key.split('.')[0]!);
    else if (!Array.isArray(value) || !value.every((part) => filterFields(part, into))) return false;
  }
  return true;
}

/** A partial filter's test: the fast matcher where it decides (`{field: {$exists: true}}` always), mingo otherwise. */
function partialTest(filter: Record<string, unknown>): { test(doc: Record<string, unknown>): boolean } {
  const query = new Query(filter, {});
  const fast = compileFastFilter(filter);
  return fast ? { test: (doc) => fast(doc) ?? query.test(doc) } : query;
}
