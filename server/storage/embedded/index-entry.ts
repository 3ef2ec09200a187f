/**
 * The entries of an index's B+ tree (index-store.ts): a document's key values, then its _id key.
 *
 * An index walk is bound by memory, not arithmetic: each comparison follows pointers from the
 * entry to the values it compares. So an entry keeps its values in its own fields (one class per
 * width, each with a comparator of its own), not in an array: an array holds them in a separate
 * backing store, one more pointer to follow. 100k contacts inserted with their seven index
 * entries each, best round of each run, runs alternated: `{ vals: [...], id }` 20 µs a document;
 * one array `[...vals, id]` 15.4-17.4 µs; these classes 13.1-13.2 µs (in 3 runs of 4, the other
 * 16.4 against 16.0).
 */
import { compareBson } from './bson-values.ts';

/** What every entry has: its first value (range scans read it) and its document's _id key. */
export type Entry = { readonly v0: unknown; readonly id: string };

class Entry1 {
  constructor(readonly v0: unknown, readonly id: string) {}
}
class Entry2 {
  constructor(readonly v0: unknown, readonly v1: unknown, readonly id: string) {}
}
class Entry3 {
  constructor(readonly v0: unknown, readonly v1: unknown, readonly v2: unknown, readonly id: string) {}
}
class EntryN {
  readonly v0: unknown;
  constructor(readonly vals: unknown[], readonly id: string) {
    this.v0 = vals[0];
  }
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Two key tuples in the index's order (`dirs`: 1 or -1 per field), the _id key left out. */
export function compareTuples(dirs: number[], a: unknown[], b: unknown[]): number {
  for (let i = 0; i < dirs.length; i++) {
    const c = compareBson(a[i], b[i]);
    if (c) return c * dirs[i]!;
  }
  return 0;
}

/** How entries of one index are made and ordered; `dirs`: 1 or -1 per key field. */
export type EntryOrder = {
  entry(vals: unknown[], id: string): Entry;
  /** The tree's order: values field by field in their directions, then the _id key. */
  compare(a: Entry, b: Entry): number;
  /** Whether the entry holds exactly these key values. */
  holds(e: Entry, vals: unknown[]): boolean;
};

export function entryOrder(dirs: number[]): EntryOrder {
  const [d0 = 1, d1 = 1, d2 = 1] = dirs;
  switch (dirs.length) {
    case 1:
      return {
        entry: (vals, id) => new Entry1(vals[0], id),
        compare: (a, b) => compareBson(a.v0, b.v0) * d0 || compareIds(a.id, b.id),
        holds: (e, vals) => compareBson(e.v0, vals[0]) === 0,
      };
    case 2:
      return {
        entry: (vals, id) => new Entry2(vals[0], vals[1], id),
        compare: (a, b) => compareBson(a.v0, b.v0) * d0 || compareBson((a as Entry2).v1, (b as Entry2).v1) * d1 || compareIds(a.id, b.id),
        holds: (e, vals) => compareBson(e.v0, vals[0]) === 0 && compareBson((e as Entry2).v1, vals[1]) === 0,
      };
    case 3:
      return {
        entry: (vals, id) => new Entry3(vals[0], vals[1], vals[2], id),
        compare: (a, b) =>
          compareBson(a.v0, b.v0) * d0 || compareBson((a as Entry3).v1, (b as Entry3).v1) * d1 || compareBson((a as Entry3).v2, (b as Entry3).v2) * d2 || compareIds(a.id, b.id),
        holds: (e, vals) => compareBson(e.v0, vals[0]) === 0 && compareBson((e as Entry3).v1, vals[1]) === 0 && compareBson((e as Entry3).v2, vals[2]) === 0,
      };
    default:
      return {
        entry: (vals, id) => new EntryN(vals, id),
        compare: (a, b) => compareTuples(dirs, (a as EntryN).vals, (b as EntryN).vals) || compareIds(a.id, b.id),
        holds: (e, vals) => (e as EntryN).vals.every((v, i) => compareBson(v, vals[i]) === 0),
      };
  }
}
