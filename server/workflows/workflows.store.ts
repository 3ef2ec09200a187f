/**
 * Where workflow definitions live (issue 7): `workflows` (current, with a version for optimistic
 * concurrency), `workflow_history` (every version). Every change bumps a counter that each
 * instance polls, so a saved workflow is live everywhere within the poll interval, no restart.
 */
import type { Collection, Db } from 'mongodb';
import type { WorkflowDefinition } from './workflow.types.ts';

export type StoredWorkflow = {
  _id: string;
  definition: WorkflowDefinition;
  version: number;
  /** sha256 of the inbound webhook secret (webhook and inbound email triggers). */
  secretHash?: string;
  deleted: boolean;
  updatedAt: Date;
  updatedBy: string;
};

export type WorkflowsStore = ReturnType<typeof createWorkflowsStore>;

export function createWorkflowsStore(db: Db) {
  const workflows: Collection<StoredWorkflow> = db.collection('workflows');
  const history = db.collection<{ workflow: string; version: number; definition: WorkflowDefinition; deleted: boolean; at: Date; by: string }>('workflow_history');
  const state = db.collection<{ _id: string; n: number }>('workflow_state');

  return {
    async init(): Promise<void> {
      await history.createIndex({ workflow: 1, version: -1 }, { unique: true });
    },
    /** Changes whenever any workflow does: pollers compare it to what they loaded. */
    async generation(): Promise<number> {
      return (await state.findOne({ _id: 'generation' }))?.n ?? 0;
    },
    live: () => workflows.find({ deleted: false }).toArray(),
    get: (name: string) => workflows.findOne({ _id: name }),
    /** Saves against the version read (0: new); null when someone else changed it first. */
    async save(input: { definition: WorkflowDefinition; expectedVersion: number; by: string; deleted?: boolean; secretHash?: string }): Promise<StoredWorkflow | null> {
      const previous = await workflows.findOne({ _id: input.definition.name });
      if ((previous?.version ?? 0) !== input.expectedVersion) return null;
      const doc: StoredWorkflow = {
        _id: input.definition.name, definition: input.definition, version: input.expectedVersion + 1, deleted: input.deleted ?? false,
        updatedAt: new Date(), updatedBy: input.by, ...(input.secretHash ?? previous?.secretHash ? { secretHash: input.secretHash ?? previous?.secretHash } : {}),
      };
      try {
        const res = await workflows.replaceOne({ _id: doc._id, version: input.expectedVersion }, doc, { upsert: input.expectedVersion === 0 });
        if (res.matchedCount === 0 && res.upsertedCount === 0) return null;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return null;
        throw err;
      }
      await history.insertOne({ workflow: doc._id, version: doc.version, definition: doc.definition, deleted: doc.deleted, at: doc.updatedAt, by: input.by });
      await state.updateOne({ _id: 'generation' }, { $inc: { n: 1 } }, { upsert: true });
      return doc;
    },
    historyOf: (name: string, limit: number) => history.find({ workflow: name }, { projection: { _id: 0 } }).sort({ version: -1 }).limit(limit).toArray(),
  };
}
