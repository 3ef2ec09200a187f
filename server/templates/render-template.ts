/**
 * Rendering (issue 7): resolve the template and the partials it includes, add the record's merge
 * fields, and render every part in one sandboxed job with the locale, time zone and limits.
 * Values a template reads as `@locale`, `@timeZone`, `@now` and `@unsubscribeUrl` travel as
 * Handlebars data, apart from the merge fields, so a record field can never pose as one.
 */
import type { MetadataRegistry } from '../metadata/index.ts';
import type { RecordsService } from '../records/index.ts';
import { SYSTEM_ACTOR, type Actor } from '../shared/actor.ts';
import { recordForTemplate } from './merge-context.ts';
import type { RenderSandbox } from './sandbox/render-sandbox.ts';
import { compileTemplate, type CompiledTemplate, type PartName } from './template-source.ts';
import type { TemplatesStore } from './templates.store.ts';
import { templateProblems } from './templates.problems.ts';
import type { TemplateDefinition } from './template.types.ts';

export type RenderOptions = {
  locale?: string;
  timeZone?: string;
  /** Whose permissions read the record (default: the system, for background work such as mail). */
  actor?: Actor;
  /** Adds the record, relations expanded two levels, as `record` to the merge fields. */
  record?: { entity: string; id: string };
  unsubscribeUrl?: string;
};
export type Rendered = { subject?: string; html?: string; text?: string };
export type TemplateLimits = { renderTimeoutMs: number; maxOutputChars: number; maxContextChars: number; defaultLocale: string; defaultTimeZone: string };

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = { renderTimeoutMs: 1_000, maxOutputChars: 1_000_000, maxContextChars: 4_000_000, defaultLocale: 'en', defaultTimeZone: 'UTC' };

/** Partials one render may load (each may include others). */
const MAX_PARTIALS = 50;

type Deps = { store: TemplatesStore; registry: MetadataRegistry; records: () => RecordsService; sandbox: RenderSandbox; limits: TemplateLimits };

const badOption = (pointer: string, detail: string) => templateProblems.invalidRequest.create({ detail: `${pointer} ${detail}`, errors: [{ pointer, detail }] });

export function checkLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (canonical) return canonical;
  } catch {
    // reported below
  }
  throw badOption('/locale', 'is not a language tag such as en-GB or de-DE');
}

export function checkTimeZone(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw badOption('/timeZone', 'is not an IANA time zone such as Europe/London');
  }
}

export function createRenderer(deps: Deps) {
  const { limits } = deps;

  async function partialsOf(compiled: CompiledTemplate): Promise<Map<string, CompiledTemplate>> {
    const found = new Map<string, CompiledTemplate>();
    const queue = [...compiled.partials];
    const seen = new Set<string>();
    while (queue.length && found.size < MAX_PARTIALS) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const t = await deps.store.get(name);
      // Not a stored partial: maybe an inline one; if not, Handlebars says it could not be found.
      if (t?.definition.kind !== 'partial') continue;
      const c = compileTemplate(t.definition);
      found.set(name, c);
      queue.push(...c.partials);
    }
    return found;
  }

  /** The job's specs and its payload's keys: each part, and each partial in its html and text variants. */
  function jobOf(compiled: CompiledTemplate, partials: Map<string, CompiledTemplate>) {
    const defs = new Map<string, string>();
    const parts: Partial<Record<PartName, string>> = {};
    for (const [part, spec] of Object.entries(compiled.specs) as Array<[PartName, string]>) {
      parts[part] = `${compiled.hash}:${part}`;
      defs.set(parts[part]!, spec);
    }
    const variants: Record<'html' | 'text', Record<string, string>> = { html: {}, text: {} };
    for (const [name, p] of partials) {
      for (const [variant, order] of [['html', ['html', 'text']], ['text', ['text', 'html']]] as const) {
        const part = order.find((o) => p.specs[o] !== undefined)!;
        variants[variant][name] = `${p.hash}:${part}`;
        defs.set(variants[variant][name]!, p.specs[part]!);
      }
    }
    return { defs: [...defs].map(([key, spec]) => ({ key, spec })), parts, partials: variants };
  }

  async function renderCompiled(compiled: CompiledTemplate, context: Record<string, unknown>, options: RenderOptions): Promise<Rendered> {
    const locale = checkLocale(options.locale ?? limits.defaultLocale);
    const timeZone = checkTimeZone(options.timeZone ?? limits.defaultTimeZone);
    const record = options.record ? await recordForTemplate(deps, { ...options.record, actor: options.actor ?? SYSTEM_ACTOR }) : undefined;
    const merged = { ...context, ...(record ? { record } : {}) };
    const job = jobOf(compiled, await partialsOf(compiled));
    const data = { locale, timeZone, now: new Date().toISOString(), ...(options.unsubscribeUrl ? { unsubscribeUrl: options.unsubscribeUrl } : {}) };
    const payload = JSON.stringify({ parts: job.parts, partials: job.partials, context: merged, data, maxOutput: limits.maxOutputChars });
    if (payload.length > limits.maxContextChars) throw templateProblems.renderFailed.create({ detail: `The merge data is larger than ${limits.maxContextChars} characters` });
    const output = JSON.parse(await deps.sandbox.render({ defs: job.defs, payload, timeoutMs: limits.renderTimeoutMs })) as Rendered;
    // A subject is one header line, whatever the template's line breaks.
    if (output.subject !== undefined) output.subject = output.subject.replace(/\s+/g, ' ').trim();
    return output;
  }

  return {
    /** A template as it is now (an administrator's version or the default). */
    async render(name: string, context: Record<string, unknown> = {}, options: RenderOptions = {}): Promise<Rendered & { version: number }> {
      const t = await deps.store.get(name);
      if (!t) throw templateProblems.templateNotFound.create({ detail: `There is no template "${name}"` });
      return { ...(await renderCompiled(compileTemplate(t.definition), context, options)), version: t.version };
    },
    /** A definition that need not be saved (a draft being previewed); throws template-syntax with line and column. */
    renderDefinition: (def: TemplateDefinition, context: Record<string, unknown> = {}, options: RenderOptions = {}): Promise<Rendered> =>
      renderCompiled(compileTemplate(def), context, options),
  };
}

export type Renderer = ReturnType<typeof createRenderer>;
