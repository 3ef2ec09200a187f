// "Evaluating Matches" from the unified test format: expected values (parsed from relaxed
// Extended JSON) against what the driver returned. A match returns undefined; a mismatch returns
// one line saying where and why, so a failing test can print it as its reason.
import { EJSON } from 'bson';
import { bsonTypeOf, describeValue, isDocument, isNumeric, scalarMismatch, toDocument } from './bson-compare.ts';

export type MatchOptions = {
  /** Resolves `$$matchesEntity` and `$$sessionLsid` names; throws for unknown names. */
  lookupEntity?: (name: string) => unknown;
};

type Ctx = { path: string; root: boolean; options: MatchOptions };

const KEY_OPERATORS = new Set(['$$exists', '$$unsetOrMatches']);

/**
 * Matches a value the way `expectResult` is matched: the top-level document is a root-level
 * document (extra fields allowed there), nested documents must not have extra fields.
 */
export function matchResult(expected: unknown, actual: unknown, options: MatchOptions = {}): string | undefined {
  return matchValue(expected, actual, { path: '$', root: true, options });
}

/**
 * Matches the documents of an iterated cursor (find, aggregate, ...): same count, and each
 * element is a root-level document.
 */
export function matchDocuments(expected: unknown, actual: unknown, options: MatchOptions = {}): string | undefined {
  if (!Array.isArray(expected)) return matchResult(expected, actual, options);
  if (!Array.isArray(actual)) return `at $: expected an array of ${expected.length} documents, got ${describeValue(actual)}`;
  if (actual.length !== expected.length) {
    return `at $: expected ${expected.length} documents, got ${actual.length}: ${describeValue(actual)}`;
  }
  for (let i = 0; i < expected.length; i += 1) {
    const failure = matchValue(expected[i], actual[i], { path: `$[${i}]`, root: true, options });
    if (failure) return failure;
  }
  return undefined;
}

