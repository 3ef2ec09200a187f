/** Numeric field types: integer, number, percent, rating, currency (exact money) and boolean. */
import cc from 'currency-codes';
import { converted, defineFieldType, rejected, type Converted, type FilterOperator } from './field-type.ts';
import { ORDERED_OPERATORS } from './operators.ts';
import type { CurrencyField, NumericRange } from '../entity.types.ts';

const BOOLEAN_OPERATORS: readonly FilterOperator[] = ['eq', 'ne', 'isSet', 'isNotSet'];
const DEFAULT_RATING_MAX = 5;

function rangeSchema(field: NumericRange): Record<string, unknown> {
  return { ...(field.min !== undefined ? { minimum: field.min } : {}), ...(field.max !== undefined ? { maximum: field.max } : {}) };
}

/** A decimal value `coefficient / 10^scale`, exact; `scale` never counts trailing zeros. */
type Decimal = { coefficient: bigint; scale: number };

/** Decimal text as clients write amounts; bounded so BigInt work stays small. */
const PLAIN_DECIMAL = /^-?\d{1,20}(?:\.\d{1,20})?$/;

/**
 * Parses PLAIN_DECIMAL text or `String(n)` of a finite number (shortest round-trip form, exponent
 * of at most 3 digits such as 1e-7 or 1e+21); string and BigInt arithmetic only, never floats.
 */
function parseDecimal(text: string): Decimal {
  const [mantissa, exponent = '0'] = text.split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  const digits = fraction.replace(/0+$/, '');
  const scale = digits.length - Number(exponent);
  const coefficient = BigInt(whole + digits);
  return scale >= 0 ? { coefficient, scale } : { coefficient: coefficient * 10n ** BigInt(-scale), scale: 0 };
}

/** A JSON number goes through `String(n)` so 0.1 means the decimal 0.1 the client wrote, not its binary value. */
function toDecimal(value: unknown): Decimal | null {
  if (typeof value === 'number') return Number.isFinite(value) ? parseDecimal(String(value)) : null;
  if (typeof value === 'string' && PLAIN_DECIMAL.test(value)) return parseDecimal(value);
  return null;
}

