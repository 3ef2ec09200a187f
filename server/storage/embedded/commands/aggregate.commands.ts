/**
 * aggregate: mingo runs the pipeline; a leading $match narrows the input through an index;
 * a trailing $out or $merge is carried out here so its writes take the journalled path.
 */
import { Aggregator, ProcessingMode } from 'mingo';
import { cloneDeep } from 'mingo/util';
import type { Doc } from '../collection-store.ts';
import { asEngineError, fail } from '../engine-errors.ts';
import { matching } from '../query-exec.ts';
import { asDoc, namespaceOf, type CommandContext, type CommandHandler } from './command-context.ts';
import { writeMerge, writeOut } from './aggregate-output.ts';

function sourceDocs(ctx: CommandContext, ns: string | undefined, pipeline: Doc[], spec: { collation?: Doc; variables?: Doc }): { docs: Doc[]; stages: Doc[] } {
  if (!ns) return { docs: [], stages: pipeline };
  const store = ctx.engine.store(ns);
  if (!store) return { docs: [], stages: pipeline };
  const first = pipeline[0];
  if (first && '$match' in first && !('$expr' in (first.$match as Doc))) {
    return { docs: [...matching(store, { filter: first.$match as Doc, ...spec })], stages: pipeline.slice(1) };
  }
  return { docs: [...store.docs.values()], stages: pipeline };
}

const aggregate: CommandHandler = async (cmd, ctx) => {
  if (!Array.isArray(cmd.pipeline)) fail('TypeMismatch', "'pipeline' option must be specified as an array");
  const pipeline = cmd.pipeline as Doc[];
  const ns = typeof cmd.aggregate === 'string' ? namespaceOf(ctx, cmd.aggregate) : undefined;
  const last = pipeline.at(-1);
  const output = last && ('$out' in last || '$merge' in last) ? last : undefined;
  const spec = { collation: asDoc(cmd.collation, 'collation'), variables: asDoc(cmd.let, 'let') };
  const { docs, stages } = sourceDocs(ctx, ns, output ? pipeline.slice(0, -1) : pipeline, spec);
  let results: Doc[];
  try {
    results = new Aggregator(stages, {
      processingMode: ProcessingMode.CLONE_INPUT,
      ...(spec.collation ? { collation: spec.collation as never } : {}),
      ...(spec.variables ? { variables: spec.variables } : {}),
      collectionResolver: (name: string) => {
        const store = ctx.engine.store(`${ctx.db}.${name}`);
        return store ? [...store.docs.values()].map((d) => cloneDeep(d) as Doc) : [];
      },
    }).run(docs) as Doc[];
  } catch (err) {
    throw asEngineError(err);
  }
  if (cmd.explain === true) return { stages: pipeline, ok: 1 };
  if (output) {
    if ('$out' in output) await writeOut(ctx, output.$out, results);
    else await writeMerge(ctx, output.$merge, results);
    results = [];
  }
  const cursorSpec = asDoc(cmd.cursor, 'cursor');
  const cursorNs = ns ?? `${ctx.db}.$cmd.aggregate`;
  return { cursor: ctx.cursors.start(cursorNs, results, cursorSpec?.batchSize as number | undefined), ok: 1 };
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
