/**
 * Process entry point and the only reader of process.env: loads config, builds dependencies,
 * listens, and shuts down cleanly on SIGTERM/SIGINT (stop accepting, finish in-flight requests,
 * close the database, which flushes the embedded engine's journal).
 */
import { createApp, type Rapport } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config/index.ts';
import { createGracefulCloser, type GracefulCloser } from './http/graceful-close.ts';
import { createLogger, type Logger } from './shared/logger.ts';
import { connect, type Storage } from './storage/index.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });
  const storage = await connect(config, logger.child({ module: 'storage' }));
  const rapport = createApp({ db: storage.db, logger, auth: authOptions(config), retentionDays: config.retentionDays, workflows: { concurrency: config.workflowConcurrency, leaseMs: config.workflowLeaseSeconds * 1000 }, ...(config.pluginsDir ? { pluginsDir: config.pluginsDir } : {}), ...(config.pluginFetchAllow ? { pluginFetch: { allowAddresses: config.pluginFetchAllow.split(',') } } : {}), ...(config.smtpUrl ? { smtpUrl: config.smtpUrl } : {}), mailFrom: config.mailFrom });
  const info = await rapport.start();
  const server = rapport.app.listen(config.port, config.host);
  const closer = createGracefulCloser(server);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ url: `http://${config.host}:${port}` }, 'rapport listening');
  if (info.setupToken) {
    // Printed, not logged: log shippers must not collect it. It works once, for 24 hours.
    process.stdout.write(`\nNo administrator yet. Open this one-time link to create one:\n  ${config.publicUrl ?? `http://${config.host}:${port}`}/setup#token=${info.setupToken}\n(or POST /api/auth/setup with {"token", "email", "name", "password"})\n\n`);
  }
  onShutdown({ closer, rapport, storage, logger, timeoutMs: config.shutdownTimeoutMs });
}

function authOptions(config: Config) {
  return {
    publicUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionMaxHours: config.sessionMaxHours,
    ...(config.adminEmail && config.adminPassword ? { bootstrapAdmin: { email: config.adminEmail, password: config.adminPassword } } : {}),
  };
}

function onShutdown(ctx: { closer: GracefulCloser; rapport: Rapport; storage: Storage; logger: Logger; timeoutMs: number }): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down');
    await ctx.closer.close(ctx.timeoutMs);
    await ctx.rapport.stop();
    await ctx.storage.close();
    ctx.logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      stop(signal).catch((err: unknown) => {
        ctx.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rapport failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
