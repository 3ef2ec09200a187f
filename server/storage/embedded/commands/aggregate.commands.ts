/**
 * aggregate: the pipeline runs over a collection or view (pipeline-exec.ts); a trailing $out or
 * $merge is carried out here so its writes take the journalled path.
 */
import type { Doc } from '../collection-store.ts';
import { fail } from '../engine-errors.ts';
import { runPipeline } from '../pipeline-exec.ts';
import { asDoc, letVariables, namespaceOf, type CommandHandler } from './command-context.ts';
import { writeMerge, writeOut } from './aggregate-output.ts';

const aggregate: CommandHandler = async (cmd, ctx) => {
  if (!Array.isArray(cmd.pipeline)) fail('TypeMismatch', "'pipeline' option must be specified as an array");
  const pipeline = cmd.pipeline as Doc[];
  const ns = typeof cmd.aggregate === 'string' ? namespaceOf(ctx, cmd.aggregate) : undefined;
  const last = pipeline.at(-1);
  const output = last && ('$out' in last || '$merge' in last) ? last : undefined;
  const spec = { collation: asDoc(cmd.collation, 'collation'), variables: letVariables(cmd.let) };
  let results = runPipeline(ctx.engine, { ns, pipeline: output ? pipeline.slice(0, -1) : pipeline, ...spec });
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
