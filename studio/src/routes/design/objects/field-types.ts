/**
 * The field editor's per-type table: which settings each type of schemas/entity.schema.json has,
 * and which control edits each one. The editor renders these rows; a new field type is a new row.
 */
export type ControlKind = 'text' | 'textarea' | 'integer' | 'number' | 'checkbox' | 'choice' | 'entity' | 'date' | 'datetime' | 'options' | 'json' | 'list';

export type Control = {
  key: string;
  label: string;
  kind: ControlKind;
  help?: string;
  placeholder?: string;
  choices?: [value: string, label: string][];
};

export type DefaultKind = 'text' | 'number' | 'checkbox' | 'option' | 'date' | 'json';

export type TypeInfo = {
  type: string;
  label: string;
  group: 'Text' | 'Number' | 'Choice' | 'Date' | 'Structured' | 'Link' | 'Computed';
  controls: Control[];
  /** Settings the schema requires, filled in when the type is picked. */
  initial?: Record<string, unknown>;
  /** How a default value is typed; none for computed types. */
  defaultKind?: DefaultKind;
  /** Computed by the server: never required, never given by hand. */
  computed?: boolean;
  unique?: boolean;
};

const LENGTH: Control[] = [
  { key: 'minLength', label: 'Minimum length', kind: 'integer' },
  { key: 'maxLength', label: 'Maximum length', kind: 'integer' },
];
const RANGE: Control[] = [
  { key: 'min', label: 'Minimum', kind: 'number' },
  { key: 'max', label: 'Maximum', kind: 'number' },
];
const PRECISION: Control = { key: 'precision', label: 'Decimal places', kind: 'integer', help: '0 to 10' };
const RELATED_LABEL: Control = { key: 'relatedLabel', label: 'Related list label', kind: 'text', help: 'How the target names this list, e.g. Deals' };
const OPTIONS: Control = { key: 'options', label: 'Options', kind: 'options' };
const FIRST_OPTION = { options: [{ value: 'option1', label: 'Option 1' }] };

