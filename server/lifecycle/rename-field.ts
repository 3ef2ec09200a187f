/**
 * Renaming a field while the records are in use (issue 5): the data follows with no moment where
 * a reader sees the value missing. The field is locked, its values are copied under the new name,
 * roles give the new name the old one's access, the definition switches (the new name is live,
 * the lock goes), values written meanwhile are copied again, then the old name's values, its
 * history entries and its recycle bin copies are moved over.
 */
import type { MetadataService } from '../metadata/index.ts';
import type { ReadContext } from '../records/index.ts';
import { metadataProblems } from '../metadata/index.ts';
import { Problem } from '../shared/errors.ts';
import { lifecycleProblems } from './lifecycle.problems.ts';
import { renameInAuditBatches } from '../audit/index.ts';

export type RoleRename = { before(entity: string, from: string, to: string): Promise<void>; after(entity: string, from: string, to: string): Promise<void> };
export type FieldRename = ReturnType<typeof createFieldRename>;

/** `follow`: other capabilities that name fields (duplicate rules) follow the rename. */
export function createFieldRename(deps: { ctx: ReadContext; metadata: MetadataService; roles: RoleRename; follow?: (entity: string, from: string, to: string) => Promise<void> }) {
  const { ctx, metadata, roles } = deps;

  function newName(body: unknown): string {
    const to = (body as { name?: unknown } | null)?.name;
    const extra = body && typeof body === 'object' ? Object.keys(body).filter((k) => k !== 'name') : [];
    if (typeof to !== 'string' || !to || extra.length) {
      throw lifecycleProblems.invalidRequest.create({ detail: 'Send {"name": "<new field name>"}', errors: [typeof to !== 'string' || !to ? { pointer: '/name', detail: 'must be the new field name' } : { pointer: `/${extra[0]}`, detail: 'is not part of a rename' }] });
    }
    return to;
  }

  /** Problems about the field's name in the definition are about the request's `/name`. */
  function asRequestProblem(err: unknown, index: number): unknown {
    if (!(err instanceof Problem) || !err.errors) return err;
    return new Problem(err, { detail: err.detail, errors: err.errors.map((e) => (e.pointer === `/fields/${index}/name` ? { ...e, pointer: '/name' } : e)) });
  }

  return async function renameField(entityName: string, from: string, body: unknown, actor: string) {
    const to = newName(body);
    const entity = ctx.registry.require(entityName);
    const index = entity.definition.fields.findIndex((f) => f.name === from);
    if (index < 0) throw metadataProblems.fieldNotFound.create({ detail: `${entityName} has no field "${from}"` });
    if (entity.fields.has(to) || to === from) throw lifecycleProblems.invalidRequest.create({ detail: `${entityName} already has a field "${to}"`, errors: [{ pointer: '/name', detail: 'is already a field of this entity' }] });
    const records = ctx.db.collection(entity.collection);
    const copy = () => records.updateMany({ [from]: { $exists: true }, [to]: { $exists: false } }, [{ $set: { [to]: `$${from}` } }]);

    // Checked before any data moves: the rename is refused (a bad name, a formula reading the field) with nothing touched.
    await metadata.renameField(entityName, from, to, { actor, dryRun: true }).catch((err) => {
      throw asRequestProblem(err, index);
    });
    await metadata.lockField(entityName, from, `rename:${to}`);
    let saved;
    try {
      await copy();
      await roles.before(entityName, from, to);
      saved = await metadata.renameField(entityName, from, to, { actor });
    } catch (err) {
      // Nothing was renamed: the copies go (the new name was no field, so they hold nothing else) and the lock is released.
      await records.updateMany({ [to]: { $exists: true } }, { $unset: { [to]: '' } });
      await metadata.unlockField(entityName, from).catch(() => undefined);
      throw asRequestProblem(err, index);
    }
    await copy();
    await records.updateMany({ [from]: { $exists: true } }, { $unset: { [from]: '' } });
    await ctx.db.collection('audit_log').updateMany({ entity: entityName, 'changes.field': from }, { $set: { 'changes.$[c].field': to } }, { arrayFilters: [{ 'c.field': from }] });
    // Entries of created records keep their values by field name (audit/event-changes.ts).
    await ctx.db.collection('audit_log').updateMany({ entity: entityName, [`values.${from}`]: { $exists: true } }, { $rename: { [`values.${from}`]: `values.${to}` } });
    await renameInAuditBatches(ctx.db, entityName, from, to);
    await ctx.db.collection('recycle_bin').updateMany({ entity: entityName, [`record.${from}`]: { $exists: true } }, { $rename: { [`record.${from}`]: `record.${to}` } });
    await roles.after(entityName, from, to);
    await deps.follow?.(entityName, from, to);
    return saved;
  };
}
