/**
 * Unique values in an import (issue 5): a value twice in the file is a problem of the later row
 * ("also in row 2"), a value another record already holds is a problem of the row ("already used
 * by contact 65f…"). Every key of the file is remembered in the database (`import_keys_<import>`,
 * one document per key, dropped when the import ends), not in memory: memory stays flat however long
 * the file, and a dry run (which writes no records) reports exactly what the real run will.
 */
import { createHash } from 'node:crypto';
import { ObjectId, type Db, type MongoBulkWriteError } from 'mongodb';
import type { CompiledEntity } from '../metadata/index.ts';
import type { EntityPermissions } from '../shared/actor.ts';
import { scopeFilter, withScope } from '../records/access.ts';
import { NOT_AWAITING_JOURNAL } from '../storage/index.ts';

/** One value a prepared row would store in a unique field. `own`: the record the row updates. */
export type UniqueValue = { row: number; field: string; value: unknown; own?: ObjectId };

type KeyDoc = { _id: string; row: number };

const keyOf = (v: unknown): string => (v instanceof ObjectId ? v.toHexString() : v instanceof Date ? v.toISOString() : JSON.stringify(v));
const shown = (v: unknown): string => (v instanceof Date ? v.toISOString() : v instanceof ObjectId ? v.toHexString() : String(v));

/**
 * One collection per import, so that forgetting its keys is one drop, not a delete per key (those
 * deletes were about 4% of the engine's work in a 100k-row import, inside its response time).
 */
const keysCollection = (importId: ObjectId): string => `import_keys_${importId.toHexString()}`;

/** Removes what an import remembered (when it ends, or when it is found stale). */
export async function forgetKeys(db: Db, importId: ObjectId): Promise<void> {
  await db.collection(keysCollection(importId)).drop().catch((err: { code?: number }) => {
    if (err.code !== 26) throw err; // never created: nothing was remembered
  });
}

export function createUniqueKeys(deps: { db: Db; entity: CompiledEntity; perms: EntityPermissions; importId: ObjectId }) {
  const { db, entity } = deps;
  const keys = db.collection<KeyDoc>(keysCollection(deps.importId));
  const records = db.collection(entity.collection);
  const idOf = (u: UniqueValue): string => {
    const key = `${u.field}|${keyOf(u.value)}`;
    return key.length > 512 ? `${key.slice(0, 40)}#${createHash('sha256').update(key).digest('hex')}` : key;
  };

  /** Values other records hold: a reason per value, naming the holder when the actor can read it. */
  async function held(list: UniqueValue[]): Promise<Map<UniqueValue, string>> {
    const reasons = new Map<UniqueValue, string>();
    const field = list[0]?.field;
    if (!field) return reasons;
    const holders = await records.find({ [field]: { $in: list.map((u) => u.value) } }, { projection: { [field]: 1 } }).toArray();
    if (!holders.length) return reasons;
    const byKey = new Map(holders.map((h) => [keyOf(h[field]), h._id as ObjectId]));
    const scope = scopeFilter(entity, deps.perms.read);
    const readable = scope ? new Set((await records.find(withScope({ _id: { $in: holders.map((h) => h._id) } }, scope), { projection: { _id: 1 } }).toArray()).map((d) => String(d._id))) : null;
    for (const u of list) {
      const holder = byKey.get(keyOf(u.value));
      if (!holder || (u.own && holder.equals(u.own))) continue;
      const who = !readable || readable.has(String(holder)) ? `${entity.name} ${holder.toHexString()}` : 'a record you cannot see';
      reasons.set(u, `${field} "${shown(u.value)}" is already used by ${who}`);
    }
    return reasons;
  }

  /** Remembers the values; those remembered before (earlier rows) come back with the row that had them. */
  async function remember(list: UniqueValue[]): Promise<Map<UniqueValue, number>> {
    const earlier = new Map<UniqueValue, number>();
    if (!list.length) return earlier;
    const refused: UniqueValue[] = [];
    await keys.insertMany(list.map((u) => ({ _id: idOf(u), row: u.row })), { ordered: false, ...NOT_AWAITING_JOURNAL }).catch((err: MongoBulkWriteError) => {
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
      if (!errors.length || errors.some((e) => e.code !== 11000)) throw err;
      for (const e of errors) refused.push(list[e.index]!);
    });
    if (!refused.length) return earlier;
    const rows = new Map((await keys.find({ _id: { $in: refused.map(idOf) } }).toArray()).map((k) => [k._id, k.row]));
    for (const u of refused) earlier.set(u, rows.get(idOf(u)) ?? 0);
    return earlier;
  }

  return {
    /**
     * The problems of a batch's unique values, field by field: a reason per value refused. Values
     * accepted are remembered, so a later row with the same value is told which row had it first.
     */
    async check(values: UniqueValue[]): Promise<Map<UniqueValue, string>> {
      const reasons = new Map<UniqueValue, string>();
      // Fields, and the two lookups of each, run at once: a batch waits for one round trip, not four.
      await Promise.all([...new Set(values.map((v) => v.field))].map(async (field) => {
        const first = new Map<string, UniqueValue>();
        for (const u of values.filter((v) => v.field === field)) {
          const k = keyOf(u.value);
          const before = first.get(k);
          if (before) reasons.set(u, `${field} "${shown(u.value)}" is also in row ${before.row}`);
          else first.set(k, u);
        }
        const candidates = [...first.values()];
        const [earlier, taken] = await Promise.all([remember(candidates), held(candidates)]);
        // An earlier row of the file comes first (its record, once written, holds the value too).
        for (const [u, row] of earlier) reasons.set(u, `${field} "${shown(u.value)}" is also in row ${row}`);
        const refusedHere = [...taken].filter(([u]) => !earlier.has(u));
        for (const [u, reason] of refusedHere) reasons.set(u, reason);
        // A row refused for a value someone else holds does not hold it either: later rows hear about the record.
        if (refusedHere.length) await keys.deleteMany({ _id: { $in: refusedHere.map(([u]) => idOf(u)) } }, NOT_AWAITING_JOURNAL);
      }));
      return reasons;
    },
    forget: () => forgetKeys(db, deps.importId),
  };
}

export type UniqueKeys = ReturnType<typeof createUniqueKeys>;
