export { compileFormula, type CompiledFormula, type CompileOptions, type FormulaResultType } from './compile-formula.ts';
export { FormulaError } from './formula-error.ts';
