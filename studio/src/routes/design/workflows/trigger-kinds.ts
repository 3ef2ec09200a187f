/** The trigger kinds of the workflow designer: what starts a run, and the controls each one needs. */
import type { Control, Node } from './controls.ts';

export type TriggerKind = { kind: string; label: string; help: string; needsEntity: boolean; controls: Control[]; create: () => Node };

const simple = (kind: string, label: string, help: string): TriggerKind => ({ kind, label, help, needsEntity: true, controls: [], create: () => ({ kind }) });

export const TRIGGER_KINDS: TriggerKind[] = [
  simple('recordCreated', 'A record is created', 'Runs for every new record that meets the conditions below.'),
  simple('recordUpdated', 'A record is updated', 'Runs on every change of a record that meets the conditions below.'),
  simple('recordDeleted', 'A record is deleted', 'Runs when a record is deleted.'),
  {
    kind: 'fieldChanged', label: 'A field changes', help: 'Runs when the field changes, optionally only to or from a value.', needsEntity: true,
    controls: [
      { key: 'field', label: 'Field', kind: 'field', from: 'record', required: true },
      { key: 'to', label: 'Changes to', kind: 'fieldValue', fieldKey: 'field' },
      { key: 'from', label: 'Changes from', kind: 'fieldValue', fieldKey: 'field' },
    ],
    create: () => ({ kind: 'fieldChanged', field: '' }),
  },
  {
    kind: 'conditionBecomesTrue', label: 'A condition becomes true', help: 'Runs when a change makes the condition hold that did not before.', needsEntity: true,
    controls: [{ key: 'filter', label: 'Condition', kind: 'filter', from: 'record', required: true }],
    create: () => ({ kind: 'conditionBecomesTrue', filter: { and: [] } }),
  },
  {
    kind: 'stateMachine', label: 'State machine', help: 'The allowed moves of a select field; any other change of it is refused.', needsEntity: true,
    controls: [
      { key: 'field', label: 'State field', kind: 'field', from: 'record', types: ['select'], required: true },
      { key: 'initial', label: 'A new record may start in', kind: 'options', fieldKey: 'field' },
    ],
    create: () => ({ kind: 'stateMachine', field: '', transitions: [{ from: ['*'], to: '' }] }),
  },
  {
    kind: 'dateRelative', label: 'Relative to a date', help: 'Runs a set time before or after a date of the record; planned again when the date changes.', needsEntity: true,
    controls: [
      { key: 'field', label: 'Date field', kind: 'field', from: 'record', types: ['date', 'datetime'], required: true },
      { key: 'offsetMinutes', label: 'Offset in minutes', kind: 'number', required: true, help: 'Negative runs before the date: -4320 is three days before.' },
    ],
    create: () => ({ kind: 'dateRelative', field: '', offsetMinutes: 0 }),
  },
  {
    kind: 'schedule', label: 'On a schedule', help: 'A cron schedule; with an object, one run per matching record.', needsEntity: false,
    controls: [
      { key: 'cron', label: 'Cron expression', kind: 'text', required: true, placeholder: '0 9 * * 1-5', help: 'minute hour day month weekday: "0 9 * * 1-5" is 9:00 on weekdays.' },
      { key: 'timeZone', label: 'Time zone', kind: 'text', placeholder: 'UTC', help: 'An IANA time zone, e.g. Europe/London.' },
      { key: 'filter', label: 'Only records where', kind: 'filter', from: 'record' },
    ],
    create: () => ({ kind: 'schedule', cron: '0 9 * * 1-5', timeZone: 'UTC' }),
  },
  {
    kind: 'manual', label: 'By hand (a button)', help: 'A button on the record and on a list selection.', needsEntity: true,
    controls: [{ key: 'buttonLabel', label: 'Button label', kind: 'text', placeholder: 'Run' }],
    create: () => ({ kind: 'manual' }),
  },
  { kind: 'webhook', label: 'An inbound webhook', help: 'POST /hooks/workflows/<name> with the workflow\'s secret; the JSON body is the run\'s input.', needsEntity: false, controls: [], create: () => ({ kind: 'webhook' }) },
  {
    kind: 'inboundEmail', label: 'An inbound email', help: 'Emails posted to /hooks/inbound-email, routed to the first matching workflow.', needsEntity: false,
    controls: [
      { key: 'fromPattern', label: 'From', kind: 'text', placeholder: '*@example.org' },
      { key: 'subjectContains', label: 'Subject contains', kind: 'text' },
      { key: 'priority', label: 'Priority', kind: 'number', help: 'Higher first.' },
    ],
    create: () => ({ kind: 'inboundEmail' }),
  },
];

export const triggerKind = (kind: unknown): TriggerKind | undefined => TRIGGER_KINDS.find((k) => k.kind === kind);
