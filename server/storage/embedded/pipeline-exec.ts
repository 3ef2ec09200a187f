/**
 * Runs an aggregation pipeline over a collection or a view. A view is its source collection
 * plus its pipeline (views on views resolve down to a collection). A leading $match narrows the
 * input through an index.
 */
import { Aggregator, ProcessingMode } from './mingo.ts';
import { cloneDeep } from 'mingo/util';
import type { Doc } from './collection-store.ts';
import type { Engine } from './engine.ts';
import { asEngineError, fail } from './engine-errors.ts';
import { matching, queryOptions } from './query-exec.ts';

export type PipelineSpec = { collation?: Doc; variables?: Doc };

const MAX_VIEW_DEPTH = 20;

/** The collection a view reads and the pipeline that turns it into the view; undefined for a collection. */
function resolveView(engine: Engine, ns: string): { sourceNs: string; pipeline: Doc[] } | undefined {
  let pipeline: Doc[] = [];
  let current = ns;
  for (let depth = 0; depth < MAX_VIEW_DEPTH; depth++) {
    const options = engine.store(current)?.options;
    if (!options?.viewOn) return depth === 0 ? undefined : { sourceNs: current, pipeline };
    pipeline = [...((options.pipeline as Doc[]) ?? []), ...pipeline];
    current = `${current.slice(0, current.indexOf('.'))}.${String(options.viewOn)}`;
  }
  fail('BadValue', `view ${ns} nests more than ${MAX_VIEW_DEPTH} views`);
}

export function isView(engine: Engine, ns: string): boolean {
  return Boolean(engine.store(ns)?.options.viewOn);
}

/** Runs `pipeline` over the collection or view `ns` (none: a database-level aggregate). */
export function runPipeline(engine: Engine, run: { ns?: string; pipeline: Doc[] } & PipelineSpec): Doc[] {
  const { ns, pipeline, ...spec } = run;
  const view = ns ? resolveView(engine, ns) : undefined;
  const sourceNs = view?.sourceNs ?? ns;
  const { docs, stages } = sourceDocs(engine, { ns: sourceNs, pipeline: [...(view?.pipeline ?? []), ...pipeline], ...spec });
  const db = ns?.slice(0, ns.indexOf('.'));
  try {
    return new Aggregator(stages, {
      processingMode: ProcessingMode.CLONE_INPUT,
      ...queryOptions(spec),
      collectionResolver: (name: string) => (db ? runPipeline(engine, { ns: `${db}.${name}`, pipeline: [] }).map((d) => cloneDeep(d) as Doc) : []),
    }).run(docs) as Doc[];
  } catch (err) {
    throw asEngineError(err);
  }
}

function sourceDocs(engine: Engine, run: { ns?: string; pipeline: Doc[] } & PipelineSpec): { docs: Doc[]; stages: Doc[] } {
  const { ns, pipeline, ...spec } = run;
  const store = ns ? engine.store(ns) : undefined;
  if (!store) return { docs: [], stages: pipeline };
  const first = pipeline[0];
  if (first && '$match' in first && !('$expr' in (first.$match as Doc))) {
    const filter = first.$match as Doc;
    return { docs: [...matching(store, { filter, collation: spec.collation, variables: spec.variables })], stages: pipeline.slice(1) };
  }
  return { docs: [...store.docs.values()], stages: pipeline };
}

/** The pipeline equivalent of a find, for reading through a view. */
export function findAsPipeline(spec: { filter?: Doc; sort?: Doc; skip?: number; limit?: number; projection?: Doc }): Doc[] {
  return [
    { $match: spec.filter ?? {} },
    ...(spec.sort && Object.keys(spec.sort).length ? [{ $sort: spec.sort }] : []),
    ...(spec.skip ? [{ $skip: spec.skip }] : []),
    ...(spec.limit ? [{ $limit: spec.limit }] : []),
    ...(spec.projection && Object.keys(spec.projection).length ? [{ $project: spec.projection }] : []),
  ];
}
