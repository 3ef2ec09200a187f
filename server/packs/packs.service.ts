/**
 * Solution packs (issue 9): list the packs with their installed state, install one (through the
 * owning services, idempotent, conflicts reported and the user's versions kept), seed its sample
 * data, uninstall it (data kept in the metadata archive unless asked), and export or import the
 * whole configuration as one document.
 */
import type { Db } from 'mongodb';
import { SYSTEM_ACTOR, type Actor } from '../shared/actor.ts';
import { applyDocument, itemsOf, type InstallReport } from './apply-document.ts';
import { exportDocument } from './export-document.ts';
import { checkDocument, loadPack, packNames, readManifest } from './load-packs.ts';
import type { PackDocument } from './pack.types.ts';
import { itemKey } from './pack-kinds.ts';
import { packProblems } from './packs.problems.ts';
import { createPacksStore } from './packs.store.ts';
import type { PackServices } from './ports.ts';
import { removeItems } from './remove-items.ts';
import { MAX_SAMPLE_RECORDS, seedSample, type SampleResult, type SampleStore } from './sample/seed-sample.ts';

export type PacksService = ReturnType<typeof createPacksService>;
export type InstallOptions = { sampleRecords?: number; seed?: number };
export type SampleSummary = Pick<SampleResult, 'records' | 'failed' | 'byEntity' | 'problems' | 'ms'>;

const DEFAULT_SEED = 1;

export function createPacksService(deps: { db: Db; services: PackServices; packsDir: string }) {
  const store = createPacksStore(deps.db);
  const { services } = deps;

  /** Sample records go in as the system: they may start in any state (a closed case, an approved leave). */
  const sampleStore: SampleStore = {
    async write(entity, records) {
      const { results } = await services.bulkCreate(entity, { records }, SYSTEM_ACTOR);
      return results.map((r) => (r.status < 300 ? { id: (r.record as { _id: string })._id } : { problem: `${r.problem?.detail ?? r.problem?.title ?? r.status}` }));
    },
    existing: (entity, limit) => services.listRecords(entity, limit),
  };

  async function seed(pack: PackDocument, records: number, seedValue: number): Promise<SampleSummary> {
    if (!pack.sample || records <= 0) return { records: 0, failed: 0, byEntity: {}, problems: [], ms: 0 };
    const result = await seedSample({ spec: pack.sample, total: records, seed: seedValue, store: sampleStore });
    await store.save(pack.name, { sample: { records: result.records, seed: seedValue, at: new Date() } });
    return result;
  }

  return {
    packsDir: deps.packsDir,
    async list() {
      const installed = new Map((await store.list()).map((p) => [p._id, p]));
      return Promise.all((await packNames(deps.packsDir)).map(async (name) => {
        const manifest = await readManifest(deps.packsDir, name);
        const doc = installed.get(name);
        return {
          name, label: manifest.label, description: manifest.description ?? null, version: manifest.version,
          installed: doc?.status === 'installed', installedVersion: doc?.status === 'installed' ? doc.version ?? null : null,
          installedAt: doc?.status === 'installed' ? doc.installedAt ?? null : null, items: doc?.status === 'installed' ? doc.owned?.length ?? 0 : 0,
        };
      }));
    },
    load: (name: string) => loadPack(deps.packsDir, name),
    async install(name: string, options: InstallOptions, actor: Actor): Promise<InstallReport & { sample: SampleSummary }> {
      const pack = await loadPack(deps.packsDir, name);
      return store.exclusive(name, async () => {
        const before = await store.get(name);
        const { report, owned } = await applyDocument({
          items: itemsOf(pack), services, actor,
          owned: new Map((before?.owned ?? []).map((o) => [itemKey(o), o])),
          archived: new Map((before?.archived ?? []).map(({ entity, ...a }) => [entity, a])),
        });
        await store.save(name, { status: 'installed', version: pack.version, owned, archived: [], installedAt: before?.status === 'installed' ? before.installedAt : new Date(), installedBy: actor.id });
        const sample = await seed(pack, Math.min(options.sampleRecords ?? 0, MAX_SAMPLE_RECORDS), options.seed ?? DEFAULT_SEED);
        return { ...report, sample };
      });
    },
    async uninstall(name: string, options: { deleteData?: boolean }, actor: Actor) {
      const pack = await loadPack(deps.packsDir, name);
      return store.exclusive(name, async () => {
        const before = await store.get(name);
        if (before?.status !== 'installed') throw packProblems.notInstalled.create({ detail: `The pack "${name}" is not installed` });
        const result = await removeItems({ owned: before.owned ?? [], items: itemsOf(pack), services, actor, deleteData: options.deleteData === true });
        const kept = new Set(result.kept.map(itemKey));
        await store.save(name, {
          status: 'uninstalled', owned: (before.owned ?? []).filter((o) => kept.has(itemKey(o))),
          archived: [...result.archived].map(([entity, a]) => ({ entity, ...a })),
        });
        return { removed: result.removed, kept: result.kept, purged: result.purged, dataKept: [...result.archived.keys()] };
      });
    },
    /** More sample records for an installed pack (`rapport seed <pack> N`). */
    async sample(name: string, options: { records: number; seed?: number }): Promise<SampleSummary> {
      const pack = await loadPack(deps.packsDir, name);
      if ((await store.get(name))?.status !== 'installed') throw packProblems.notInstalled.create({ detail: `Install the pack "${name}" before seeding it` });
      return seed(pack, Math.min(options.records, MAX_SAMPLE_RECORDS), options.seed ?? DEFAULT_SEED);
    },
    exportMetadata: () => exportDocument(services),
    /** Imports an exported configuration: idempotent, and what exists in another version is reported, not overwritten. */
    async importMetadata(document: unknown, actor: Actor): Promise<InstallReport> {
      const doc = checkDocument(document);
      return (await applyDocument({ items: itemsOf({ ...doc, plugins: [], sample: undefined }), services, actor })).report;
    },
  };
}
