/** MongoDB's $type (mingo.ts): which BSON type a value is, as a query names it. */
import { typeRank } from './bson-values.ts';

type Tagged = { _bsontype?: string };

/** MongoDB's $type aliases by type number ('number' matches any numeric type). */
const TYPE_ALIASES: Record<string, number> = {
  double: 1, string: 2, object: 3, array: 4, binData: 5, undefined: 6, objectId: 7, bool: 8, date: 9, null: 10,
  regex: 11, dbPointer: 12, javascript: 13, symbol: 14, javascriptWithScope: 15, int: 16, timestamp: 17, long: 18, decimal: 19, minKey: -1, maxKey: 127,
};

/**
 * Whether `v` is of the BSON type a $type operand names (number or alias). Documents come
 * promoted (int32 and double both arrive as JS numbers), so an integral number is an int, a long
 * or a double alike, and any number a double, as mingo always said; the other types by their
 * BSON class, which mingo's own $type does not know (binData, objectId, timestamp…).
 */
export function isBsonType(v: unknown, type: unknown): boolean {
  if (type === 'number') return typeof v === 'number' || typeof v === 'bigint' || typeRank(v) === 3;
  const code = typeof type === 'number' ? type : TYPE_ALIASES[type as string];
  const tag = (v as Tagged | null)?._bsontype;
  switch (code) {
    case 1:
      return typeof v === 'number' || tag === 'Double';
    case 16:
      return Number.isInteger(v) || tag === 'Int32';
    case 18:
      return Number.isInteger(v) || typeof v === 'bigint' || tag === 'Long';
    case 19:
      return typeof v === 'number' || tag === 'Decimal128';
    case 2:
      return typeof v === 'string';
    case 3:
      return typeRank(v) === 5;
    case 4:
      return Array.isArray(v);
    case 5:
      return typeRank(v) === 7;
    case 6:
      return v === undefined;
    case 7:
      return tag === 'ObjectId';
    case 8:
      return typeof v === 'boolean';
    case 9:
      return v instanceof Date;
    case 10:
      return v === null;
    case 11:
      return typeRank(v) === 12;
    case 13:
      return tag === 'Code';
    case 14:
      return tag === 'BSONSymbol';
    case 17:
      return tag === 'Timestamp';
    case -1:
      return tag === 'MinKey';
    case 127:
      return tag === 'MaxKey';
    default:
      return false;
  }
}
