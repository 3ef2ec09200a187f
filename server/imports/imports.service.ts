/**
 * The import capability (issue 5): saved column mappings, imports run as the actor (create
 * permission to create, update permission to upsert or update, field permissions on every
 * mapped column), their progress and their reports.
 */
import type { Readable } from 'node:stream';
import type { Document } from 'mongodb';
import type { Field } from '../metadata/index.ts';
import type { Access, RecordsService } from '../records/records.service.ts';
import type { WriteContext } from '../records/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { ImportRun } from './import-batch.ts';
import { duplicateWindow } from './batch-flow.ts';
import { createJobStore, newJob, type ImportJob } from './import-job.ts';
import { checkMapping, createMappingStore, type ImportMode, type Mapping } from './import-mappings.ts';
import { importProblems } from './imports.problems.ts';
import { relationResolver } from './resolve-relations.ts';
import { runImport, type Stop } from './run-import.ts';
import { createUniqueKeys } from './unique-keys.ts';

/** The largest CSV accepted, in bytes (413 past it). */
export const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

/** What an import request says besides its file: a saved mapping or columns, and options over them. */
export type ImportRequest = { mapping?: string; columns?: unknown; upsertBy?: string; mode?: string; dateOrder?: string; delimiter?: string; dryRun: boolean; id?: string };

export type ImportsService = ReturnType<typeof createImports>;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const modeOf = (body: unknown): unknown => (isObject(body) ? (body.mode ?? (body.upsertBy !== undefined ? 'upsert' : 'create')) : 'create');

export function createImports(deps: { ctx: WriteContext; records: RecordsService; maxBytes?: number }) {
  const { ctx, records } = deps;
  const mappings = createMappingStore(ctx.db);
  const jobs = createJobStore(ctx.db);
  const maxBytes = deps.maxBytes ?? MAX_IMPORT_BYTES;

  /** The actor may import this way: create permission to create records, update permission to change them. */
  function importAccess(entity: string, actor: Actor, mode: unknown): Access {
    const a = records.access(entity, actor, 'read');
    if (mode !== 'update') records.access(entity, actor, 'create');
    if (mode === 'upsert' || mode === 'update') records.access(entity, actor, 'update');
    return a;
  }
  const scopeOf = (a: Access) => ({ ...a, lookup: ctx.registry.get });

  async function mappingFor(entity: string, r: ImportRequest): Promise<Record<string, unknown>> {
    const options = Object.fromEntries(Object.entries({ upsertBy: r.upsertBy, mode: r.mode, dateOrder: r.dateOrder, delimiter: r.delimiter }).filter(([, v]) => v !== undefined));
    if (r.mapping !== undefined) {
      const saved = await mappings.get(entity, r.mapping);
      if (!saved) throw importProblems.mappingNotFound.create({ detail: `${entity} has no saved mapping "${r.mapping}"` });
      const { name: _n, entity: _e, updatedAt: _u, updatedBy: _b, ...mapping } = saved;
      return { ...mapping, ...options };
    }
    if (r.columns === undefined) throw importProblems.invalidImport.create({ detail: 'Name a saved mapping (?mapping=) or give the columns (?columns={"CSV column": "field"})', errors: [{ pointer: '/columns', detail: 'is required without a mapping' }] });
    return { columns: r.columns, ...options };
  }

  function buildRun(a: Access, mapping: Mapping, job: ImportJob): Omit<ImportRun, 'positions'> {
    const relations = mapping.columns.flatMap((column) => {
      const field = a.entity.fields.get(column.field) as Field;
      return field.type === 'relation' ? [{ column, resolve: relationResolver({ ctx, actor: a.actor, field, column }) }] : [];
    });
    // A dry run writes nothing, so duplicate-rule keys of earlier batches are kept for the whole run.
    // A real run finds them in the database, but for the batches not yet written when the next is
    // prepared (batch-flow.ts): each batch's map starts with the keys of the AHEAD - 1 before it.
    const whole = new Map<string, string>();
    const lastBatches = duplicateWindow();
    return {
      ctx, entity: a.entity, perms: a.perms, actor: a.actor, mapping, relations,
      unique: createUniqueKeys({ db: ctx.db, entity: a.entity, perms: a.perms, importId: job._id }),
      duplicates: () => (job.dryRun ? whole : lastBatches()),
      present: (doc: Document) => records.present(a.entity.name, doc, a.actor),
    };
  }

  return {
    maxBytes,
    async saveMapping(entity: string, name: string, body: unknown, actor: Actor) {
      const a = importAccess(entity, actor, modeOf(body));
      const mapping = checkMapping(body, scopeOf(a));
      const created = await mappings.save(a.entity.name, name, mapping, actor.id);
      return { created, mapping: (await mappings.get(a.entity.name, name))! };
    },
    async getMapping(entity: string, name: string, actor: Actor) {
      const a = records.access(entity, actor, 'read');
      const found = await mappings.get(a.entity.name, name);
      if (!found) throw importProblems.mappingNotFound.create({ detail: `${a.entity.name} has no saved mapping "${name}"` });
      return found;
    },
    listMappings: (entity: string, actor: Actor) => mappings.list(records.access(entity, actor, 'read').entity.name),
    async removeMapping(entity: string, name: string, actor: Actor): Promise<void> {
      const a = importAccess(entity, actor, 'create');
      if (!(await mappings.remove(a.entity.name, name))) throw importProblems.mappingNotFound.create({ detail: `${a.entity.name} has no saved mapping "${name}"` });
    },

    /** Reads `file` to its end and imports it; `stop` says why it ended early, if it did. */
    async run(entity: string, r: ImportRequest, actor: Actor, file: Readable): Promise<{ job: ImportJob; stop?: Stop }> {
      const a0 = records.access(entity, actor, 'read');
      const raw = await mappingFor(a0.entity.name, r);
      const a = importAccess(entity, actor, modeOf(raw));
      const mapping = checkMapping(raw, scopeOf(a));
      const job = newJob({ entity: a.entity.name, mapping: r.mapping ?? null, mode: mapping.mode as ImportMode, upsertBy: mapping.upsertBy, dryRun: r.dryRun, by: actor.id, id: r.id });
      await jobs.create(job);
      return runImport({ run: buildRun(a, mapping, job), job, jobs, dryRun: r.dryRun, input: file, maxBytes });
    },
    get: (id: string, actor: Actor) => jobs.get(id, actor),
    list: (actor: Actor, filter: { entity?: string; status?: string; limit: number }) => jobs.list(actor, filter),
    async problems(id: string, actor: Actor, page: { after: number; limit: number }) {
      return jobs.problemsPage(await jobs.get(id, actor), page.after, page.limit);
    },
  };
}
