/** Pick lists: select (one option value) and multi-select (a set of option values). */
import { converted, defineFieldType, rejected, type Converted, type ValueIssue } from './field-type.ts';
import { EQUALITY_OPERATORS, SET_OPERATORS } from './operators.ts';
import type { Options } from '../entity.types.ts';

const optionValues = (options: Options): string[] => options.map((o) => o.value);

const isOption = (options: Options, value: unknown): value is string => typeof value === 'string' && options.some((o) => o.value === value);

const isRetired = (options: Options, value: string): boolean => options.some((o) => o.value === value && o.retired === true);

const retiredDetail = (value: string): string => `"${value}" is a retired option and cannot be chosen for new values`;

/**
 * The schema lists retired values too, so that picking one is refused by toStored with a detail
 * that says it is retired instead of ajv's generic "must be equal to one of the allowed values".
 */
const optionSchema = (options: Options): Record<string, unknown> => ({ type: 'string', enum: optionValues(options) });

/** Retired values are still valid operands: old records that hold them must stay findable. */
function optionOperand(value: unknown, options: Options): Converted {
  if (typeof value !== 'string') return rejected('must be a string');
  const known = options.some((o) => o.value === value);
  return known ? converted(value) : rejected(`"${value.slice(0, 100)}" is not an option of this field`);
}

/** Unknown values (an option deleted outright) read back as null rather than breaking the output schema. */
const selectToApi = (stored: unknown, options: Options): string | null => (isOption(options, stored) ? stored : null);

export const selectType = defineFieldType<'select'>({
  type: 'select',
  source: 'input',
  inputSchema: (f) => optionSchema(f.options),
  toStored: (v, f) => {
    if (!isOption(f.options, v)) return rejected('must be one of the field\'s options');
    return isRetired(f.options, v) ? rejected(retiredDetail(v)) : converted(v);
  },
  toApi: (stored, f) => selectToApi(stored, f.options),
  outputSchema: (f) => optionSchema(f.options),
  operators: EQUALITY_OPERATORS,
  castOperand: (v, f) => optionOperand(v, f.options),
  // Sorts by the stored value, not by option order or label.
  sortSuffix: '',
});

function multiSelectToStored(value: unknown, options: Options): Converted {
  if (!Array.isArray(value)) return rejected('must be an array of option values');
  const issues: ValueIssue[] = [];
  value.forEach((item, index) => {
    if (!isOption(options, item)) issues.push({ pointer: `/${index}`, detail: 'must be one of the field\'s options' });
    else if (isRetired(options, item)) issues.push({ pointer: `/${index}`, detail: retiredDetail(item) });
  });
  if (new Set(value).size !== value.length) issues.push({ detail: 'must not repeat a value' });
  return issues.length ? { ok: false, issues } : converted([...value]);
}

export const multiSelectType = defineFieldType<'multiSelect'>({
  type: 'multiSelect',
  source: 'input',
  inputSchema: (f) => ({
    type: 'array',
    items: optionSchema(f.options),
    uniqueItems: true,
    ...(f.maxItems !== undefined ? { maxItems: f.maxItems } : {}),
  }),
  toStored: (v, f) => multiSelectToStored(v, f.options),
  // Garbage elements are dropped so the rest of the selection stays readable.
  toApi: (stored, f) => (Array.isArray(stored) ? stored.filter((item) => isOption(f.options, item)) : null),
  outputSchema: (f) => ({ type: 'array', items: optionSchema(f.options), uniqueItems: true }),
  operators: SET_OPERATORS,
  castOperand: (v, f) => optionOperand(v, f.options),
  sortSuffix: null,
});
