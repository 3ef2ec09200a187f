/**
 * The workflow being edited: a draft of its JSON definition, checked by the server as you edit
 * (POST /api/workflows/validate: the same validator as a save, nothing written) and on save, with the
 * problems kept by JSON Pointer so each control shows the ones that name it.
 */
import { ApiError } from '../../../lib/api/problem.ts';
import { workflowsApi, type StoredWorkflow, type WorkflowDefinition } from '../../../lib/api/workflows.ts';
import { localHints } from './hints.ts';
import type { Node } from './controls.ts';

const CHECK_DELAY_MS = 500;

export class WorkflowEditor {
  readonly name: string;
  draft = $state<Node | null>(null);
  version = $state(0);
  hasSecret = $state(false);
  /** Problems from the server, by JSON Pointer. */
  problems = $state<Record<string, string[]>>({});
  message = $state('');
  secret = $state('');
  saving = $state(false);
  checking = $state(false);
  notFound = $state(false);
  private savedJson = $state('');
  private checkTimer: ReturnType<typeof setTimeout> | undefined;
  private checkSeq = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** The draft as the API types it (the designer edits it as plain JSON). */
  get definition(): WorkflowDefinition {
    return this.draft as unknown as WorkflowDefinition;
  }

  get dirty(): boolean {
    return !!this.draft && JSON.stringify(this.draft) !== this.savedJson;
  }

  /** Hints computed here as you type (a required control left empty), shown until the server answers. */
  hints = $derived(this.draft ? localHints(this.draft) : {});

  /** Server problems first; a hint only where the server has said nothing. */
  get errors(): Record<string, string[]> {
    return { ...this.hints, ...this.problems };
  }

  get problemCount(): number {
    return Object.values(this.errors).reduce((n, list) => n + list.length, 0);
  }

  async load(): Promise<void> {
    try {
      this.adopt(await workflowsApi.get(this.name));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.notFound = true;
      else this.message = (err as Error).message;
    }
  }

  private adopt(w: StoredWorkflow): void {
    const { version, updatedAt: _u, updatedBy: _b, hasSecret, secret, ...definition } = w;
    this.version = version;
    this.hasSecret = hasSecret;
    if (secret) this.secret = secret;
    this.draft = definition as Node;
    this.savedJson = JSON.stringify(definition);
  }

  private setProblems(err: unknown): boolean {
    if (!(err instanceof ApiError)) {
      this.message = (err as Error).message;
      return false;
    }
    this.problems = groupErrors(err.errors);
    this.message = err.errors.length ? `${err.errors.length} ${err.errors.length === 1 ? 'problem' : 'problems'} to fix` : err.message;
    return true;
  }

  /** Checks the draft with the server a moment after the last change. */
  scheduleCheck(): void {
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => void this.check(), CHECK_DELAY_MS);
  }

  async check(): Promise<void> {
    if (!this.draft) return;
    const seq = ++this.checkSeq;
    this.checking = true;
    try {
      const { errors } = await workflowsApi.validate(this.definition);
      if (seq === this.checkSeq) this.problems = groupErrors(errors);
    } catch {
      // Not checked this time (offline, signed out): the save checks again.
    } finally {
      if (seq === this.checkSeq) this.checking = false;
    }
  }

  async save(): Promise<boolean> {
    if (!this.draft) return false;
    clearTimeout(this.checkTimer);
    this.checkSeq++;
    this.saving = true;
    this.message = '';
    try {
      this.adopt(await workflowsApi.save(this.definition, this.version));
      this.problems = {};
      this.message = 'Saved';
      return true;
    } catch (err) {
      this.setProblems(err);
      return false;
    } finally {
      this.saving = false;
    }
  }

  discard(): void {
    this.draft = JSON.parse(this.savedJson) as Node;
    this.problems = {};
    this.message = '';
  }
}

function groupErrors(errors: Array<{ pointer: string; detail: string }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of errors) (out[e.pointer === '/' ? '' : e.pointer] ??= []).push(e.detail);
  return out;
}

/** The problems at exactly this pointer. */
export const at = (errors: Record<string, string[]>, pointer: string): string[] => errors[pointer] ?? [];

/** The problems at this pointer or anywhere under it. */
export function under(errors: Record<string, string[]>, pointer: string): string[] {
  return Object.entries(errors).filter(([p]) => p === pointer || p.startsWith(`${pointer}/`)).flatMap(([, list]) => list);
}
