/** Every field type by name, and the questions other modules ask about a field. */
import type { Field } from '../entity.types.ts';
import type { AnyFieldTypeHandler, FieldTypeName, FilterOperator } from './field-type.ts';
import { emailType, longTextType, phoneType, richTextType, textType, urlType } from './text-types.ts';
import { booleanType, currencyType, integerType, numberType, percentType, ratingType } from './number-types.ts';
import { dateType, datetimeType } from './temporal-types.ts';
import { multiSelectType, selectType } from './choice-types.ts';
import { addressType, fullNameType, jsonType } from './composite-types.ts';
import { manyToManyType, relationType, userType } from './reference-types.ts';
import { autonumberType, fileType, formulaResultHandler, formulaType, rollupType } from './computed-types.ts';

const HANDLERS: Record<FieldTypeName, AnyFieldTypeHandler> = {
  text: textType, longText: longTextType, richText: richTextType, email: emailType, phone: phoneType, url: urlType,
  integer: integerType, number: numberType, currency: currencyType, percent: percentType, rating: ratingType, boolean: booleanType,
  date: dateType, datetime: datetimeType, select: selectType, multiSelect: multiSelectType,
  address: addressType, fullName: fullNameType, json: jsonType,
  relation: relationType, manyToMany: manyToManyType, user: userType,
  autonumber: autonumberType, formula: formulaType, rollup: rollupType, file: fileType,
};

export const FIELD_TYPE_NAMES = Object.keys(HANDLERS) as FieldTypeName[];

export function fieldTypeOf(field: Pick<Field, 'type'>): AnyFieldTypeHandler {
  return HANDLERS[field.type];
}

export function operatorsFor(field: Field): readonly FilterOperator[] {
  return field.type === 'formula' ? formulaResultHandler(field).operators : HANDLERS[field.type].operators;
}

/** Stored path compared by filters on this field (e.g. `amount.units` for currency). */
export function matchPath(field: Field): string {
  const handler = field.type === 'formula' ? formulaResultHandler(field) : HANDLERS[field.type];
  return field.name + (handler.matchSuffix ?? handler.sortSuffix ?? '');
}

/** Stored path sorted on, or null when the field cannot be sorted. */
export function sortPath(field: Field): string | null {
  const handler = field.type === 'formula' ? formulaResultHandler(field) : HANDLERS[field.type];
  return handler.sortSuffix === null ? null : field.name + handler.sortSuffix;
}

/** Fields a client may send: not computed by the server, not read-only. */
export function isClientWritable(field: Field): boolean {
  return HANDLERS[field.type].source === 'input' && !field.readOnly;
}
