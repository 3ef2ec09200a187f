/**
 * What a form control of the workflow designer edits: one key of a trigger or a step. Each step
 * kind and trigger kind lists its controls (step-kinds.ts, trigger-kinds.ts) and one renderer
 * (Control.svelte) draws them all, so a new kind is a new descriptor, not a new form.
 */
export type Node = Record<string, unknown>;

/** Which entity a control's fields come from: the run's record, or the entity named in the step's `entity` key. */
export type EntityFrom = 'record' | 'stepEntity';

export type Control = { key: string; label: string; help?: string; required?: boolean } & (
  | { kind: 'text' | 'url' | 'textarea' | 'password'; placeholder?: string }
  | { kind: 'number'; min?: number; max?: number }
  | { kind: 'boolean'; defaultOn?: boolean }
  | { kind: 'choice'; options: Array<{ value: string; label: string }>; optional?: boolean }
  | { kind: 'entity' }
  | { kind: 'field'; from: EntityFrom; types?: string[]; relationTo?: 'record' }
  /** A value of the field named by the node's `field` key (a select's options, a checkbox...). */
  | { kind: 'fieldValue'; fieldKey: string }
  | { kind: 'values'; from: EntityFrom }
  | { kind: 'filter'; from: EntityFrom }
  | { kind: 'approvers' }
  | { kind: 'users' }
  | { kind: 'template' }
  | { kind: 'options'; fieldKey: string }
  | { kind: 'json' }
);

/** A nested list of steps inside a step (then/else, onApprove/onReject, a for-each's body). */
export type Lane = { path: Array<string | number>; label: string; entityFrom: EntityFrom };

export const choices = (...pairs: Array<[string, string]>) => pairs.map(([value, label]) => ({ value, label }));

/** Reads `node[path...]`. */
export function getIn(node: unknown, path: Array<string | number>): unknown {
  let at: unknown = node;
  for (const p of path) at = (at as Record<string | number, unknown> | undefined)?.[p];
  return at;
}

/** The pointer of a path under a base pointer (RFC 6901 escaping). */
export const pointerOf = (base: string, ...path: Array<string | number>): string =>
  base + path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/** A DOM id for the control at a pointer (so a problem's pointer can focus it). */
export const idOf = (pointer: string): string => `wf${pointer.replace(/[^a-zA-Z0-9]/g, '-')}`;
