/**
 * The filter language (see filter.types.ts) → a MongoDB filter. The input is checked strictly by
 * hand: every mistake is reported with a JSON Pointer into the filter, all of them in one
 * invalid-query problem, so a client (or the studio's filter builder) can mark each one.
 */
import type { Document, Filter } from 'mongodb';
import type { EntityDefinition } from '../../metadata/index.ts';
import { Problem, type FieldError } from '../../shared/errors.ts';
import { FILTER_LIMITS } from './filter.types.ts';
import { findForbiddenKeys } from './forbidden-keys.ts';
import { invalidQuery, pointerJoin } from './query-errors.ts';
import { report, translateCondition, type FilterWalk } from './translate-condition.ts';

type NodeKind = 'and' | 'or' | 'not' | 'condition';

const KEYS_OF: Record<NodeKind, readonly string[]> = { and: ['and'], or: ['or'], not: ['not'], condition: ['field', 'op', 'value'] };

const NODE_SHAPE = 'must be {"and": [...]}, {"or": [...]}, {"not": {...}} or a condition {"field": ..., "op": ..., "value": ...}';

/** JSON objects only: arrays, class instances and objects with odd prototypes are not filter nodes. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The first key that says what a node is; any other key is then reported as out of place. */
function nodeKind(node: Record<string, unknown>): NodeKind | undefined {
  if (Object.hasOwn(node, 'field') || Object.hasOwn(node, 'op')) return 'condition';
  return (['and', 'or', 'not'] as const).find((k) => Object.hasOwn(node, k)) ?? (Object.hasOwn(node, 'value') ? 'condition' : undefined);
}

function reportStrayKeys(walk: FilterWalk, node: Record<string, unknown>, kind: NodeKind, pointer: string): void {
  const detail = kind === 'condition'
    ? 'is not a condition key; a condition has field, op and value'
    : `cannot sit beside "${kind}": a node holds exactly one of and, or, not, or a condition`;
  for (const key of Object.keys(node)) if (!KEYS_OF[kind].includes(key)) report(walk, pointerJoin(pointer, key), detail);
}

function translateList(walk: FilterWalk, items: unknown, kind: 'and' | 'or', pointer: string, depth: number): Document | undefined {
  const at = pointerJoin(pointer, kind);
  if (!Array.isArray(items) || items.length === 0) return report(walk, at, 'must be a non-empty list of filter nodes');
  const translated = items.map((item, i) => translateNode(walk, item, pointerJoin(at, i), depth + 1));
  return translated.every((t) => t !== undefined) ? { [kind === 'and' ? '$and' : '$or']: translated } : undefined;
}

function translateNode(walk: FilterWalk, node: unknown, pointer: string, depth: number): Document | undefined {
  if (walk.stopped) return undefined;
  if (depth > FILTER_LIMITS.maxDepth) return report(walk, pointer, `is nested more than ${FILTER_LIMITS.maxDepth} levels deep`);
  if (!isPlainObject(node)) return report(walk, pointer, NODE_SHAPE);
  const kind = nodeKind(node);
  if (!kind) return report(walk, pointer, NODE_SHAPE);
  reportStrayKeys(walk, node, kind, pointer);
  if (kind === 'condition') return translateCondition(walk, node, pointer);
  if (kind === 'not') {
    const inner = translateNode(walk, node.not, pointerJoin(pointer, 'not'), depth + 1);
    return inner && { $nor: [inner] };
  }
  return translateList(walk, node[kind], kind, pointer, depth);
}

/**
 * Translates a client filter for `entity`; throws invalid-query listing every problem found.
 * `pointerBase` places the pointers where the filter sits in the request (a rollup's filter
 * lives at `/fields/3/filter`, a list request's at `/filter`).
 */
export function translateFilter(entity: EntityDefinition, filter: unknown, pointerBase = '/filter'): Filter<Document> {
  const forbidden = findForbiddenKeys(filter, pointerBase);
  if (forbidden.length > 0) throw invalidQuery('The filter', forbidden);
  const walk: FilterWalk = { entity, errors: [], conditions: 0, stopped: false };
  const translated = translateNode(walk, filter, pointerBase, 1);
  if (walk.errors.length > 0 || !translated) throw invalidQuery('The filter', walk.errors);
  return translated as Filter<Document>;
}

/** The problems of a filter stored in metadata (rollups, views), or none: for definition checks. */
export function filterProblems(entity: EntityDefinition, filter: unknown): FieldError[] {
  try {
    translateFilter(entity, filter);
    return [];
  } catch (err) {
    if (err instanceof Problem) return err.errors ?? [{ pointer: '/filter', detail: err.detail ?? err.title }];
    throw err;
  }
}
