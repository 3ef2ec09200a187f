/**
 * The MongoDB indexes an entity needs: its declared indexes, one unique index per unique field
 * (partial, so records without a value don't collide), one per relation (related lists and
 * onDelete), the default sort and search. All are named `rapport_*`; others are left alone.
 *
 * Lists show the newest records first, so a non-unique index also holds that order after its own
 * fields: {city: 1, createdAt: -1, _id: -1} finds the records of one city already sorted, and the
 * first page of a list stops after 50 entries instead of sorting every match. An index whose key
 * changed (for example one made before this rule) is built again.
 */
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

/** Creates what is missing; a unique index that existing duplicates prevent is refused with them listed. */
export async function createMissingIndexes(db: Db, d: EntityDefinition): Promise<void> {
  const collection = db.collection(recordCollection(d.name));
  const existing = new Map((await collection.listIndexes().toArray().catch(() => [])).map((i) => [i.name as string, JSON.stringify(i.key)]));
  for (const index of wantedIndexes(d)) {
    const key = existing.get(index.name);
    if (key === JSON.stringify(index.key)) continue;
    if (key !== undefined) await collection.dropIndex(index.name);
    try {
      await collection.createIndex(index.key as IndexSpecification, { ...index.options, name: index.name });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      throw metadataProblems.uniqueConflict.create({ detail: `Records already share values of ${Object.keys(index.key).join(', ')}`, errors: await duplicates(collection, index.key) });
    }
  }
}

export async function dropUnwantedIndexes(db: Db, d: EntityDefinition): Promise<void> {
  const collection = db.collection(recordCollection(d.name));
  const wanted = new Set(wantedIndexes(d).map((i) => i.name));
  for (const index of await collection.listIndexes().toArray().catch(() => [])) {
    const name = index.name as string;
    if (name.startsWith('rapport_') && !wanted.has(name)) await collection.dropIndex(name);
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
