/**
 * mingo as the engine uses it: every operator mingo has, except that the query range operators
 * ($gt, $gte, $lt, $lte) compare strings as MongoDB does, by their UTF-8 bytes (code point
 * order, compareStrings), the order of the engine's indexes and sorts. mingo compares UTF-16 code
 * units, which puts an emoji before U+E000–U+FFFF: a filter and a sort would disagree, and a page
 * boundary taken from one would skip or repeat records in the other. And $type knows the BSON
 * types (binData, objectId, timestamp…), for which mingo's matched nothing. Every other comparison
 * and type bracketing stays mingo's.
 */
import { Aggregator as AggregatorBase } from 'mingo/aggregator';
import { Context } from 'mingo/core';
import * as accumulator from 'mingo/operators/accumulator';
import * as expression from 'mingo/operators/expression';
import * as pipeline from 'mingo/operators/pipeline';
import * as projection from 'mingo/operators/projection';
import * as query from 'mingo/operators/query';
import * as window from 'mingo/operators/window';
import { Query as QueryBase } from 'mingo/query';
import { compare, ensureArray, resolve, typeOf } from 'mingo/util';
import { compareStrings } from './bson-values.ts';
import { isBsonType } from './bson-types.ts';

type QueryOperator = (selector: string, value: unknown, options: unknown) => (obj: Record<string, unknown>) => boolean;

/** `processQuery` of mingo's comparison operators, with strings compared by code point. */
function range(holds: (c: number) => boolean): QueryOperator {
  return (selector, value) => (obj) => {
    const lhs = resolve(obj, selector, { unwrapArray: true });
    for (const v of ensureArray(lhs)) {
      if (typeOf(v) !== typeOf(value)) continue;
      if (holds(typeof v === 'string' ? compareStrings(v, value as string) : compare(v, value))) return true;
    }
    return false;
  };
}

/** $type: a field holding an array is of type array, and of the type of any element. A missing field is of no type. */
const $type: QueryOperator = (selector, value) => {
  const types = Array.isArray(value) ? value : [value];
  const is = (v: unknown) => types.some((t) => isBsonType(v, t));
  return (obj) => {
    const v = resolve(obj, selector, { unwrapArray: true });
    if (v === undefined) return false;
    return is(v) || (Array.isArray(v) && v.some(is));
  };
};

const CONTEXT = Context.init({
  accumulator,
  expression,
  pipeline,
  projection,
  query: { ...query, $gt: range((c) => c > 0), $gte: range((c) => c >= 0), $lt: range((c) => c < 0), $lte: range((c) => c <= 0), $type } as never,
  window,
});

type QueryOptions = ConstructorParameters<typeof QueryBase>[1];
type AggregatorOptions = ConstructorParameters<typeof AggregatorBase>[1];

export class Query extends QueryBase {
  constructor(condition: ConstructorParameters<typeof QueryBase>[0], options?: QueryOptions) {
    super(condition, { ...options, context: CONTEXT });
  }
}

export class Aggregator extends AggregatorBase {
  constructor(stages: ConstructorParameters<typeof AggregatorBase>[0], options?: AggregatorOptions) {
    super(stages, { ...options, context: CONTEXT });
  }
}

export { ProcessingMode } from 'mingo/core';