function compareDecimal(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.coefficient * 10n ** BigInt(scale - a.scale);
  const y = b.coefficient * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Number of decimal places of a finite number, exponent forms (1e-7) included. */
export function decimalPlaces(n: number): number {
  return parseDecimal(String(n)).scale;
}

/** Stored numbers are plain doubles; anything else in the database reads back as null. */
const finiteOrNull = (stored: unknown): number | null => (typeof stored === 'number' && Number.isFinite(stored) ? stored : null);
const integerOrNull = (stored: unknown): number | null => (Number.isSafeInteger(stored) ? (stored as number) : null);

function finiteOperand(value: unknown): Converted {
  return typeof value === 'number' && Number.isFinite(value) ? converted(value) : rejected('must be a number');
}

function integerOperand(value: unknown): Converted {
  return Number.isSafeInteger(value) ? converted(value) : rejected('must be an integer');
}

/** JSON keeps -0; normalising it keeps equality filters and unique indexes simple. */
const normaliseZero = (n: number): number => (n === 0 ? 0 : n);

function toStoredDecimalNumber(value: unknown, precision: number | undefined): Converted {
  if (typeof value !== 'number' || !Number.isFinite(value)) return rejected('must be a finite number');
  if (precision !== undefined && decimalPlaces(value) > precision) {
    return rejected(precision === 0 ? 'must be a whole number' : `must have at most ${precision} decimal place${precision === 1 ? '' : 's'}`);
  }
  return converted(normaliseZero(value));
}

const ordered = { operators: ORDERED_OPERATORS, sortSuffix: '', source: 'input' as const };

export const integerType = defineFieldType<'integer'>({
  ...ordered,
  type: 'integer',
  // Bounded to safe integers: beyond 2^53 JSON numbers silently lose digits.
  inputSchema: (f) => ({
    type: 'integer',
    minimum: Math.max(f.min ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
    maximum: Math.min(f.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  }),
  toStored: (v) => (Number.isSafeInteger(v) ? converted(normaliseZero(v as number)) : rejected('must be a safe integer')),
  toApi: integerOrNull,
  outputSchema: () => ({ type: 'integer' }),
  castOperand: integerOperand,
});

export const numberType = defineFieldType<'number'>({
  ...ordered,
  type: 'number',
  inputSchema: (f) => ({ type: 'number', ...rangeSchema(f) }),
  toStored: (v, f) => toStoredDecimalNumber(v, f.precision),
  toApi: finiteOrNull,
  outputSchema: () => ({ type: 'number' }),
  castOperand: finiteOperand,
});

/** Stored in percent units (12.5 means 12.5 %), not as a fraction, so what users type is what is filtered. */
export const percentType = defineFieldType<'percent'>({
  ...ordered,
  type: 'percent',
  inputSchema: (f) => ({ type: 'number', ...rangeSchema(f) }),
  toStored: (v, f) => toStoredDecimalNumber(v, f.precision),
  toApi: finiteOrNull,
  outputSchema: () => ({ type: 'number', description: 'Percent units: 12.5 means 12.5 %' }),
  castOperand: finiteOperand,
});

export const ratingType = defineFieldType<'rating'>({
  ...ordered,
  type: 'rating',
  inputSchema: (f) => ({ type: 'integer', minimum: 1, maximum: f.max ?? DEFAULT_RATING_MAX }),
  toStored: (v, f) => {
    const max = f.max ?? DEFAULT_RATING_MAX;
    return Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= max ? converted(v) : rejected(`must be an integer from 1 to ${max}`);
  },
  toApi: integerOrNull,
  outputSchema: (f) => ({ type: 'integer', minimum: 1, maximum: f.max ?? DEFAULT_RATING_MAX }),
  castOperand: integerOperand,
});

export const booleanType = defineFieldType<'boolean'>({
  type: 'boolean',
  source: 'input',
  inputSchema: () => ({ type: 'boolean' }),
  toStored: (v) => (typeof v === 'boolean' ? converted(v) : rejected('must be true or false')),
  toApi: (stored) => (typeof stored === 'boolean' ? stored : null),
  outputSchema: () => ({ type: 'boolean' }),
  operators: BOOLEAN_OPERATORS,
  castOperand: (v) => (typeof v === 'boolean' ? converted(v) : rejected('must be true or false')),
  sortSuffix: '',
});

// ---- currency ---------------------------------------------------------------------------------

/** Stored money: an exact integer count of minor units plus the scale they were counted in. */
export type StoredMoney = { units: number; currency: string; scale: number };

const CURRENCY_CODE = /^[A-Z]{3}$/;
const MAX_UNITS = BigInt(Number.MAX_SAFE_INTEGER);
/** Minor units assumed for filter operands when the field has no default currency. */
const DEFAULT_OPERAND_SCALE = 2;

/** Minor-unit digits of an ISO 4217 code; `currency-codes` lower-cases its lookups, so case is checked here. */
function currencyDigits(code: string): number | undefined {
  return CURRENCY_CODE.test(code) ? cc.code(code)?.digits : undefined;
}

function unitsToAmount(units: number, scale: number): string {
  const digits = BigInt(Math.abs(units)).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return units < 0 ? `-${whole}` : whole;
}

/** Exact decimal → minor units; refuses sub-unit amounts rather than rounding money. */
function toUnits(amount: Decimal, scale: number, currency: string): Converted {
  if (amount.scale > scale) {
    return rejected(scale === 0 ? `must be a whole amount for ${currency}` : `must have at most ${scale} decimal place${scale === 1 ? '' : 's'} for ${currency}`);
  }
  const units = amount.coefficient * 10n ** BigInt(scale - amount.scale);
  if (units > MAX_UNITS || units < -MAX_UNITS) return rejected(`must be between -${unitsToAmount(Number.MAX_SAFE_INTEGER, scale)} and ${unitsToAmount(Number.MAX_SAFE_INTEGER, scale)}`);
  return converted(Number(units));
}

/** Field bounds are decimal strings compared exactly, in the amount's own currency (no exchange rates). */
function checkBounds(amount: Decimal, field: CurrencyField): Converted | null {
  const min = toDecimal(field.min);
  const max = toDecimal(field.max);
  if (min && compareDecimal(amount, min) < 0) return rejected(`must be at least ${field.min}`, '/amount');
  if (max && compareDecimal(amount, max) > 0) return rejected(`must be at most ${field.max}`, '/amount');
  return null;
}

function moneyToStored(value: unknown, field: CurrencyField): Converted {
  const input = value as { amount?: unknown; currency?: unknown };
  const currency = typeof input.currency === 'string' ? input.currency : field.currency;
  if (currency === undefined) return rejected('is required: this field has no default currency', '/currency');
  const scale = currencyDigits(currency);
  if (scale === undefined) return rejected(`"${currency}" is not an ISO 4217 currency code`, '/currency');
  const amount = toDecimal(input.amount);
  if (!amount) return rejected('must be a decimal number such as "1234.56"', '/amount');
  const outOfBounds = checkBounds(amount, field);
  if (outOfBounds) return outOfBounds;
  const units = toUnits(amount, scale, currency);
  if (!units.ok) return { ok: false, issues: units.issues.map((i) => ({ ...i, pointer: '/amount' })) };
  return converted({ units: units.value as number, currency, scale } satisfies StoredMoney);
}

function isStoredMoney(stored: unknown): stored is StoredMoney {
  if (typeof stored !== 'object' || stored === null) return false;
  const { units, currency, scale } = stored as Record<string, unknown>;
  return Number.isSafeInteger(units) && typeof currency === 'string' && Number.isInteger(scale) && (scale as number) >= 0 && (scale as number) <= 10;
}

const moneyToApi = (stored: unknown): unknown => (isStoredMoney(stored) ? { amount: unitsToAmount(stored.units, stored.scale), currency: stored.currency } : null);

const AMOUNT_SCHEMA = { type: ['string', 'number'], pattern: PLAIN_DECIMAL.source };

/**
 * Range filters and sorting compare `.units`. Units of currencies with different scales (JPY 0,
 * EUR 2, BHD 3) are not comparable, and neither are different currencies at all; a field that mixes
 * currencies sorts meaningfully only within one currency. Accepted: most fields hold one currency.
 */
export const currencyType = defineFieldType<'currency'>({
  type: 'currency',
  source: 'input',
  inputSchema: () => ({
    type: 'object',
    required: ['amount'],
    additionalProperties: false,
    properties: { amount: AMOUNT_SCHEMA, currency: { type: 'string', pattern: CURRENCY_CODE.source } },
  }),
  toStored: moneyToStored,
  toApi: moneyToApi,
  outputSchema: () => ({
    type: 'object',
    required: ['amount', 'currency'],
    properties: { amount: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'Exact decimal, as many decimals as the currency has minor units' }, currency: { type: 'string', pattern: CURRENCY_CODE.source } },
  }),
  operators: ORDERED_OPERATORS,
  /** An operand is an amount in the field's default currency (2 decimals when it has none), compared as units. */
  castOperand: (v, f) => {
    const amount = toDecimal(v);
    if (!amount) return rejected('must be a decimal amount such as "1234.56"');
    const scale = (f.currency !== undefined ? currencyDigits(f.currency) : undefined) ?? DEFAULT_OPERAND_SCALE;
    return toUnits(amount, scale, f.currency ?? 'this field');
  },
  sortSuffix: '.units',
});
