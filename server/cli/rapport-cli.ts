/**
 * The `rapport` command. For plugin authors (issue 6):
 *   rapport plugin new <id> [--entity <entity>] [--dir <plugins dir>]   scaffold a plugin with a test
 *   rapport plugin test <id> [--dir <plugins dir>]                      run that plugin's tests
 * and on a database (issue 9, data-commands.ts): packs, sample data, metadata export/import, admins;
 *   rapport start                                                        the server (as npm start)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as osConstants } from 'node:os';
import { pluginFiles } from './plugin-template.ts';
import { DATA_AREAS, DATA_USAGE, runDataCommand } from './data-commands.ts';
import { serverNodeFlags } from './server-flags.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const USAGE = `usage: rapport start\n       rapport plugin new <id> [--entity <entity>] [--dir <plugins dir>]\n       rapport plugin test <id> [--dir <plugins dir>]\n${DATA_USAGE}`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function newPlugin(id: string, args: string[]): Promise<number> {
  if (!/^[a-z][a-z0-9-]{1,62}$/.test(id)) return fail(`a plugin id is lower case letters, digits and dashes: ${id}`);
  const entity = option(args, 'entity') ?? 'contact';
  if (!/^[a-z][a-z0-9_]{1,39}$/.test(entity)) return fail(`not an entity api name: ${entity}`);
  const folder = join(resolve(option(args, 'dir') ?? join(repoRoot, 'plugins')), id);
  if (existsSync(folder)) return fail(`${folder} already exists`);
  await mkdir(folder, { recursive: true });
  const sdk = relative(folder, join(repoRoot, 'plugins/sdk')).split('\\').join('/');
  for (const [name, text] of Object.entries(pluginFiles(id, entity, sdk))) await writeFile(join(folder, name), text);
  console.log(`created ${folder}\n  plugin.json, index.js (a beforeSave hook on ${entity}), ${id}.test.ts\nnext: rapport plugin test ${id}; then, as an admin, POST /api/plugins {"id":"${id}"}, grant, enable.`);
  return 0;
}

function testPlugin(id: string, args: string[]): number {
  const folder = join(resolve(option(args, 'dir') ?? join(repoRoot, 'plugins')), id);
  if (!existsSync(join(folder, 'plugin.json'))) return fail(`there is no plugin at ${folder}`);
  // Rapport's own vitest: with the project's config for a plugin inside the repository, rooted at
  // the plugin's folder for one kept elsewhere.
  const inside = !relative(repoRoot, folder).startsWith('..');
  const vitestArgs = inside ? ['run', relative(repoRoot, folder)] : ['run', '--root', folder, '--pool', 'forks', '--testTimeout', '60000'];
  const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), ...vitestArgs], { stdio: 'inherit', cwd: repoRoot });
  return run.status ?? 1;
}

function fail(message: string): number {
  console.error(message);
  return 1;
}

/**
 * The studio built, then the server in a child process started with its Node flags
 * (server-flags.ts). SIGTERM and SIGINT are passed on, so a process manager may run this; the
 * exit code is the server's.
 */
async function start(): Promise<number> {
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(repoRoot, 'studio/vite.config.ts'), '--logLevel', 'warn'], { stdio: 'inherit', cwd: repoRoot });
  if (build.status !== 0) return build.status ?? 1;
  const server = spawn(process.execPath, [...serverNodeFlags(), '--import', import.meta.resolve('tsx'), join(repoRoot, 'server/main.ts')], { stdio: 'inherit', cwd: process.cwd() });
  const pass = (signal: NodeJS.Signals) => () => server.kill(signal);
  process.on('SIGTERM', pass('SIGTERM')).on('SIGINT', pass('SIGINT'));
  const [code, signal] = (await new Promise((resolve) => server.once('exit', (...exit) => resolve(exit)))) as [number | null, NodeJS.Signals | null];
  return code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
}

async function main(args: string[]): Promise<number> {
  const [area, command, id] = args;
  if (area === 'start' && args.length === 1) return start();
  if (area && DATA_AREAS.includes(area)) return runDataCommand(area, args.slice(1));
  if (area !== 'plugin' || !id || (command !== 'new' && command !== 'test')) return fail(USAGE);
  return command === 'new' ? newPlugin(id, args.slice(3)) : testPlugin(id, args.slice(3));
}

process.exitCode = await main(process.argv.slice(2));
