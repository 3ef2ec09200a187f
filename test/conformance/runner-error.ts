/**
 * A problem with the test itself or with what the runner supports (unknown operation, unknown
 * argument, undefined entity). Never counts as the error an operation was expected to raise.
 */
export class RunnerError extends Error {
  override readonly name = 'RunnerError';
}

/** A failed assertion (result, error, events or outcome). */
export class AssertionFailure extends Error {
  override readonly name = 'AssertionFailure';
}
