/**
 * The MongoDB indexes an entity needs: its declared indexes, one unique index per unique field
 * (partial, so records without a value don't collide), one per relation (related lists and
 * onDelete), the default sort and search. All are named `rapport_*`; others are left alone.
 *
 * Lists show the newest records first, so a non-unique index also holds that order after its own
 * fields: {city: 1, createdAt: -1, _id: -1} finds the records of one city already sorted, and the
 * first page of a list stops after 50 entries instead of sorting every match. An index whose key
 * changed (for example one made before this rule) is built again, next to the old one.
 */
import { createHash } from 'node:crypto';
import type { Collection, CreateIndexesOptions, Db, IndexSpecification } from 'mongodb';
import type { EntityDefinition } from './entity.types.ts';
import { recordCollection } from './compile-entity.ts';
import { matchPath, sortPath } from './field-types/index.ts';
import { metadataProblems } from './metadata.problems.ts';

type WantedIndex = { name: string; key: Record<string, 1 | -1>; options: CreateIndexesOptions };

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/** The key, then the default list order (unless the key already names those fields). */
const listOrdered = (key: Record<string, 1 | -1>): Record<string, 1 | -1> => ('createdAt' in key || '_id' in key ? key : { ...key, ...NEWEST_FIRST });

export function wantedIndexes(d: EntityDefinition): WantedIndex[] {
  const wanted: WantedIndex[] = [
    { name: 'rapport_created', key: { ...NEWEST_FIRST }, options: {} },
    { name: 'rapport_search', key: { _search: 1 }, options: {} },
  ];
  for (const f of d.fields) {
    const path = f.type === 'relation' || f.type === 'manyToMany' ? matchPath(f) : sortPath(f) ?? f.name;
    if (f.unique) wanted.push({ name: `rapport_unique_${f.name}`, key: { [path]: 1 }, options: { unique: true, partialFilterExpression: { [path]: { $exists: true } } } });
    else if (f.type === 'relation' || f.type === 'manyToMany' || f.type === 'user') wanted.push({ name: `rapport_ref_${f.name}`, key: f.type === 'manyToMany' ? { [path]: 1 } : listOrdered({ [path]: 1 }), options: {} });
  }
  (d.indexes ?? []).forEach((index, i) => {
    const key = Object.fromEntries(index.fields.map((k) => [k.field, k.direction === 'desc' ? -1 : 1] as const));
    const options = index.unique ? { unique: true, partialFilterExpression: { [index.fields[0]!.field]: { $exists: true } } } : {};
    wanted.push({ name: `rapport_index_${index.name ?? i}`, key: index.unique ? key : listOrdered(key), options });
  });
  return wanted;
}

type ListedIndex = { name: string; key: unknown; unique?: boolean; partialFilterExpression?: unknown };

/** What makes two indexes the same index: key (in order), uniqueness and partial filter. The name does not. */
const specOf = (i: { key: unknown; unique?: boolean; partialFilterExpression?: unknown }): string => JSON.stringify([i.key, Boolean(i.unique), i.partialFilterExpression ?? null]);
const wantedSpec = (w: WantedIndex): string => specOf({ key: w.key, unique: w.options.unique, partialFilterExpression: w.options.partialFilterExpression });
const sameKey = (a: ListedIndex, w: WantedIndex): boolean => JSON.stringify(a.key) === JSON.stringify(w.key);

const listed = async (collection: Collection): Promise<ListedIndex[]> => (await collection.listIndexes().toArray().catch(() => [])) as ListedIndex[];
/** Dropping an index another server dropped a moment ago is not a failure. */
const dropQuietly = (collection: Collection, name: string) => collection.dropIndex(name).catch((err: { code?: number }) => { if (err.code !== 27) throw err; });

/**
 * Creates what is missing, before anything is dropped: an index whose key changed is built under a
 * new name next to the old one, which `dropUnwantedIndexes` removes once the new one stands, so a
 * failed build (records that now collide) never leaves a unique constraint missing. An index is
 * matched by what it is, not its name, so reordering unnamed declared indexes rebuilds nothing.
 * A unique index that existing duplicates prevent is refused with them listed.
 */
export async function createMissingIndexes(db: Db, d: EntityDefinition): Promise<void> {
  const collection = db.collection(recordCollection(d.name));
  const existing = await listed(collection);
  for (const index of wantedIndexes(d)) {
    const spec = wantedSpec(index);
    if (existing.some((e) => specOf(e) === spec)) continue;
    const taken = existing.some((e) => e.name === index.name);
    const name = taken ? `${index.name}_${createHash('sha1').update(spec).digest('hex').slice(0, 8)}` : index.name;
    try {
      await create(collection, index, name);
    } catch (err) {
      const code = (err as { code?: number }).code;
      // MongoDB before 5.0 keeps one index per key pattern: the same key with other options goes first (only one of ours; others are left alone).
      const rival = code === 85 || code === 86 ? (await listed(collection)).find((e) => sameKey(e, index) && e.name.startsWith('rapport_')) : undefined;
      if (!rival) throw err;
      await dropQuietly(collection, rival.name);
      await create(collection, index, name);
    }
  }
}

async function create(collection: Collection, index: WantedIndex, name: string): Promise<void> {
  try {
    await collection.createIndex(index.key as IndexSpecification, { ...index.options, name });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    throw metadataProblems.uniqueConflict.create({ detail: `Records already share values of ${Object.keys(index.key).join(', ')}`, errors: await duplicates(collection, index.key) });
  }
}

/** Drops `rapport_*` indexes the definition no longer wants (after the ones it wants were built). */
export async function dropUnwantedIndexes(db: Db, d: EntityDefinition): Promise<void> {
  const collection = db.collection(recordCollection(d.name));
  const wanted = new Set(wantedIndexes(d).map(wantedSpec));
  for (const index of await listed(collection)) {
    if (index.name.startsWith('rapport_') && !wanted.has(specOf(index))) await dropQuietly(collection, index.name);
  }
}

async function duplicates(collection: Collection, key: Record<string, 1 | -1>) {
  const paths = Object.keys(key);
  const groupId = Object.fromEntries(paths.map((p, i) => [`k${i}`, `$${p}`]));
  const sets = await collection
    .aggregate<{ _id: unknown; ids: unknown[] }>([
      { $match: { [paths[0]!]: { $exists: true } } },
      { $group: { _id: groupId, ids: { $push: '$_id' }, n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
      { $limit: 20 },
    ])
    .toArray();
  return sets.map((s) => ({ pointer: `/${paths[0]!.split('.')[0]}`, detail: `records ${s.ids.map(String).join(', ')} share ${JSON.stringify(s._id)}` }));
}

/**
 * Brings an entity's indexes to its stored definition (at start): builds what is missing, then
 * drops what it replaced, each only while `d` is still the stored definition (`current`): a
 * server that loaded an older one must not drop what a newer one wants, nor build what it gave up.
 */
export async function reconcileIndexes(db: Db, d: EntityDefinition, current: () => Promise<boolean>): Promise<void> {
  if (!(await current())) return;
  await createMissingIndexes(db, d);
  if (await current()) await dropUnwantedIndexes(db, d);
}
