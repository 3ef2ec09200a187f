/**
 * MongoDB's `failCommand` fail point, for tests that need a command to fail or a connection to
 * drop on cue (conformance tests, and later the app's own resilience tests). Like mongod's
 * enableTestCommands, it exists only when the engine is started with `testCommands: true`.
 */
import type { Doc } from './collection-store.ts';
import { fail } from './engine-errors.ts';

/** Thrown from a command to make the wire server drop the connection instead of replying. */
export class CloseConnection extends Error {}

type Active = { skip: number; remaining: number; data: Doc };

export class FailPoints {
  private failCommand?: Active;

  /** The `configureFailPoint` command. */
  configure(cmd: Doc): Doc {
    if (cmd.configureFailPoint !== 'failCommand') fail('BadValue', `unknown fail point: ${String(cmd.configureFailPoint)}`);
    const mode = cmd.mode;
    if (mode === 'off') {
      this.failCommand = undefined;
      return { count: 0, ok: 1 };
    }
    const data = (cmd.data ?? {}) as Doc;
    if (!Array.isArray(data.failCommands)) fail('BadValue', 'failCommand needs data.failCommands');
    const times = typeof mode === 'object' && mode !== null ? (mode as Doc) : {};
    if (mode !== 'alwaysOn' && times.times === undefined && times.skip === undefined) fail('BadValue', `unsupported fail point mode ${JSON.stringify(mode)}`);
    this.failCommand = {
      skip: Number(times.skip ?? 0),
      remaining: times.times === undefined ? Number.POSITIVE_INFINITY : Number(times.times),
      data,
    };
    return { count: 0, ok: 1 };
  }

  /**
   * Called before each command: resolves to a reply that replaces the command's own, throws
   * CloseConnection, or resolves to undefined to let the command run.
   */
  async intercept(commandName: string): Promise<Doc | undefined> {
    const active = this.failCommand;
    if (!active || !(active.data.failCommands as unknown[]).includes(commandName)) return undefined;
    if (active.skip > 0) {
      active.skip--;
      return undefined;
    }
    if (--active.remaining <= 0) this.failCommand = undefined;
    const { data } = active;
    if (data.blockConnection === true) await new Promise((resolve) => setTimeout(resolve, Number(data.blockTimeMS ?? 0)));
    if (data.closeConnection === true) throw new CloseConnection(`failCommand closed the connection on ${commandName}`);
    if (data.errorCode === undefined) return undefined;
    return {
      ok: 0,
      code: Number(data.errorCode),
      errmsg: `Failing command ${commandName} via 'failCommand' failpoint`,
      ...(Array.isArray(data.errorLabels) ? { errorLabels: data.errorLabels } : {}),
    };
  }
}
