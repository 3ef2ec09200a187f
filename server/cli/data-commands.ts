/**
 * The `rapport` commands that work on a database (issue 9): packs, sample data, metadata export
 * and import, the first administrator. They open the database the server would (the same
 * environment: MONGODB_URI, or the embedded engine in RAPPORT_DATA_DIR, which a running server
 * holds locked: stop it first, or point both at MongoDB) and go through the same services.
 *
 *   rapport pack list
 *   rapport pack install <name> [--sample N] [--seed S]
 *   rapport pack uninstall <name> [--delete-data]
 *   rapport seed <pack> <N> [--seed S]
 *   rapport metadata export [file]          (standard output without a file)
 *   rapport metadata import <file>
 *   rapport admin create <email> [--name N] [--password P]   (without a password: a one-time link)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createApp, type Rapport } from '../app.ts';
import { loadConfig } from '../config/index.ts';
import { SYSTEM_ACTOR } from '../shared/actor.ts';
import { Problem } from '../shared/errors.ts';
import { createLogger } from '../shared/logger.ts';
import { connect } from '../storage/index.ts';

export const DATA_USAGE = [
  'rapport pack list',
  'rapport pack install <name> [--sample N] [--seed S]',
  'rapport pack uninstall <name> [--delete-data]',
  'rapport seed <pack> <N> [--seed S]',
  'rapport metadata export [file]',
  'rapport metadata import <file>',
  'rapport admin create <email> [--name N] [--password P]',
].map((line) => `       ${line}`).join('\n');

type Out = { log(text: string): void };
type Report = { created?: unknown[]; updated?: unknown[]; unchanged?: unknown[]; conflicts?: Array<{ kind: string; name: string; entity?: string; reason: string }>; skipped?: unknown[] };

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function count(args: string[], name: string, fallback?: number): number | undefined {
  const text = option(args, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} takes a whole number, not "${text}"`);
  return n;
}

/** The server's config, database and services, for the length of one command. */
async function withRapport<T>(work: (rapport: Rapport) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  // Background loops may still be finishing when the command closes the database: not worth a warning here.
  const logger = createLogger({ level: process.env.LOG_LEVEL ? config.logLevel : 'error' });
  const storage = await connect(config, logger);
  const rapport = createApp({ db: storage.db, logger, retentionDays: config.retentionDays, ...(config.pluginsDir ? { pluginsDir: config.pluginsDir } : {}), mailFrom: config.mailFrom });
  try {
    await rapport.start();
    return await work(rapport);
  } finally {
    await rapport.stop();
    await storage.close();
  }
}

function printReport(out: Out, report: Report): void {
  const n = (list?: unknown[]) => list?.length ?? 0;
  out.log(`created ${n(report.created)}, updated ${n(report.updated)}, unchanged ${n(report.unchanged)}, conflicts ${n(report.conflicts)}${n(report.skipped) ? `, skipped ${n(report.skipped)}` : ''}`);
  for (const c of report.conflicts ?? []) out.log(`  conflict: ${c.kind} ${c.entity ? `${c.entity}/` : ''}${c.name}: ${c.reason}`);
}

const sampleLine = (s: { records: number; failed: number; ms: number }) => `sample: ${s.records} records in ${(s.ms / 1000).toFixed(1)} s (${Math.round(s.records / Math.max(s.ms / 1000, 0.001))} records/s)${s.failed ? `, ${s.failed} refused` : ''}`;

async function pack(args: string[], out: Out): Promise<number> {
  const [command, name] = args;
  if (command === 'list') {
    return withRapport(async (r) => {
      for (const p of await r.packs.list()) out.log(`${p.name.padEnd(12)} ${p.installed ? `installed ${p.installedVersion ?? ''}`.padEnd(18) : 'not installed'.padEnd(18)} ${p.label}`);
      return 0;
    });
  }
  if (!name || (command !== 'install' && command !== 'uninstall')) throw new Error(`usage:\n${DATA_USAGE}`);
  if (command === 'uninstall') {
    return withRapport(async (r) => {
      const result = await r.packs.uninstall(name, { deleteData: args.includes('--delete-data') }, SYSTEM_ACTOR);
      out.log(`removed ${result.removed.length}, kept ${result.kept.length}${result.purged.length ? `, data deleted: ${result.purged.join(', ')}` : result.dataKept.length ? `; data kept in the archive: ${result.dataKept.join(', ')}` : ''}`);
      for (const k of result.kept) out.log(`  kept: ${k.kind} ${k.name}: ${k.reason}`);
      return 0;
    });
  }
  const sampleRecords = count(args, 'sample', 0);
  const seed = count(args, 'seed');
  return withRapport(async (r) => {
    const report = await r.packs.install(name, { sampleRecords, seed }, SYSTEM_ACTOR);
    printReport(out, report);
    if (report.sample.records || report.sample.failed) out.log(sampleLine(report.sample));
    return report.conflicts.length ? 2 : 0;
  });
}

async function seedCommand(args: string[], out: Out): Promise<number> {
  const [name, n] = args;
  const records = Number(n);
  if (!name || !Number.isSafeInteger(records) || records < 1) throw new Error(`usage:\n${DATA_USAGE}`);
  return withRapport(async (r) => {
    out.log(sampleLine(await r.packs.sample(name, { records, seed: count(args, 'seed') })));
    return 0;
  });
}

async function metadata(args: string[], out: Out): Promise<number> {
  const [command, file] = args;
  if (command === 'export') {
    return withRapport(async (r) => {
      const text = JSON.stringify(await r.packs.exportMetadata(), null, 2) + '\n';
      if (file) await writeFile(file, text);
      else process.stdout.write(text);
      return 0;
    });
  }
  if (command !== 'import' || !file) throw new Error(`usage:\n${DATA_USAGE}`);
  const document: unknown = JSON.parse(await readFile(file, 'utf8'));
  return withRapport(async (r) => {
    const report = await r.packs.importMetadata(document, SYSTEM_ACTOR);
    printReport(out, report);
    return report.conflicts.length ? 2 : 0;
  });
}

async function admin(args: string[], out: Out): Promise<number> {
  const [command, email] = args;
  if (command !== 'create' || !email) throw new Error(`usage:\n${DATA_USAGE}`);
  const password = option(args, 'password');
  return withRapport(async (r) => {
    const user = await r.users.create({ email, name: option(args, 'name') ?? email.split('@')[0], roles: ['admin'], ...(password ? { password } : {}) }, 'cli');
    out.log(`created administrator ${user.email} (${user.id})`);
    if (!password) {
      const { token, expiresAt } = await r.users.issueSetPasswordLink(user.id, 'cli');
      out.log(`set the password with this one-time link (until ${expiresAt.toISOString()}):\n  ${process.env.RAPPORT_PUBLIC_URL ?? ''}/reset-password#token=${token}`);
    }
    return 0;
  });
}

/** Runs a data command; a problem from a service is printed as the API would word it. */
export async function runDataCommand(area: string, args: string[], out: Out = console): Promise<number> {
  try {
    if (area === 'pack') return await pack(args, out);
    if (area === 'seed') return await seedCommand(args, out);
    if (area === 'metadata') return await metadata(args, out);
    return await admin(args, out);
  } catch (err) {
    const problem = err instanceof Problem ? `${err.detail ?? err.title}${err.errors?.length ? `\n${err.errors.slice(0, 10).map((e) => `  ${e.pointer}: ${e.detail}`).join('\n')}` : ''}` : err instanceof Error ? err.message : String(err);
    console.error(problem);
    return 1;
  }
}

export const DATA_AREAS = ['pack', 'seed', 'metadata', 'admin'];
