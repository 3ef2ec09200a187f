/** The step kinds of the workflow designer: label, form controls, nested lanes, a new step, a one-line summary. */
import { choices, type Control, type Lane, type Node } from './controls.ts';

export type StepKind = {
  type: string;
  label: string;
  icon: string;
  controls: Control[];
  lanes: (step: Node) => Lane[];
  create: (id: string) => Node;
  summary: (step: Node) => string;
};

const none = () => [];
const count = (v: unknown, one: string, many = `${one}s`) => {
  const n = Array.isArray(v) ? v.length : 0;
  return `${n} ${n === 1 ? one : many}`;
};

export const STEP_KINDS: StepKind[] = [
  {
    type: 'update', label: 'Update the record', icon: '✎',
    controls: [{ key: 'set', label: 'Set fields', kind: 'values', from: 'record', required: true }],
    lanes: none, create: (id) => ({ id, type: 'update', set: [{ field: '', value: '' }] }),
    summary: (s) => `Set ${((s.set as Node[] | undefined) ?? []).map((v) => v.field).filter(Boolean).join(', ') || 'fields'}`,
  },
  {
    type: 'create', label: 'Create a record', icon: '+',
    controls: [
      { key: 'entity', label: 'Object', kind: 'entity', required: true },
      { key: 'linkField', label: 'Link it to the record by', kind: 'field', from: 'stepEntity', types: ['relation'], relationTo: 'record', help: 'A relation of the new record to this workflow\'s record.' },
      { key: 'values', label: 'Values', kind: 'values', from: 'stepEntity' },
    ],
    lanes: none, create: (id) => ({ id, type: 'create', entity: '', values: [] }),
    summary: (s) => `Create a ${String(s.entity || 'record')}`,
  },
  {
    type: 'email', label: 'Send an email', icon: '✉',
    controls: [
      { key: 'template', label: 'Template', kind: 'template', required: true },
      { key: 'to', label: 'To', kind: 'text', required: true, placeholder: 'an email field, e.g. email, or an address', help: 'The name of an email field of the record, or an address.' },
    ],
    lanes: none, create: (id) => ({ id, type: 'email', template: '', to: '' }),
    summary: (s) => `Email ${String(s.to || '…')} with ${String(s.template || 'a template')}`,
  },
  {
    type: 'webhook', label: 'Call a webhook', icon: '↗',
    controls: [
      { key: 'url', label: 'URL', kind: 'url', required: true, placeholder: 'https://example.org/hook' },
      { key: 'secret', label: 'Signing secret', kind: 'password', help: 'At least 16 characters; signs the body (X-Rapport-Signature).' },
    ],
    lanes: none, create: (id) => ({ id, type: 'webhook', url: '' }),
    summary: (s) => `POST to ${String(s.url || '…')}`,
  },
  {
    type: 'plugin', label: 'Run a plugin action', icon: '⚙',
    controls: [
      { key: 'plugin', label: 'Plugin', kind: 'text', required: true },
      { key: 'action', label: 'Action', kind: 'text', required: true },
      { key: 'input', label: 'Input (JSON)', kind: 'json' },
    ],
    lanes: none, create: (id) => ({ id, type: 'plugin', plugin: '', action: '' }),
    summary: (s) => `${String(s.plugin || 'plugin')} → ${String(s.action || 'action')}`,
  },
  {
    type: 'wait', label: 'Wait', icon: '◷',
    controls: [
      { key: 'minutes', label: 'Minutes', kind: 'number', min: 0, help: 'Set one of: minutes, a date field, or a condition.' },
      { key: 'untilField', label: 'Until the date in', kind: 'field', from: 'record', types: ['date', 'datetime'] },
      { key: 'untilCondition', label: 'Until this holds', kind: 'filter', from: 'record' },
      { key: 'timeoutMinutes', label: 'Give up after (minutes)', kind: 'number', min: 1 },
    ],
    lanes: none, create: (id) => ({ id, type: 'wait', minutes: 60 }),
    summary: (s) => (s.minutes !== undefined ? `Wait ${String(s.minutes)} min` : s.untilField ? `Wait until ${String(s.untilField)}` : 'Wait until a condition holds'),
  },
  {
    type: 'branch', label: 'If / else', icon: '⋔',
    controls: [{ key: 'if', label: 'If', kind: 'filter', from: 'record' }],
    lanes: (s) =>
      s.switch !== undefined
        ? [...((s.cases as Node[] | undefined) ?? []).map((c, i) => ({ path: ['cases', i, 'steps'], label: `When ${String(c.value)}`, entityFrom: 'record' as const })), { path: ['default'], label: 'Otherwise', entityFrom: 'record' }]
        : [{ path: ['then'], label: 'Then', entityFrom: 'record' }, { path: ['else'], label: 'Else', entityFrom: 'record' }],
    create: (id) => ({ id, type: 'branch', if: { and: [] }, then: [], else: [] }),
    summary: (s) => (s.switch !== undefined ? `Switch on ${String(s.switch)}` : 'If the condition holds'),
  },
  {
    type: 'forEach', label: 'For each related record', icon: '↻',
    controls: [
      { key: 'entity', label: 'Related object', kind: 'entity', required: true },
      { key: 'via', label: 'Related by', kind: 'field', from: 'stepEntity', types: ['relation'], relationTo: 'record', required: true },
      { key: 'filter', label: 'Only those where', kind: 'filter', from: 'stepEntity' },
    ],
    lanes: () => [{ path: ['steps'], label: 'For each', entityFrom: 'stepEntity' }],
    create: (id) => ({ id, type: 'forEach', entity: '', via: '', steps: [] }),
    summary: (s) => `For each ${String(s.entity || 'related record')}`,
  },
  {
    type: 'approval', label: 'Ask for approval', icon: '✔',
    controls: [
      { key: 'approvers', label: 'Approvers', kind: 'approvers', required: true },
      { key: 'order', label: 'Ask', kind: 'choice', options: choices(['parallel', 'All at once'], ['sequence', 'One after the other']) },
      { key: 'decide', label: 'Decided by', kind: 'choice', options: choices(['all', 'All of them'], ['any', 'Any one'], ['quorum', 'A quorum']) },
      { key: 'quorum', label: 'Quorum', kind: 'number', min: 1 },
      { key: 'deadlineMinutes', label: 'Deadline (minutes)', kind: 'number', min: 1 },
      { key: 'lockRecord', label: 'Lock the record while pending', kind: 'boolean' },
    ],
    lanes: () => [{ path: ['onApprove'], label: 'If approved', entityFrom: 'record' }, { path: ['onReject'], label: 'If rejected', entityFrom: 'record' }],
    create: (id) => ({ id, type: 'approval', approvers: [{ role: '' }], onApprove: [], onReject: [] }),
    summary: (s) => `Ask ${count(s.approvers, 'approver')}`,
  },
  {
    type: 'assign', label: 'Assign to someone', icon: '☺',
    controls: [
      { key: 'field', label: 'User field', kind: 'field', from: 'record', types: ['user'], required: true },
      { key: 'users', label: 'Among', kind: 'users', required: true },
      { key: 'strategy', label: 'How', kind: 'choice', options: choices(['roundRobin', 'In turn (round-robin)'], ['leastLoaded', 'Fewest open records']) },
    ],
    lanes: none, create: (id) => ({ id, type: 'assign', field: '', users: [] }),
    summary: (s) => `Assign ${String(s.field || 'a user field')} among ${count(s.users, 'user')}`,
  },
];

export const stepKind = (type: unknown): StepKind | undefined => STEP_KINDS.find((k) => k.type === type);

/** A step id not used anywhere in the workflow yet: update1, update2... */
export function freshId(type: string, definition: unknown): string {
  const used = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Node;
      if (typeof o.id === 'string' && typeof o.type === 'string') used.add(o.id);
      Object.values(o).forEach(walk);
    }
  };
  walk(definition);
  let i = 1;
  while (used.has(`${type}${i}`)) i++;
  return `${type}${i}`;
}
