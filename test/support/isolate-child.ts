/**
 * Runs an ES module script in a child Node started the way the plugin worker is (with the
 * isolated-vm node flags, which vitest's workers lack), and returns the JSON its last line prints.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ISOLATED_VM_NODE_FLAGS } from '../../server/plugins/isolated-vm-loader.ts';

const execFileAsync = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function runInIsolateChild(script: string): Promise<unknown> {
  const { stdout } = await execFileAsync(
    process.execPath,
    [...ISOLATED_VM_NODE_FLAGS, '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: repoRoot, timeout: 30_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}
