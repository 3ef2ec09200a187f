/**
 * The documents of one collection and its indexes. Stored documents are never mutated in place:
 * a write builds a new object, so a snapshot can hold the old ones while writes go on.
 */
import { EJSON } from 'bson';
import { idKeyOf } from './bson-values.ts';
import { fail } from './engine-errors.ts';
import { IndexStore, type IndexSpec } from './index-store.ts';

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

  get(id: string): Doc | undefined {
    return this.docs.get(id);
  }

  /** Throws the duplicate-key error MongoDB would give, before anything is changed. */
  checkInsert(doc: Doc): void {
    const id = idKeyOf(doc._id);
    if (this.docs.has(id)) this.duplicate(this.indexes.get(ID_INDEX.name)!, [doc._id]);
    this.checkUnique(doc, id);
  }

  insert(doc: Doc): void {
    this.checkInsert(doc);
    const id = idKeyOf(doc._id);
    this.docs.set(id, doc);
    for (const index of this.indexes.values()) index.add(doc, id);
  }

  /** Replaces the document with the same _id; `next` must keep the _id. */
  replace(next: Doc): void {
    const id = idKeyOf(next._id);
    const previous = this.docs.get(id);
    if (!previous) fail('BadValue', `no document with _id ${id} in ${this.ns}`);
    this.checkUnique(next, id);
    this.docs.set(id, next);
    for (const index of this.indexes.values()) if (index.spec.name !== ID_INDEX.name) index.update(previous, next, id);
  }

  delete(id: string): Doc | undefined {
    const doc = this.docs.get(id);
    if (!doc) return undefined;
    for (const index of this.indexes.values()) index.remove(doc, id);
    this.docs.delete(id);
    return doc;
  }

  /** Builds an index over the current documents; a unique index over duplicates is refused whole. */
  createIndex(spec: IndexSpec): void {
    const index = new IndexStore(spec);
    for (const [id, doc] of this.docs) {
      const conflict = index.findConflict(doc, id);
      if (conflict) this.duplicate(index, conflict);
      index.add(doc, id);
    }
    this.indexes.set(spec.name, index);
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((i) => i.spec);
  }

  private checkUnique(doc: Doc, id: string): void {
    for (const index of this.indexes.values()) {
      if (index.spec.name === ID_INDEX.name) continue;
      const conflict = index.findConflict(doc, id);
      if (conflict) this.duplicate(index, conflict);
    }
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