/** Returns the operator name when `value` is a document whose first and only key starts with `$$`. */
export function specialOperatorOf(value: unknown): string | undefined {
  if (!isDocument(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0].startsWith('$$') ? keys[0] : undefined;
}

function matchValue(expected: unknown, actual: unknown, ctx: Ctx): string | undefined {
  const operator = specialOperatorOf(expected);
  if (operator) return matchOperator(operator, (expected as Record<string, unknown>)[operator], actual, ctx);
  if (Array.isArray(expected)) return matchArray(expected, actual, ctx);
  if (isDocument(expected)) return matchDocument(expected, actual, ctx);
  const why = scalarMismatch(expected, actual);
  return why ? `at ${ctx.path}: ${why}` : undefined;
}

function matchArray(expected: unknown[], actual: unknown, ctx: Ctx): string | undefined {
  if (!Array.isArray(actual)) return `at ${ctx.path}: expected an array, got ${describeValue(actual)}`;
  if (actual.length !== expected.length) {
    return `at ${ctx.path}: expected ${expected.length} elements, got ${actual.length}: ${describeValue(actual)}`;
  }
  for (let i = 0; i < expected.length; i += 1) {
    const failure = matchValue(expected[i], actual[i], { ...ctx, path: `${ctx.path}[${i}]`, root: false });
    if (failure) return failure;
  }
  return undefined;
}

function matchDocument(expected: Record<string, unknown>, rawActual: unknown, ctx: Ctx): string | undefined {
  const actual = toDocument(rawActual);
  if (!actual) return `at ${ctx.path}: expected a document, got ${describeValue(rawActual)}`;
  for (const [key, value] of Object.entries(expected)) {
    const child: Ctx = { ...ctx, path: `${ctx.path}.${key}`, root: false };
    const present = Object.hasOwn(actual, key) && actual[key] !== undefined;
    const operator = specialOperatorOf(value);
    if (!present && !(operator && KEY_OPERATORS.has(operator))) {
      return `at ${child.path}: expected ${describeValue(value)}, but the field is missing`;
    }
    const failure = matchValue(value, present ? actual[key] : undefined, child);
    if (failure) return failure;
  }
  if (ctx.root) return undefined;
  const extra = Object.keys(actual).filter((key) => actual[key] !== undefined && !Object.hasOwn(expected, key));
  return extra.length > 0 ? `at ${ctx.path}: unexpected field(s) ${extra.join(', ')} in ${describeValue(actual)}` : undefined;
}

function matchOperator(operator: string, argument: unknown, actual: unknown, ctx: Ctx): string | undefined {
  switch (operator) {
    case '$$exists':
      return matchExists(argument, actual, ctx);
    case '$$unsetOrMatches':
      // Does not change whether the inner document counts as root-level.
      return actual === undefined ? undefined : matchValue(argument, actual, ctx);
    case '$$type':
      return matchType(argument, actual, ctx);
    case '$$lte':
      return matchLte(argument, actual, ctx);
    case '$$matchesEntity':
      return matchValue(lookup(argument, ctx), actual, ctx);
    case '$$matchesHexBytes':
      return matchHexBytes(argument, actual, ctx);
    case '$$sessionLsid':
      return matchSessionLsid(argument, actual, ctx);
    case '$$matchAsDocument':
      if (typeof actual !== 'string') return `at ${ctx.path}: expected an Extended JSON string, got ${describeValue(actual)}`;
      return matchValue(argument, EJSON.parse(actual, { relaxed: false }), { ...ctx, root: false });
    case '$$matchAsRoot':
      return matchValue(argument, actual, { ...ctx, root: true });
    default:
      return `at ${ctx.path}: unsupported special operator ${operator}`;
  }
}

function matchExists(argument: unknown, actual: unknown, ctx: Ctx): string | undefined {
  const exists = actual !== undefined;
  if (argument === true && !exists) return `at ${ctx.path}: expected the field to exist`;
  if (argument === false && exists) return `at ${ctx.path}: expected no field, got ${describeValue(actual)}`;
  return undefined;
}

function matchType(argument: unknown, actual: unknown, ctx: Ctx): string | undefined {
  const wanted = (Array.isArray(argument) ? argument : [argument]) as string[];
  if (actual === undefined) return `at ${ctx.path}: expected a value of type ${wanted.join('|')}, but the field is missing`;
  const types = bsonTypeOf(actual);
  if (wanted.some((type) => types.includes(type) || (type === 'number' && isNumeric(actual)))) return undefined;
  return `at ${ctx.path}: expected type ${wanted.join('|')}, got ${types.join('|')} ${describeValue(actual)}`;
}

function matchLte(argument: unknown, actual: unknown, ctx: Ctx): string | undefined {
  if (!isNumeric(actual) || !isNumeric(argument)) {
    return `at ${ctx.path}: expected a number <= ${describeValue(argument)}, got ${describeValue(actual)}`;
  }
  return Number(actual) <= Number(argument) ? undefined : `at ${ctx.path}: expected <= ${describeValue(argument)}, got ${describeValue(actual)}`;
}

function matchHexBytes(argument: unknown, actual: unknown, ctx: Ctx): string | undefined {
  if (typeof argument !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(argument)) {
    return `at ${ctx.path}: malformed $$matchesHexBytes ${describeValue(argument)}`;
  }
  const bytes = bytesOf(actual);
  if (!bytes) return `at ${ctx.path}: expected bytes, got ${describeValue(actual)}`;
  const hex = Buffer.from(bytes).toString('hex');
  return hex === argument.toLowerCase() ? undefined : `at ${ctx.path}: expected bytes ${argument}, got ${hex}`;
}

function matchSessionLsid(argument: unknown, actual: unknown, ctx: Ctx): string | undefined {
  const session = lookup(argument, ctx) as { id?: unknown } | undefined;
  if (!session?.id) return `at ${ctx.path}: entity ${String(argument)} is not a session`;
  const same = EJSON.stringify(session.id as never) === EJSON.stringify(actual as never);
  return same ? undefined : `at ${ctx.path}: expected the lsid of ${String(argument)}, got ${describeValue(actual)}`;
}

function lookup(name: unknown, ctx: Ctx): unknown {
  if (!ctx.options.lookupEntity) throw new Error(`cannot resolve entity ${String(name)} here`);
  return ctx.options.lookupEntity(String(name));
}

function bytesOf(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  const binary = value as { _bsontype?: string; buffer?: Uint8Array; value?: () => Uint8Array };
  if (binary?._bsontype === 'Binary' && typeof binary.value === 'function') return binary.value();
  return undefined;
}
