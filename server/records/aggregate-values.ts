/**
 * Turning $group results over record fields into API values, shared by rollups and group-by.
 * Money is aggregated in exact minor units per record; the stored scale turns the result back into
 * major units. Amounts in different currencies cannot be added up, so a mix gives null.
 */
import type { Document } from 'mongodb';
import type { Field } from '../metadata/index.ts';

/** The path a numeric aggregation reads: minor units for money. */
export const valuePath = (f: Field): string => `$${f.name}${f.type === 'currency' ? '.units' : ''}`;

/** Extra accumulators a money aggregation needs, under `<key>_scale` and `<key>_currencies`. */
export function moneyAccumulators(field: Field | undefined, key: string): Document {
  if (field?.type !== 'currency') return {};
  return { [`${key}_scale`]: { $max: `$${field.name}.scale` }, [`${key}_currencies`]: { $addToSet: `$${field.name}.currency` } };
}

/** An aggregated value for the API: numbers (money in major units), dates as text, else null. */
export function aggregateValue(row: Document, key: string): number | string | null {
  const value = row[key];
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  const currencies = row[`${key}_currencies`];
  if (Array.isArray(currencies) && currencies.length > 1) return null;
  const scale = row[`${key}_scale`];
  return typeof scale === 'number' ? value / 10 ** scale : value;
}
