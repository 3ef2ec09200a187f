/**
 * The documents of one collection and its indexes. Stored documents are never mutated in place:
 * a write builds a new object, so a snapshot can hold the old ones while writes go on.
 */
import { EJSON } from 'bson';
import { idKeyOf } from './bson-values.ts';
import { fail } from './engine-errors.ts';
import { IndexStore, type IndexSpec, type Keys } from './index-store.ts';

export type Doc = Record<string, unknown>;

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class CollectionStore {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, IndexStore>();

  constructor(
    readonly ns: string,
    readonly options: Record<string, unknown> = {},
  ) {
    this.indexes.set(ID_INDEX.name, new IndexStore(ID_INDEX));
  }

  /** A collection holding `docs`, with the given secondary indexes (for snapshots and renames). */
  static build(c: { ns: string; options: Record<string, unknown>; indexes: IndexSpec[]; docs: Iterable<Doc> }): CollectionStore {
    const store = new CollectionStore(c.ns, c.options);
    for (const spec of c.indexes) if (spec.name !== ID_INDEX.name) store.createIndex(spec);
    for (const doc of c.docs) store.insert(doc);
    return store;
  }

  get(id: string): Doc | undefined {
    return this.docs.get(id);
  }

  /**
   * Inserts a new document. Every index's keys are computed and checked before anything
   * changes, so a refused insert leaves no trace.
   */
  insert(doc: Doc): void {
    const id = idKeyOf(doc._id);
    if (this.docs.has(id)) this.duplicate(this.idIndex, [doc._id]);
    const keys = this.checkedKeys(doc, id);
    this.docs.set(id, doc);
    this.idIndex.insertKeys([[doc._id]], id);
    this.secondary().forEach((index, i) => index.insertKeys(keys[i]!, id));
  }

  /**
   * Replaces the document with the same _id, under the same all-or-nothing rule. Only the indexes
   * over fields the write changed are looked at: an update builds its new document sharing the
   * untouched values with the old one.
   */
  replace(next: Doc): void {
    const id = idKeyOf(next._id);
    const previous = this.docs.get(id);
    if (!previous) fail('BadValue', `no document with _id ${id} in ${this.ns}`);
    const indexes = this.secondary().filter((index) => !index.topFields || index.topFields.some((f) => previous[f] !== next[f]));
    const after = this.checkedKeys(next, id, indexes);
    const before = indexes.map((index) => index.keysFor(previous));
    this.docs.set(id, next);
    indexes.forEach((index, i) => {
      if (index.sameKeys(before[i]!, after[i]!)) return;
      index.deleteKeys(before[i]!, id);
      index.insertKeys(after[i]!, id);
    });
  }

  delete(id: string): Doc | undefined {
    const doc = this.docs.get(id);
    if (!doc) return undefined;
    for (const index of this.indexes.values()) index.deleteKeys(index.keysFor(doc), id);
    this.docs.delete(id);
    return doc;
  }

  /** Builds an index over the current documents; a unique index over duplicates is refused whole. */
  createIndex(spec: IndexSpec): void {
    const index = new IndexStore(spec);
    for (const [id, doc] of this.docs) {
      const keys = index.keysFor(doc);
      const conflict = index.findConflict(keys, id);
      if (conflict) this.duplicate(index, conflict);
      index.insertKeys(keys, id);
    }
    this.indexes.set(spec.name, index);
    this.secondaryList = undefined;
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
    this.secondaryList = undefined;
  }

  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((i) => i.spec);
  }

  private get idIndex(): IndexStore {
    return this.indexes.get(ID_INDEX.name)!;
  }

  /** Built once per change of the index set, not on every write. */
  private secondaryList?: IndexStore[];

  private secondary(): IndexStore[] {
    return (this.secondaryList ??= [...this.indexes.values()].filter((index) => index.spec.name !== ID_INDEX.name));
  }

  /** Each secondary index's keys for `doc`, after checking none collides with another document. */
  private checkedKeys(doc: Doc, id: string, indexes = this.secondary()): Keys[] {
    const keys = indexes.map((index) => index.keysFor(doc));
    indexes.forEach((index, i) => {
      const conflict = index.findConflict(keys[i]!, id);
      if (conflict) this.duplicate(index, conflict);
    });
    return keys;
  }

  private duplicate(index: IndexStore, vals: unknown[]): never {
    const keyValue: Record<string, unknown> = {};
    index.fields.forEach((f, i) => (keyValue[f] = vals[i] ?? null));
    const shown = index.fields
      .map((f, i) => `${f}: ${EJSON.stringify(vals[i] ?? null, { relaxed: true } as never)}`)
      .join(', ');
    fail('DuplicateKey', `E11000 duplicate key error collection: ${this.ns} index: ${index.spec.name} dup key: { ${shown} }`, {
      keyPattern: index.spec.key,
      keyValue,
    });
  }
}
