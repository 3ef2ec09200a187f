import { DATE_FUNCTIONS } from './date-functions.ts';
import type { FormulaFunction } from './function-types.ts';
import { LOGIC_FUNCTIONS } from './logic-functions.ts';
import { MATH_FUNCTIONS } from './math-functions.ts';
import { TEXT_FUNCTIONS } from './text-functions.ts';

/** Built-in functions by upper-case name. A Map, so a name like `constructor` can never resolve to anything. */
export const FUNCTIONS: ReadonlyMap<string, FormulaFunction> = new Map(
  Object.entries({ ...LOGIC_FUNCTIONS, ...TEXT_FUNCTIONS, ...MATH_FUNCTIONS, ...DATE_FUNCTIONS }),
);
