/** Runs the engine and its wire server on the current thread: open, listen, stop. */
import type { Logger } from '../../shared/logger.ts';
import { runCommand } from './commands/dispatch.ts';
import { CursorRegistry } from './cursors.ts';
import { Engine } from './engine.ts';
import { WireServer } from './wire-server.ts';
import { FailPoints } from './fail-points.ts';

export type EngineHost = { port: number; stop(): Promise<void> };

export type HostOptions = { dataDir: string; port: number; logger?: Logger; testCommands?: boolean };

export async function hostEngine(options: HostOptions): Promise<EngineHost> {
  const engine = await Engine.open({ dataDir: options.dataDir, logger: options.logger });
  const cursors = new CursorRegistry();
  const failPoints = options.testCommands ? new FailPoints() : undefined;
  const server = new WireServer(
    (body, db, connectionId) => runCommand(body, { engine, cursors, db, connectionId, failPoints }, options.logger),
    options.logger,
  );
  let port: number;
  try {
    port = await server.listen(options.port);
  } catch (err) {
    await engine.close();
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    port,
    stop() {
      stopping ??= (async () => {
        await server.close();
        cursors.close();
        await engine.close();
      })();
      return stopping;
    },
  };
}
