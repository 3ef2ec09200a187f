/**
 * Values the server produces: autonumbers (on create), formulas (on every write, stored so they
 * can be filtered and sorted; recomputed on read when they read parent records) and rollups
 * (summaries of child records, computed on read so they are never stale). Clients never write them.
 */
import type { FormulaField } from '../entity.types.ts';
import { converted, defineFieldType, rejected, type AnyFieldTypeHandler } from './field-type.ts';
import { numberType, booleanType } from './number-types.ts';
import { dateType, datetimeType } from './temporal-types.ts';
import { PRESENCE_OPERATORS, TEXT_OPERATORS } from './operators.ts';
import { stringOperand, textType } from './text-types.ts';

const serverOnly = {
  inputSchema: () => ({ not: {} }),
  toStored: () => rejected('is computed by the server'),
};

export const autonumberType = defineFieldType<'autonumber'>({
  ...serverOnly,
  type: 'autonumber',
  source: 'write',
  toApi: (stored) => (typeof stored === 'string' ? stored : null),
  outputSchema: (f) => ({ type: 'string', readOnly: true, description: `Assigned on create: ${f.pattern}` }),
  operators: TEXT_OPERATORS,
  castOperand: stringOperand,
  sortSuffix: '',
});

/** The field type whose API form, operators and sorting a formula's result shares. */
export function formulaResultHandler(field: Pick<FormulaField, 'resultType'>): AnyFieldTypeHandler {
  return { text: textType, number: numberType, boolean: booleanType, date: dateType, datetime: datetimeType }[field.resultType];
}

export const formulaType = defineFieldType<'formula'>({
  ...serverOnly,
  type: 'formula',
  source: 'write',
  toApi: (stored, f) => (stored == null ? null : formulaResultHandler(f).toApi(stored, f as never)),
  outputSchema: (f) => ({ ...formulaResultHandler(f).outputSchema(f as never), readOnly: true, description: `= ${f.expression}` }),
  // Depends on the result type: use operatorsFor(field) from the registry.
  operators: [],
  castOperand: (v, f) => formulaResultHandler(f).castOperand(v, f as never),
  sortSuffix: '',
});

export const rollupType = defineFieldType<'rollup'>({
  ...serverOnly,
  type: 'rollup',
  source: 'read',
  // Numbers, or for min/max of a date field the date itself.
  toApi: (stored) => {
    if (typeof stored === 'number') return Number.isFinite(stored) ? stored : null;
    if (stored instanceof Date) return stored.toISOString();
    return typeof stored === 'string' ? stored : null;
  },
  outputSchema: (f) => ({ type: ['number', 'string', 'null'], readOnly: true, description: `${f.function} of ${f.entity} records` }),
  operators: [],
  castOperand: () => rejected('rollups cannot be filtered'),
  sortSuffix: null,
});

export const fileType = defineFieldType<'file'>({
  type: 'file',
  source: 'input',
  // A client sends the id the upload endpoint returned; the pipeline checks the upload and stores its summary.
  inputSchema: () => ({ type: 'string', pattern: '^[0-9a-fA-F]{24}$' }),
  toStored: (v) => converted(v),
  toApi: (stored) => {
    const s = stored as { fileId?: { toHexString?: () => string }; name?: unknown; size?: unknown; contentType?: unknown } | null;
    if (!s || typeof s.fileId?.toHexString !== 'function') return null;
    return { id: s.fileId.toHexString(), name: s.name, size: s.size, contentType: s.contentType };
  },
  outputSchema: () => ({
    type: 'object',
    properties: { id: { type: 'string' }, name: { type: 'string' }, size: { type: 'integer' }, contentType: { type: 'string' } },
  }),
  operators: PRESENCE_OPERATORS,
  castOperand: () => rejected('file fields can only be tested with isSet / isNotSet'),
  sortSuffix: null,
});
