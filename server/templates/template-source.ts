/**
 * Template source on the host (issue 7): parse, refuse what is unsafe, precompile. Only parsing
 * and code generation happen here, never the template's own code: that runs in the render
 * sandbox. Precompiled specs are cached by the hash of their source, so each version of a
 * template is compiled once, however many times it is rendered and on however many pages.
 */
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import type { FieldError } from '../shared/errors.ts';
import { HELPER_NAMES } from './sandbox/guest-runtime.ts';
import { templateProblems } from './templates.problems.ts';
import type { TemplateDefinition } from './template.types.ts';

export type PartName = 'subject' | 'html' | 'text';
export const PART_NAMES: readonly PartName[] = ['subject', 'html', 'text'];

/** A syntax or safety error in one part, where it is. */
export type SourceError = FieldError & { line: number; column: number; unsafe?: true };

/** Each part as JavaScript source of a Handlebars template spec, and the partials they include by name. */
export type CompiledTemplate = { hash: string; kind: TemplateDefinition['kind']; specs: Partial<Record<PartName, string>>; partials: string[] };

/**
 * Property names that lead from a value to its prototype or to code. Handlebars refuses them at
 * run time too (allowProtoPropertiesByDefault stays false); refusing them in the source tells the
 * author where, instead of rendering an empty string.
 */
const FORBIDDEN = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const KNOWN_HELPERS = Object.fromEntries(HELPER_NAMES.map((n) => [n, true]));
const CACHE_SIZE = 500;
const cache = new Map<string, CompiledTemplate>();

type Node = { type: string; loc?: { start: { line: number; column: number } } | null; [key: string]: unknown };
type Walk = { part: PartName; errors: SourceError[]; partials: Set<string> };

const at = (walk: Walk, node: Node | undefined, detail: string, line?: number, column?: number, unsafe?: true): void => {
  const l = line ?? node?.loc?.start.line ?? 1;
  const c = column ?? (node?.loc?.start.column ?? 0) + 1;
  walk.errors.push({ pointer: `/parts/${walk.part}`, detail: `line ${l}, column ${c}: ${detail}`, line: l, column: c, ...(unsafe ? { unsafe } : {}) });
};

const children = (node: Node): Node[] => {
  const out: unknown[] = [node.path, node.name, ...((node.params as unknown[]) ?? []), node.program, node.inverse];
  const hash = node.hash as { pairs?: Array<{ value: unknown }> } | undefined;
  for (const pair of hash?.pairs ?? []) out.push(pair.value);
  for (const child of (node.body as unknown[]) ?? []) out.push(child);
  return out.filter((n): n is Node => !!n && typeof n === 'object' && typeof (n as Node).type === 'string');
};

function check(walk: Walk, node: Node): void {
  if (node.type === 'PathExpression') {
    const bad = (node.parts as string[]).find((p) => FORBIDDEN.has(p));
    if (bad) at(walk, node, `"${bad}" cannot be read in a template`, undefined, undefined, true);
  }
  if (node.type === 'StringLiteral' && FORBIDDEN.has(node.value as string)) at(walk, node, `"${String(node.value)}" cannot be looked up in a template`, undefined, undefined, true);
  if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
    const name = node.name as Node;
    if (name.type === 'PathExpression') walk.partials.add(name.original as string);
    else if (name.type === 'StringLiteral') walk.partials.add(name.value as string);
    else at(walk, node, 'a partial must be named, not computed ({{> name}})');
  }
  if ((node.type === 'Decorator' || node.type === 'DecoratorBlock') && (node.path as Node).original !== 'inline') at(walk, node, 'the only decorator is *inline');
  for (const child of children(node)) check(walk, child);
}

/** Where the parser stopped: its lexer's last location (the parser is one synchronous singleton). */
function parseErrorAt(walk: Walk, err: Error, source: string): void {
  const loc = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser?.lexer?.yylloc;
  const line = loc?.first_line ?? Number(/line (\d+)/.exec(err.message)?.[1] ?? 1);
  const column = (loc?.first_column ?? 0) + 1;
  const got = /got '([A-Z_]+)'/.exec(err.message)?.[1];
  const near = source.split('\n')[line - 1]?.slice(column - 1, column + 19).trim();
  const detail = got === 'EOF' ? 'the template ends before a {{#block}} or {{expression}} is closed' : near ? `unexpected "${near}"` : err.message.split('\n')[0]!;
  at(walk, undefined, detail, line, column);
}

/** A title is plain text, shown escaped by whatever shows it: its template does not HTML-escape. */
function compilePart(part: PartName, source: string, errors: SourceError[], partials: Set<string>, kind: TemplateDefinition['kind']): string | undefined {
  const walk: Walk = { part, errors, partials };
  let ast: Node;
  try {
    ast = Handlebars.parse(source) as unknown as Node;
  } catch (err) {
    parseErrorAt(walk, err as Error, source);
    return undefined;
  }
  const before = errors.length;
  check(walk, ast);
  if (errors.length > before) return undefined;
  try {
    return String(Handlebars.precompile(ast, { knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, strict: false, noEscape: kind === 'title' }));
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    at(walk, undefined, e.message.replace(/ - \d+:\d+$/, ''), e.lineNumber ?? 1, (e.column ?? 0) + 1);
    return undefined;
  }
}

export const hashOf = (def: Pick<TemplateDefinition, 'kind' | 'parts'>): string =>
  createHash('sha256').update(JSON.stringify([def.kind, ...PART_NAMES.map((p) => def.parts[p] ?? null)])).digest('hex').slice(0, 32);

/** Every syntax and safety error of every part, at once; an empty list when it compiles. */
export function sourceErrors(def: Pick<TemplateDefinition, 'kind' | 'parts'>): SourceError[] {
  const errors: SourceError[] = [];
  for (const part of PART_NAMES) if (def.parts[part] !== undefined) compilePart(part, def.parts[part]!, errors, new Set(), def.kind);
  return errors;
}

/** The precompiled parts, from the cache when this source was compiled before; throws template-syntax otherwise. */
export function compileTemplate(def: Pick<TemplateDefinition, 'kind' | 'parts'>): CompiledTemplate {
  const hash = hashOf(def);
  const cached = cache.get(hash);
  if (cached) {
    cache.delete(hash);
    cache.set(hash, cached);
    return cached;
  }
  const errors: SourceError[] = [];
  const partials = new Set<string>();
  const specs: CompiledTemplate['specs'] = {};
  for (const part of PART_NAMES) {
    const source = def.parts[part];
    if (source === undefined) continue;
    const spec = compilePart(part, source, errors, partials, def.kind);
    if (spec !== undefined) specs[part] = spec;
  }
  if (errors.length) throw syntaxProblem(errors);
  const compiled: CompiledTemplate = { hash, kind: def.kind, specs, partials: [...partials] };
  cache.set(hash, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return compiled;
}

/** template-unsafe-access when the source reads a prototype property, else template-syntax; every error with its line and column. */
export const syntaxProblem = (errors: SourceError[]) =>
  (errors.some((e) => e.unsafe) ? templateProblems.unsafeAccess : templateProblems.templateSyntax).create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
