/**
 * A syntax or semantic error in a formula's source. `position` is the 0-based character offset it points at,
 * kept out of the message so an editor can place a marker and show the message beside it.
 */
export class FormulaError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'FormulaError';
  }
}
