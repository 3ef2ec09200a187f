import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

// The standalone engine in a child process: the only way to crash it for real (SIGKILL) from a test.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = 'server/storage/embedded/standalone.ts';
const OUTPUT_TAIL = 4_000;

export type ExitResult = { code: number | null; signal: NodeJS.Signals | null; forced: boolean };

export type EngineProcess = {
  uri: string;
  port: number;
  pid: number;
  /** Milliseconds from spawn to the `listening <port>` line (journal recovery included). */
  startMs: number;
  /** SIGKILL: the crash. Resolves once the process is gone. */
  crash(): Promise<void>;
  /** SIGTERM, then SIGKILL if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<ExitResult>;
  /** Last few KB of stdout and stderr, for failure messages. */
  output(): string;
};

/** A port free on 127.0.0.1 right now (the engine binds it a moment later). */
export async function getFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function waitForExit(child: ChildProcess): Promise<ExitResult> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode, forced: false });
  }
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal, forced: false })));
}

export async function startEngineProcess({ dbPath, port, timeoutMs = 30_000 }: { dbPath: string; port?: number; timeoutMs?: number }): Promise<EngineProcess> {
  const requestedPort = port ?? (await getFreePort());
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--dbpath', dbPath, '--port', String(requestedPort)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stderr!.on('data', keep);
  const exited = waitForExit(child);
  const listeningPort = await new Promise<number>((resolveReady, reject) => {
    let stdoutBuffer = '';
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`engine did not print "listening" within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      if (ready) return;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n--- engine output ---\n${tail}`));
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (ready) return;
      stdoutBuffer += chunk.toString('utf8');
      const match = /^listening (\d+)\s*$/m.exec(stdoutBuffer);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolveReady(Number(match[1]));
      }
    });
    child.once('error', fail);
    void exited.then((exit) => fail(new Error(`engine exited before listening (code ${exit.code}, signal ${exit.signal})`)));
  });
  const startMs = performance.now() - started;
  return {
    uri: `mongodb://127.0.0.1:${listeningPort}/?directConnection=true`,
    port: listeningPort,
    pid: child.pid!,
    startMs,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop(stopTimeoutMs = 10_000) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<ExitResult>((done) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          void exited.then((exit) => done({ ...exit, forced: true }));
        }, stopTimeoutMs);
      });
      const result = await Promise.race([exited, forced]);
      clearTimeout(timer);
      return result;
    },
    output: () => tail,
  };
}
