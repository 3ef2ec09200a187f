import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Total size of the files under a directory, as "12.3 MB" ("missing" if it does not exist). */
export async function directorySize(dir: string): Promise<string> {
  const bytes = await sumBytes(dir).catch(() => undefined);
  return bytes === undefined ? 'missing' : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function sumBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await sumBytes(path) : (await stat(path)).size;
  }
  return total;
}
