/**
 * Starts the real server as a child process and follows its pino log, for the lifecycle test and
 * the smoke run: what they check is what an operator sees (log lines, exit codes, signals).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type LogLine = { msg?: string; level?: number; [key: string]: unknown };

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type ServerProcess = {
  child: ChildProcess;
  /** Base URL from the 'rapport listening' log line. */
  url: string;
  logs: LogLine[];
  stderr: () => string;
  waitForLog: (msg: string, timeoutMs?: number) => Promise<LogLine>;
  exited: Promise<Exit>;
  /** Pid of the process running server/main.ts (from its log), which may be below npm and tsx. */
  serverPid: number;
  /**
   * Signals the server process itself and resolves with how the spawned command ended (after its
   * output is drained). npm does not relay SIGTERM to `npm start`'s server: it kills its shell and
   * exits 143, orphaning the server, so the signal goes to the logged pid instead.
   */
  stop: (signal?: NodeJS.Signals) => Promise<Exit>;
};

export type StartServerOptions = {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  startTimeoutMs?: number;
};

/** Resolves once the server logs 'rapport listening'; rejects with its output if it exits first. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<Exit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const follower = followLogs(child, exited);
  let listening: LogLine;
  try {
    listening = await follower.waitForLog('rapport listening', options.startTimeoutMs ?? 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const serverPid = typeof listening.pid === 'number' ? listening.pid : (child.pid ?? 0);
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    url: String(listening.url),
    ...follower,
    exited,
    serverPid,
    stop: (signal = 'SIGTERM') => {
      if (!done) signalQuietly(serverPid, signal);
      if (!done && signal === 'SIGKILL') child.kill(signal);
      return exited;
    },
  };
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to stop.
  }
}

type LogFollower = Pick<ServerProcess, 'logs' | 'stderr' | 'waitForLog'>;

function followLogs(child: ChildProcess, exited: Promise<Exit>): LogFollower {
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  const wakeAll = () => [...waiters].forEach((wake) => wake());
  let stderr = '';
  let pending = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const parsed of lines.map(parseLogLine)) if (parsed) logs.push(parsed);
    wakeAll();
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    wakeAll();
  });

  const waitForLog = (msg: string, timeoutMs = 10_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        outcome();
      };
      const check = () => {
        const found = logs.find((l) => l.msg === msg);
        if (found) finish(() => resolve(found));
        else if (hasExited) {
          finish(() => reject(new Error(`server exited before logging '${msg}'\n${describeOutput(logs, stderr)}`)));
        }
      };
      const timer = setTimeout(() => {
        finish(() => reject(new Error(`no '${msg}' log line within ${timeoutMs} ms\n${describeOutput(logs, stderr)}`)));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  return { logs, stderr: () => stderr, waitForLog };
}

function parseLogLine(line: string): LogLine | undefined {
  // npm prints its own banner lines before the server's JSON ones.
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return undefined;
  }
}

function describeOutput(logs: LogLine[], stderr: string): string {
  const last = logs.slice(-10).map((l) => JSON.stringify(l));
  return `last log lines:\n${last.join('\n') || '(none)'}\nstderr:\n${stderr.trim() || '(empty)'}`;
}