export const FIELD_TYPES: TypeInfo[] = [
  { type: 'text', label: 'Text', group: 'Text', defaultKind: 'text', unique: true, controls: [...LENGTH, { key: 'pattern', label: 'Pattern (regular expression)', kind: 'text', placeholder: '^[A-Z]{2}\\d+$' }] },
  { type: 'longText', label: 'Long text', group: 'Text', defaultKind: 'text', controls: LENGTH },
  { type: 'richText', label: 'Rich text', group: 'Text', defaultKind: 'text', controls: LENGTH },
  { type: 'email', label: 'Email', group: 'Text', defaultKind: 'text', unique: true, controls: [] },
  { type: 'phone', label: 'Phone', group: 'Text', defaultKind: 'text', unique: true, controls: [{ key: 'defaultCountry', label: 'Default country', kind: 'text', placeholder: 'GB', help: 'Two letters (ISO 3166) for numbers without +country code' }] },
  { type: 'url', label: 'URL', group: 'Text', defaultKind: 'text', unique: true, controls: [] },
  { type: 'integer', label: 'Whole number', group: 'Number', defaultKind: 'number', unique: true, controls: RANGE },
  { type: 'number', label: 'Decimal number', group: 'Number', defaultKind: 'number', controls: [...RANGE, PRECISION] },
  {
    type: 'currency', label: 'Currency', group: 'Number', defaultKind: 'json',
    controls: [
      { key: 'currency', label: 'Currency code', kind: 'text', placeholder: 'EUR', help: 'ISO 4217, used when a value gives none' },
      { key: 'min', label: 'Minimum amount', kind: 'text', placeholder: '0.00' },
      { key: 'max', label: 'Maximum amount', kind: 'text', placeholder: '1000000.00' },
    ],
  },
  { type: 'percent', label: 'Percent', group: 'Number', defaultKind: 'number', controls: [...RANGE, PRECISION] },
  { type: 'rating', label: 'Rating', group: 'Number', defaultKind: 'number', controls: [{ key: 'max', label: 'Highest rating', kind: 'integer', help: '1 to 10 (5 if empty)' }] },
  { type: 'boolean', label: 'Yes / no', group: 'Choice', defaultKind: 'checkbox', controls: [] },
  { type: 'select', label: 'Pick one', group: 'Choice', defaultKind: 'option', initial: FIRST_OPTION, controls: [OPTIONS] },
  { type: 'multiSelect', label: 'Pick several', group: 'Choice', defaultKind: 'json', initial: FIRST_OPTION, controls: [OPTIONS, { key: 'maxItems', label: 'Most picks', kind: 'integer' }] },
  { type: 'date', label: 'Date', group: 'Date', defaultKind: 'date', controls: [{ key: 'min', label: 'Earliest', kind: 'date' }, { key: 'max', label: 'Latest', kind: 'date' }] },
  { type: 'datetime', label: 'Date and time', group: 'Date', defaultKind: 'text', controls: [{ key: 'min', label: 'Earliest', kind: 'datetime' }, { key: 'max', label: 'Latest', kind: 'datetime' }] },
  { type: 'fullName', label: 'Full name', group: 'Structured', defaultKind: 'json', controls: [] },
  { type: 'address', label: 'Address', group: 'Structured', defaultKind: 'json', controls: [] },
  { type: 'json', label: 'JSON', group: 'Structured', defaultKind: 'json', controls: [] },
  {
    type: 'file', label: 'File', group: 'Structured',
    controls: [
      { key: 'maxSize', label: 'Largest file (bytes)', kind: 'integer', help: 'Up to 104857600 (100 MB); 10 MB if empty' },
      { key: 'accept', label: 'Accepted types', kind: 'list', placeholder: 'image/*, application/pdf', help: 'Media types, separated by commas' },
    ],
  },
  {
    type: 'relation', label: 'Link to one', group: 'Link', initial: { onDelete: 'restrict' },
    controls: [
      { key: 'target', label: 'Links to', kind: 'entity' },
      { key: 'onDelete', label: 'When the linked record is deleted', kind: 'choice', choices: [['restrict', 'Refuse the delete'], ['setNull', 'Clear this link'], ['cascade', 'Delete this record too']] },
      RELATED_LABEL,
    ],
  },
  {
    type: 'manyToMany', label: 'Link to many', group: 'Link',
    controls: [
      { key: 'target', label: 'Links to', kind: 'entity' },
      { key: 'maxItems', label: 'Most links', kind: 'integer', help: '200 if empty' },
      RELATED_LABEL,
      { key: 'attributes', label: 'Link attributes (JSON)', kind: 'json', placeholder: '[{"name": "role", "type": "text"}]', help: 'Values kept on each link: text, integer, number, boolean or date' },
    ],
  },
  { type: 'user', label: 'User', group: 'Link', controls: [] },
  { type: 'autonumber', label: 'Autonumber', group: 'Computed', computed: true, unique: true, initial: { pattern: 'ID-{00000}' }, controls: [{ key: 'pattern', label: 'Pattern', kind: 'text', help: 'Text around a zero-padded counter, e.g. CASE-{00000}' }] },
  {
    type: 'formula', label: 'Formula', group: 'Computed', computed: true, initial: { resultType: 'text' },
    controls: [
      { key: 'expression', label: 'Expression', kind: 'textarea', placeholder: 'amount * probability / 100' },
      { key: 'resultType', label: 'Result type', kind: 'choice', choices: [['text', 'Text'], ['number', 'Number'], ['boolean', 'Yes / no'], ['date', 'Date'], ['datetime', 'Date and time']] },
    ],
  },
  {
    type: 'rollup', label: 'Rollup', group: 'Computed', computed: true, initial: { function: 'count' },
    controls: [
      { key: 'entity', label: 'Summarise records of', kind: 'entity' },
      { key: 'relationField', label: 'Their link to this entity', kind: 'text', help: 'The name of their relation field that points here' },
      { key: 'function', label: 'Function', kind: 'choice', choices: [['count', 'Count'], ['sum', 'Sum'], ['min', 'Minimum'], ['max', 'Maximum'], ['avg', 'Average']] },
      { key: 'field', label: 'Field summarised', kind: 'text', help: 'Not needed for count' },
      { key: 'filter', label: 'Only records matching (filter JSON)', kind: 'json', placeholder: '{"status": "open"}' },
    ],
  },
];

export const typeInfo = (type: string): TypeInfo => FIELD_TYPES.find((t) => t.type === type) ?? FIELD_TYPES[0]!;
export const typeLabel = (type: string): string => FIELD_TYPES.find((t) => t.type === type)?.label ?? type;
