/** Routes a command document to its handler and shapes every failure as MongoDB would. */
import type { Logger } from '../../../shared/logger.ts';
import type { Doc } from '../collection-store.ts';
import { EngineError } from '../engine-errors.ts';
import type { FailPoints } from '../fail-points.ts';
import { aggregateCommands } from './aggregate.commands.ts';
import { catalogCommands } from './catalog.commands.ts';
import type { CommandContext, CommandHandler } from './command-context.ts';
import { handshakeCommands } from './handshake.commands.ts';
import { readCommands } from './read.commands.ts';
import { writeCommands } from './write.commands.ts';

const NO_TRANSACTIONS = new EngineError('IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');

const COMMANDS: Record<string, CommandHandler> = {
  ...handshakeCommands,
  ...readCommands,
  ...writeCommands,
  ...catalogCommands,
  ...aggregateCommands,
  commitTransaction: () => NO_TRANSACTIONS.toReply(),
  abortTransaction: () => NO_TRANSACTIONS.toReply(),
};

export async function runCommand(body: Doc, ctx: CommandContext, logger?: Logger): Promise<Doc> {
  const name = Object.keys(body)[0];
  if (ctx.failPoints && name !== undefined) {
    if (name === 'configureFailPoint') return configure(ctx.failPoints, body);
    const forced = await ctx.failPoints.intercept(name);
    if (forced) return forced;
  }
  const handler = name === undefined ? undefined : COMMANDS[name];
  if (!handler || !Object.hasOwn(COMMANDS, name!)) {
    return { ok: 0, errmsg: `no such command: '${name ?? ''}'`, code: 59, codeName: 'CommandNotFound' };
  }
  if (body.startTransaction === true || body.autocommit === false) return NO_TRANSACTIONS.toReply();
  try {
    return await handler(body, ctx);
  } catch (err) {
    if (err instanceof EngineError) return err.toReply();
    logger?.error({ err, command: name }, 'embedded engine command failed');
    return { ok: 0, errmsg: err instanceof Error ? err.message : String(err), code: 1, codeName: 'InternalError' };
  }
}

function configure(failPoints: FailPoints, body: Doc): Doc {
  try {
    return failPoints.configure(body);
  } catch (err) {
    if (err instanceof EngineError) return err.toReply();
    throw err;
  }
}
