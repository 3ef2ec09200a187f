/**
 * Problems the designer can see before the server does: a required control left empty, a step id
 * used twice. Same pointers as the server's problems, so they land on the same controls.
 */
import { getIn, pointerOf, type Node } from './controls.ts';
import { stepKind } from './step-kinds.ts';
import { triggerKind } from './trigger-kinds.ts';

const empty = (v: unknown): boolean => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

export function localHints(definition: Node): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (pointer: string, detail: string) => (out[pointer] ??= []).push(detail);
  const ids = new Set<string>();
  if (empty(definition.label)) add('/label', 'is required');
  const trigger = (definition.trigger ?? {}) as Node;
  const tk = triggerKind(trigger.kind);
  if (tk?.needsEntity && empty(definition.entity)) add('/entity', `is required by this trigger`);
  for (const c of tk?.controls ?? []) if (c.required && empty(trigger[c.key])) add(`/trigger/${c.key}`, 'is required');
  if (trigger.kind === 'stateMachine') {
    ((trigger.transitions as Node[] | undefined) ?? []).forEach((t, i) => {
      if (empty(t.to)) add(`/trigger/transitions/${i}/to`, 'is required');
      ((t.steps as Node[] | undefined) ?? []).forEach((s, j) => step(s, `/trigger/transitions/${i}/steps/${j}`));
    });
  }
  function step(s: Node, p: string): void {
    if (typeof s.id === 'string' && ids.has(s.id)) add(`${p}/id`, `another step is already called "${s.id}"`);
    if (typeof s.id === 'string') ids.add(s.id);
    const kind = stepKind(s.type);
    if (!kind) return;
    for (const c of kind.controls) if (c.required && empty(s[c.key])) add(`${p}/${c.key}`, 'is required');
    for (const lane of kind.lanes(s)) ((getIn(s, lane.path) as Node[] | undefined) ?? []).forEach((child, i) => step(child, pointerOf(p, ...lane.path, i)));
  }
  ((definition.steps as Node[] | undefined) ?? []).forEach((s, i) => step(s, `/steps/${i}`));
  return out;
}
