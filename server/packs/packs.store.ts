/**
 * Which pack installed what (issue 9), in `packs`: one document per pack with the items it
 * created and the fingerprint of each as it stored it, the entities its uninstall archived (so a
 * new install brings their records back) and a lease that keeps two installs of a pack apart.
 */
import type { Collection, Db } from 'mongodb';
import type { Owned } from './apply-document.ts';
import type { ArchivedEntity } from './create-entities.ts';
import { packProblems } from './packs.problems.ts';

export type PackDoc = {
  _id: string;
  status?: 'installed' | 'uninstalled';
  version?: string;
  owned?: Owned[];
  /** The entities its uninstall archived, each with the links to other entities it dropped first. */
  archived?: Array<{ entity: string } & ArchivedEntity>;
  installedAt?: Date;
  installedBy?: string;
  updatedAt?: Date;
  sample?: { records: number; seed: number; at: Date };
  lockedUntil?: Date;
};

const LEASE_MS = 10 * 60_000;

export type PacksStore = ReturnType<typeof createPacksStore>;

export function createPacksStore(db: Db) {
  const packs: Collection<PackDoc> = db.collection('packs');
  return {
    get: (name: string) => packs.findOne({ _id: name }),
    list: () => packs.find({}).toArray(),
    save: (name: string, set: Partial<PackDoc>) => packs.updateOne({ _id: name }, { $set: { ...set, updatedAt: new Date() } }, { upsert: true }),
    /** Runs `work` holding the pack's lease; a second caller meanwhile is told the pack is busy. */
    async exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
      const now = new Date();
      try {
        await packs.updateOne({ _id: name, $or: [{ lockedUntil: { $exists: false } }, { lockedUntil: { $lt: now } }] }, { $set: { lockedUntil: new Date(now.getTime() + LEASE_MS) } }, { upsert: true });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) throw packProblems.packBusy.create({ detail: `The pack "${name}" is being changed by someone else; try again shortly` });
        throw err;
      }
      try {
        return await work();
      } finally {
        await packs.updateOne({ _id: name }, { $unset: { lockedUntil: '' } });
      }
    },
  };
}
