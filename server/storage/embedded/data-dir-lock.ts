/**
 * One process per data directory: a lock file holding the owner's pid, created exclusively.
 * A lock left by a process that no longer exists (kill -9) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export type DataDirLock = { release(): void };

export function lockDataDir(dir: string): DataDirLock {
  const path = join(dir, 'mongod.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => releaseIfOurs(path) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readSafely(path), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new Error(`data directory ${dir} is in use by process ${owner}`);
      }
      if (owner === process.pid) throw new Error(`data directory ${dir} is already open in this process`);
      unlinkSync(path);
    }
  }
  throw new Error(`could not lock data directory ${dir}`);
}

function readSafely(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseIfOurs(path: string): void {
  if (readSafely(path) === String(process.pid)) unlinkSync(path);
}
