import { eager, lazy, VARIADIC, type FunctionTable } from './function-types.ts';
import { isBlank } from './values.ts';

/** Conditions count as met only when they are exactly `true`; null, numbers and text are not true. */
export const LOGIC_FUNCTIONS: FunctionTable = {
  IF: lazy(2, 3, ([condition, then, otherwise]) => {
    if (condition!() === true) return then!();
    return otherwise === undefined ? null : otherwise();
  }),
  AND: lazy(1, VARIADIC, (args) => args.every((arg) => arg() === true)),
  OR: lazy(1, VARIADIC, (args) => args.some((arg) => arg() === true)),
  NOT: eager(1, 1, ([value]) => value !== true),
  ISBLANK: eager(1, 1, ([value]) => isBlank(value!)),
  COALESCE: lazy(1, VARIADIC, (args) => {
    for (const arg of args) {
      const value = arg();
      if (!isBlank(value)) return value;
    }
    return null;
  }),
};
